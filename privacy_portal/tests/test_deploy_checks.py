"""The production profile: `check --deploy` refuses each development backend, unless the staging switch is on."""

import re

import pytest
from django.core.checks import ERROR, WARNING, run_checks

from accounts.identity.providers import SandboxProvider
from privacy_portal.deploy_checks import SWITCH_VALUE

REAL = "tests.deploy_stand_ins"
PROFILE_ID = re.compile(r"^privacy_portal\.[EW]1\d\d$")


class RenamedSandbox(SandboxProvider):
    name = "provincial-real-name"


@pytest.fixture
def production_backends(settings):
    """Settings naming a real backend for everything the profile looks at."""
    settings.DEBUG = False
    settings.STAGING_ALLOW_DEV_BACKENDS = ""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}}
    settings.CELERY_BROKER_URL = "redis://redis.internal:6379/0"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.IDENTITY_PROVIDER = f"{REAL}.UnreachableIdentityProvider"
    settings.FACE_PROVIDER = f"{REAL}.UnreachableFaceProvider"
    settings.BANK_CARD_PROVIDER = f"{REAL}.UnreachableBankCardProvider"
    settings.SMS_BACKEND = f"{REAL}.UnreachableSmsBackend"
    settings.PORTAL_ICP_FILING = "粤ICP备12345678号"
    settings.PORTAL_PSB_FILING = "粤公网安备44010002000001号"
    return settings


def profile_findings(level=None) -> dict[str, str]:
    """The production profile's findings (privacy_portal.E1xx/W1xx), by id."""
    return {
        problem.id: problem.msg
        for problem in run_checks(include_deployment_checks=True)
        if PROFILE_ID.match(problem.id or "") and (level is None or problem.level == level)
    }


DEV_BACKENDS = [
    pytest.param("DATABASES", None, "privacy_portal.E101", "SQLite", id="sqlite"),
    pytest.param(
        "CACHES", {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}, "privacy_portal.E102",
        "not shared", id="locmem-cache",
    ),
    pytest.param(
        "CACHES", {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}, "privacy_portal.E102",
        "DummyCache", id="dummy-cache",
    ),
    pytest.param("CELERY_BROKER_URL", "", "privacy_portal.E103", "no message broker", id="no-broker"),
    pytest.param("CELERY_TASK_ALWAYS_EAGER", True, "privacy_portal.E103", "inside the web request", id="eager-tasks"),
    pytest.param(
        "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend", "privacy_portal.E104", "console",
        id="console-mail",
    ),
    pytest.param(
        "EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend", "privacy_portal.E104", "filebased",
        id="file-mail",
    ),
    pytest.param(
        "EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend", "privacy_portal.E104", "locmem",
        id="locmem-mail",
    ),
    pytest.param(
        "EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend", "privacy_portal.E104", "dummy",
        id="dummy-mail",
    ),
    pytest.param(
        "IDENTITY_PROVIDER", "accounts.identity.providers.SandboxProvider", "privacy_portal.E105", "sandbox",
        id="sandbox-identity",
    ),
    pytest.param(
        "FACE_PROVIDER", "consents.strong_verification.providers.SandboxFaceProvider", "privacy_portal.E106",
        "sandbox", id="sandbox-face",
    ),
    pytest.param(
        "BANK_CARD_PROVIDER", "consents.strong_verification.providers.SandboxBankCardProvider",
        "privacy_portal.E107", "sandbox", id="sandbox-bank-card",
    ),
    pytest.param("SMS_BACKEND", "accounts.sms.MemoryBackend", "privacy_portal.E108", "sends nothing", id="memory-sms"),
    pytest.param("DEBUG", True, "privacy_portal.E109", "DEBUG is on", id="debug"),
]  # fmt: skip


def _use(settings, name, value):
    if name == "DATABASES":
        # The checks read the setting; the test's own connection keeps its PostgreSQL.
        value = {"default": {**settings.DATABASES["default"], "ENGINE": "django.db.backends.sqlite3"}}
    setattr(settings, name, value)


def test_real_backends_pass(production_backends):
    assert profile_findings() == {}


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
@pytest.mark.parametrize(("name", "value", "check_id", "words"), DEV_BACKENDS)
def test_each_dev_backend_is_refused(production_backends, name, value, check_id, words):
    _use(production_backends, name, value)
    findings = profile_findings()
    assert list(findings) == [check_id]
    assert words in findings[check_id]
    refused = [p for p in run_checks(include_deployment_checks=True) if p.id == check_id]
    assert refused[0].level == ERROR
    assert "PORTAL_STAGING_ALLOW_DEV_BACKENDS=yes-this-is-not-production" in refused[0].hint


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
@pytest.mark.parametrize(("name", "value", "check_id", "words"), DEV_BACKENDS)
def test_the_staging_switch_turns_each_refusal_into_a_warning(production_backends, name, value, check_id, words):
    _use(production_backends, name, value)
    production_backends.STAGING_ALLOW_DEV_BACKENDS = SWITCH_VALUE
    warning_id = check_id.replace(".E", ".W")
    assert profile_findings(ERROR) == {}
    warnings = profile_findings(WARNING)
    assert set(warnings) == {"privacy_portal.W100", warning_id}
    assert warnings[warning_id].startswith("[staging switch on]")
    assert "must not serve real people" in warnings["privacy_portal.W100"]


