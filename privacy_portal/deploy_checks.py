"""The production profile: deploy checks that refuse every development backend.

``make run`` and the test suite run on stand-ins that are right on one machine and wrong for
real people: SQLite, an in-process cache (each process its own rate limits), no broker (tasks
inside the web request), console mail, the sandbox real-name, face and bank-card providers
(the face sandbox passes nearly every ID number), an SMS backend that sends nothing, and DEBUG.
Each check below is an Error under ``check --deploy`` (``privacy_portal.E101``–``E109``), which
the web and worker processes run as they start (``privacy_portal.startup``), so none of them
can reach production by a forgotten variable.

A staging deployment that means to run on some of them (the multi-node smoke test) says so with
one loudly named switch::

    PORTAL_STAGING_ALLOW_DEV_BACKENDS=yes-this-is-not-production

Then each finding is a Warning with the same number (``W101``–``W109``) and one more warning,
``W100``, says the switch is on, so that it shows in every start-up log and fails CI's
``--fail-level WARNING``. Any other value of the switch is an error (``E100``): a typo must not
be read as either "on" or "off".

Some findings are never relaxed by the switch (E110–E112), and some are only ever warnings:
the footer's filing numbers (W114, W115), which a deployment may await after it starts.

Providers are judged by class, so a subclass of a sandbox (or the bare interface, which answers
nothing) is refused as well as the sandbox itself; any other importable class is accepted, since
the portal cannot know every real provider a deployment may plug in.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Warning
from django.utils.module_loading import import_string

from accounts.identity.providers import IdentityProvider, SandboxProvider
from accounts.sms import BaseSmsBackend, MemoryBackend
from consents.strong_verification.conf import bank_card_provider_path, face_provider_path
from consents.strong_verification.providers import (
    BankCardProvider,
    FaceProvider,
    SandboxBankCardProvider,
    SandboxFaceProvider,
)

SWITCH = "PORTAL_STAGING_ALLOW_DEV_BACKENDS"
SWITCH_VALUE = "yes-this-is-not-production"

DEV_CACHES = frozenset(
    {
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
        # One file cache a host: rate limits and counters would not be shared between nodes.
        "django.core.cache.backends.filebased.FileBasedCache",
    }
)
DEV_EMAIL_BACKENDS = frozenset(
    {
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
    }
)


def staging_switch_on() -> bool:
    return getattr(settings, "STAGING_ALLOW_DEV_BACKENDS", "") == SWITCH_VALUE


def _finding(number: int, message: str, hint: str) -> list:
    """An Error, or under the staging switch a Warning of the same number that says why it passed."""
    if staging_switch_on():
        return [Warning(f"[staging switch on] {message}", hint=hint, id=f"privacy_portal.W{number}")]
    return [
        Error(
            message,
            hint=f"{hint} Only a staging deployment may run on it, by setting {SWITCH}={SWITCH_VALUE}.",
            id=f"privacy_portal.E{number}",
        )
    ]


def check_staging_switch(app_configs=None, **kwargs) -> list:
    """E100 for a switch set to anything but the one value; W100 whenever it is on."""
    value = getattr(settings, "STAGING_ALLOW_DEV_BACKENDS", "")
    if not value:
        return []
    if value != SWITCH_VALUE:
        return [
            Error(
                f"{SWITCH} is set, but not to {SWITCH_VALUE!r}.",
                hint=f"Unset it in production; on a staging deployment set it to exactly {SWITCH_VALUE!r}.",
                id="privacy_portal.E100",
            )
        ]
    return [
        Warning(
            f"{SWITCH} is on: development backends are allowed. This deployment must not serve real people.",
            hint=f"Unset {SWITCH} for production.",
            id="privacy_portal.W100",
        )
    ]


def check_database(app_configs=None, **kwargs) -> list:
    problems = []
    for alias, database in settings.DATABASES.items():
        if "sqlite" in database.get("ENGINE", ""):
            problems += _finding(
                101,
                f"The database {alias!r} is SQLite: one file on one host, without the append-only triggers.",
                "Set DATABASE_URL to PostgreSQL, e.g. postgres://portal@db.internal:5432/privacy_portal.",
            )
    return problems


def check_cache(app_configs=None, **kwargs) -> list:
    problems = []
    for alias, cache in settings.CACHES.items():
        backend = cache.get("BACKEND", "")
        if backend in DEV_CACHES:
            problems += _finding(
                102,
                f"The cache {alias!r} is {backend}: rate limits and counters are not shared between processes.",
                "Set CACHE_URL to Redis, e.g. redis://redis.internal:6379/1.",
            )
    return problems


def check_broker(app_configs=None, **kwargs) -> list:
    broker = getattr(settings, "CELERY_BROKER_URL", "") or ""
    if not broker or broker.startswith("memory://") or getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return _finding(
            103,
            "There is no message broker: background tasks would run inside the web request.",
            "Set CELERY_BROKER_URL to Redis, e.g. redis://redis.internal:6379/0, and run the worker and beat.",
        )
    return []


def check_email(app_configs=None, **kwargs) -> list:
    backend = getattr(settings, "EMAIL_BACKEND", "")
    if backend in DEV_EMAIL_BACKENDS:
        return _finding(
            104,
            f"The email backend is {backend}: codes and notices would never reach anyone.",
            "Set EMAIL_URL to the mail relay, e.g. smtp://mail.gov.example.cn:25.",
        )
    return []


def _provider_problem(path: str, *, interface: type, sandbox: type, stand_in: str) -> str | None:
    """Why the class at ``path`` cannot serve real people, or None when it is some other provider."""
    try:
        provider = import_string(path)
    except ImportError:
        return f"{path!r} cannot be imported"
    if not isinstance(provider, type):
        return None
    if issubclass(provider, sandbox):
        return f"{path} is {stand_in}"
    if provider is interface:
        return f"{path} is the interface, which answers nothing"
    return None


def _provider_check(
    number: int, setting: str, path: str, *, interface: type, sandbox: type, stand_in: str, hint: str
) -> list:
    problem = _provider_problem(path, interface=interface, sandbox=sandbox, stand_in=stand_in)
    if problem is None:
        return []
    return _finding(number, f"{setting}: {problem}.", hint)


def check_identity_provider(app_configs=None, **kwargs) -> list:
    return _provider_check(
        105,
        "IDENTITY_PROVIDER",
        settings.IDENTITY_PROVIDER,
        interface=IdentityProvider,
        sandbox=SandboxProvider,
        stand_in="the sandbox, which answers from the test identities in the database",
        hint="Set IDENTITY_PROVIDER to the dotted path of the real-name provider's class.",
    )


def check_face_provider(app_configs=None, **kwargs) -> list:
    return _provider_check(
        106,
        "FACE_PROVIDER",
        face_provider_path(),
        interface=FaceProvider,
        sandbox=SandboxFaceProvider,
        stand_in="the sandbox, which passes almost every ID number without looking at a face",
        hint="Set FACE_PROVIDER to the dotted path of the face-recognition partner's class.",
    )


def check_bank_card_provider(app_configs=None, **kwargs) -> list:
    return _provider_check(
        107,
        "BANK_CARD_PROVIDER",
        bank_card_provider_path(),
        interface=BankCardProvider,
        sandbox=SandboxBankCardProvider,
        stand_in="the sandbox, which passes any card number",
        hint="Set BANK_CARD_PROVIDER to the dotted path of the bank-card check's class.",
    )


def check_sms_backend(app_configs=None, **kwargs) -> list:
    return _provider_check(
        108,
        "SMS_BACKEND",
        settings.SMS_BACKEND,
        interface=BaseSmsBackend,
        sandbox=MemoryBackend,
        stand_in="the in-memory backend, which sends nothing",
        hint="Set SMS_BACKEND to the dotted path of the text-message gateway's backend.",
    )


def check_debug(app_configs=None, **kwargs) -> list:
    if settings.DEBUG:
        return _finding(
            109,
            "DEBUG is on: error pages would show settings, code and personal data.",
            "Unset DEBUG (the production settings turn it off).",
        )
    return []


# Issue #13: a service's access token lives at most an hour, so a leaked one is useful briefly.
MAX_ACCESS_TOKEN_SECONDS = 3600


def check_access_token_lifetime(app_configs=None, **kwargs) -> list:
    """E110, never relaxed by the staging switch: a long-lived token is no stand-in but a policy breach."""
    seconds = getattr(settings, "OAUTH2_PROVIDER", {}).get("ACCESS_TOKEN_EXPIRE_SECONDS", 36000)
    if hasattr(seconds, "total_seconds"):
        seconds = seconds.total_seconds()
    if seconds > MAX_ACCESS_TOKEN_SECONDS:
        return [
            Error(
                f"Service access tokens live {int(seconds)} s; at most {MAX_ACCESS_TOKEN_SECONDS} s is allowed.",
                hint=f"Set OAUTH_ACCESS_TOKEN_SECONDS to {MAX_ACCESS_TOKEN_SECONDS} or less (the default is 3600).",
                id="privacy_portal.E110",
            )
        ]
    return []


def check_webhook_targets(app_configs=None, **kwargs) -> list:
    """E111, never relaxed by the staging switch: webhooks to private addresses would let a client probe our network."""
    if getattr(settings, "WEBHOOK_ALLOW_PRIVATE_TARGETS", False):
        return [
            Error(
                "WEBHOOK_ALLOW_PRIVATE_TARGETS is on: webhook endpoints may point at loopback and private addresses.",
                hint="Unset WEBHOOK_ALLOW_PRIVATE_TARGETS; it exists for the test suite's local receiver only.",
                id="privacy_portal.E111",
            )
        ]
    return []


def check_site_url(app_configs=None, **kwargs) -> list:
    """E112 for a missing or malformed SITE_URL, never relaxed; E113 for plain http.

    Every link in mail and messages starts from it (``core.site``): without
    it none would work. Over plain http a password-reset link could be read
    or changed on the way, so only a staging deployment may use it (W113).
    """
    value = getattr(settings, "SITE_URL", "") or ""
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.path.strip("/") or parts.query:
        return [
            Error(
                f"SITE_URL is {value!r}: emails and messages could not link back to the portal.",
                hint="Set SITE_URL to the portal's public address, scheme and host only, "
                "e.g. https://privacy.gov.example.cn.",
                id="privacy_portal.E112",
            )
        ]
    if parts.scheme != "https":
        return _finding(
            113,
            f"SITE_URL {value!r} is plain http: links in emails (password resets among them) would travel unprotected.",
            "Set SITE_URL to the portal's https address.",
        )
    return []


# Issue #14: a government website in China shows, in every page's footer, its ICP filing number
# (MIIT, 工信部备案) and its public-security filing number (公安机关联网备案). The footer leaves
# out an empty one, so a missing number would go unnoticed on the site itself.
FILING_NUMBERS = (
    (114, "PORTAL_ICP_FILING", "ICP filing number", "粤ICP备12345678号"),
    (115, "PORTAL_PSB_FILING", "public-security filing number", "粤公网安备44010002000001号"),
)


def check_filing_numbers(app_configs=None, **kwargs) -> list:
    """W114 without the ICP filing number, W115 without the public-security one.

    Warnings, not errors: the portal serves people correctly without them, and a deployment
    may start before its filing is granted, but every start-up log and CI's
    ``--fail-level WARNING`` then say that the footer is missing what the law asks of it.
    """
    problems = []
    for number, setting, what, example in FILING_NUMBERS:
        if not str(getattr(settings, setting, "") or "").strip():
            problems.append(
                Warning(
                    f"{setting} is empty: the footer of every page leaves out the site's {what}, "
                    "which a government website in China must show.",
                    hint=f"Set {setting} to the number the filing gave, e.g. {example}.",
                    id=f"privacy_portal.W{number}",
                )
            )
    return problems


DEPLOY_CHECKS = (
    check_staging_switch,
    check_database,
    check_cache,
    check_broker,
    check_email,
    check_identity_provider,
    check_face_provider,
    check_bank_card_provider,
    check_sms_backend,
    check_debug,
    check_access_token_lifetime,
    check_webhook_targets,
    check_site_url,
    check_filing_numbers,
)