@pytest.mark.parametrize("value", ["yes", "true", "1", "Yes-this-is-not-production"])
def test_a_switch_with_any_other_value_is_an_error_and_allows_nothing(production_backends, value):
    production_backends.STAGING_ALLOW_DEV_BACKENDS = value
    production_backends.SMS_BACKEND = "accounts.sms.MemoryBackend"
    assert set(profile_findings(ERROR)) == {"privacy_portal.E100", "privacy_portal.E108"}


def test_a_renamed_sandbox_or_the_bare_interface_is_refused(production_backends):
    production_backends.IDENTITY_PROVIDER = f"{__name__}.RenamedSandbox"
    production_backends.FACE_PROVIDER = "consents.strong_verification.providers.FaceProvider"
    findings = profile_findings(ERROR)
    assert set(findings) == {"privacy_portal.E105", "privacy_portal.E106"}
    assert "sandbox" in findings["privacy_portal.E105"]
    assert "interface" in findings["privacy_portal.E106"]


def test_a_provider_that_cannot_be_imported_is_refused(production_backends):
    production_backends.BANK_CARD_PROVIDER = "provincial_bank.cards.NoSuchProvider"
    findings = profile_findings(ERROR)
    assert list(findings) == ["privacy_portal.E107"]
    assert "cannot be imported" in findings["privacy_portal.E107"]


def test_the_profile_is_a_deploy_check_only(settings):
    """`make run` and `manage.py check` on the dev settings keep working."""
    settings.DEBUG = True
    settings.CELERY_BROKER_URL = ""
    assert not [p for p in run_checks() if PROFILE_ID.match(p.id or "")]


@pytest.mark.parametrize("seconds", [3601, 36000])
def test_access_tokens_living_over_an_hour_are_refused_even_on_staging(production_backends, seconds):
    production_backends.OAUTH2_PROVIDER = {
        **production_backends.OAUTH2_PROVIDER,
        "ACCESS_TOKEN_EXPIRE_SECONDS": seconds,
    }
    production_backends.STAGING_ALLOW_DEV_BACKENDS = SWITCH_VALUE
    findings = profile_findings(ERROR)
    assert list(findings) == ["privacy_portal.E110"]
    assert f"live {seconds} s" in findings["privacy_portal.E110"]


def test_the_default_access_token_lifetime_passes(production_backends):
    assert production_backends.OAUTH2_PROVIDER["ACCESS_TOKEN_EXPIRE_SECONDS"] <= 3600
    assert "privacy_portal.E110" not in profile_findings()


# webhooks
def test_webhooks_to_private_addresses_are_refused_even_on_staging(production_backends):
    production_backends.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    production_backends.STAGING_ALLOW_DEV_BACKENDS = SWITCH_VALUE
    findings = profile_findings(ERROR)
    assert list(findings) == ["privacy_portal.E111"]
    assert "private addresses" in findings["privacy_portal.E111"]
    production_backends.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    assert "privacy_portal.E111" not in profile_findings()


# SITE_URL: where every link in mail and messages starts (issue #14)
@pytest.mark.parametrize("value", ["", "privacy.gov.example.cn", "https://", "https://privacy.gov.example.cn/portal/"])
def test_a_missing_or_malformed_site_url_is_refused_even_on_staging(production_backends, value):
    production_backends.SITE_URL = value
    production_backends.STAGING_ALLOW_DEV_BACKENDS = SWITCH_VALUE
    findings = profile_findings(ERROR)
    assert list(findings) == ["privacy_portal.E112"]
    assert "could not link back" in findings["privacy_portal.E112"]


def test_a_plain_http_site_url_is_refused(production_backends):
    production_backends.SITE_URL = "http://privacy.gov.example.cn"
    findings = profile_findings(ERROR)
    assert list(findings) == ["privacy_portal.E113"]
    assert "plain http" in findings["privacy_portal.E113"]
    # A staging deployment on localhost passes with a warning that says why.
    production_backends.STAGING_ALLOW_DEV_BACKENDS = SWITCH_VALUE
    assert "privacy_portal.E113" not in profile_findings(ERROR)
    assert "plain http" in profile_findings(WARNING)["privacy_portal.W113"]


@pytest.mark.parametrize("value", ["https://privacy.gov.example.cn", "https://privacy.gov.example.cn:8443/"])
def test_an_https_site_url_passes(production_backends, value):
    production_backends.SITE_URL = value
    assert not {"privacy_portal.E112", "privacy_portal.E113", "privacy_portal.W113"} & set(profile_findings())


# The footer's filing numbers (issue #14): a government website in China shows both.
@pytest.mark.parametrize("empty", ["", "   "])
def test_empty_filing_numbers_are_each_a_warning(production_backends, empty):
    production_backends.PORTAL_ICP_FILING = empty
    production_backends.PORTAL_PSB_FILING = empty
    assert profile_findings(ERROR) == {}
    findings = profile_findings(WARNING)
    assert set(findings) == {"privacy_portal.W114", "privacy_portal.W115"}
    assert "PORTAL_ICP_FILING is empty" in findings["privacy_portal.W114"]
    assert "PORTAL_PSB_FILING is empty" in findings["privacy_portal.W115"]


def test_only_the_missing_filing_number_is_reported(production_backends):
    production_backends.PORTAL_PSB_FILING = ""
    assert list(profile_findings()) == ["privacy_portal.W115"]


def test_filing_numbers_that_are_set_pass_silently(production_backends):
    assert not {"privacy_portal.W114", "privacy_portal.W115"} & set(profile_findings())
