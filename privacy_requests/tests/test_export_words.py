"""The export's summary names what the rows hold by code: purposes, partners, categories, kinds of message.

The JSON and CSV files keep the codes, for programs; the summary shows each
one in words, in the reader's language, looked up once per export.
"""

import io
import json
import re
import zipfile

import pytest
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import GuardianLink
from accounts.two_factor.selectors import AUTHENTICATOR_DEVICE_NAME
from consents.disclosures.services import disclosure_record
from consents.models import DataCategory, Partner, Purpose
from consents.services import consent_grant
from personal_data.fields import text
from personal_data.registry import personal_data_categories
from privacy_requests import services
from privacy_requests.event_labels import EXPORT_EVENT_LABELS
from privacy_requests.exports.builder import export_zip_write
from privacy_requests.exports.readable import Column
from privacy_requests.models import RequestKind
from privacy_requests.selectors import INTERNAL_EVENTS
from tests.factories import GuardianLinkFactory, VerifiedCitizenFactory, step_up_passed

pytestmark = pytest.mark.django_db

DELETED = ["interest_tags", "locations"]
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)


@pytest.fixture
def person(db, officer, checker):
    """Rows that hold codes: a consent shared with a partner, a completed deletion, a disclosure, a linked account."""
    user = VerifiedCitizenFactory(email="wang.wu@example.cn")
    surveys = Purpose.objects.get(code="surveys")
    consent_grant(subject=user, purpose=surveys, partner=Partner.objects.get(code="survey_partner"), actor=user)
    request = services.privacy_request_create(
        requester=user, kind=RequestKind.DELETION, details={"categories": DELETED}, identity_check=step_up_passed(user)
    )
    services.privacy_request_start_review(request=request, actor=officer)
    services.privacy_request_propose(request=request, actor=officer, action="delete")
    services.privacy_request_confirm(request=request, actor=checker)
    disclosure_record(
        recipient_partner=Partner.objects.get(code="sms_gateway"),
        purpose=Purpose.objects.get(code="security"),
        kind="sharing",
        legal_basis="law",
        categories=list(DataCategory.objects.filter(code__in=["contact", "device"])),
        subjects=[user],
        recorded_by=officer,
    )
    SocialAccount.objects.create(user=user, provider="weixin", uid="o-wx-1")
    UserSession.objects.create(user=user, session_key="words-session", ip="203.0.113.9", user_agent=CHROME)
    TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_DEVICE_NAME, confirmed=True)
    GuardianLinkFactory(guardian=user)
    return user


def _export(user) -> zipfile.ZipFile:
    out = io.BytesIO()
    export_zip_write(user=user, out=out)
    return zipfile.ZipFile(out)


def _section(summary: str, code: str) -> str:
    return summary.split(f'<h2 id="{code}">', 1)[1].split("<h2", 1)[0]


def _cells(section: str) -> list[str]:
    """The text of each cell, tags and surrounding space removed (a list cell reads "a b")."""
    cells = re.findall(r"<td[^>]*>(.*?)</td>", section, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


def _words(language: str, *lookups) -> list[str]:
    with translation.override(language):
        return [str(lookup()) for lookup in lookups]


def _category(code: str):
    return next(category for category in personal_data_categories() if category.code == code)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_codes_are_shown_in_words_in_the_readers_language(person, language):
    person.language = language
    person.save(update_fields=["language"])
    summary = _export(person).read("summary.html").decode()
    surveys, survey_partner, sms_gateway, security = _words(
        language,
        lambda: Purpose.objects.get(code="surveys").name,
        lambda: Partner.objects.get(code="survey_partner").name,
        lambda: Partner.objects.get(code="sms_gateway").name,
        lambda: Purpose.objects.get(code="security").name,
    )
    interest_tags, locations = _words(
        language, lambda: _category("interest_tags").label, lambda: _category("locations").label
    )
    contact, device = _words(
        language,
        lambda: DataCategory.objects.get(code="contact").name,
        lambda: DataCategory.objects.get(code="device").name,
    )
    codes = {"surveys", "survey_partner", "sms_gateway", "security", "weixin", "contact", "device", *DELETED}
    codes |= {"proposed_delete", "confirmed_delete"}  # the maker-checker steps of the deletion
    codes |= {AUTHENTICATOR_DEVICE_NAME}  # the name the portal gives the device, beside its kind in words

    ledger = _cells(_section(summary, "consent_ledger"))
    assert surveys in ledger and survey_partner in ledger
    consents = _cells(_section(summary, "consents"))
    assert surveys in consents and survey_partner in consents
    outcomes = _cells(_section(summary, "request_outcomes"))
    assert {interest_tags, locations} <= set(outcomes)
    # The categories ticked in the request, each in words.
    requests = _section(summary, "privacy_requests")
    assert f"<li>{interest_tags}</li><li>{locations}</li>" in requests
    disclosures = _cells(_section(summary, "disclosures"))
    assert sms_gateway in disclosures and security in disclosures and f"{contact} {device}" in disclosures
    emails = _cells(_section(summary, "emails")) + _cells(_section(summary, "inbox_messages"))
    assert ("已收到权利请求" if language == "zh-hans" else "Rights request received") in emails
    assert ("微信" if language == "zh-hans" else "WeChat") in _cells(_section(summary, "social_accounts"))
    assert ("测试身份库（沙箱）" if language == "zh-hans" else "Test register of identities (sandbox)") in _cells(
        _section(summary, "identity_verifications")
    )
    device = "Windows 上的 Chrome 131" if language == "zh-hans" else "Chrome 131 on Windows"
    assert device in _cells(_section(summary, "sessions"))
    verified = "身份证号码 姓名" if language == "zh-hans" else "Resident ID number Legal name"
    assert verified in _cells(_section(summary, "profile"))  # the details a provider confirmed

    with translation.override(language):
        confirmed = str(EXPORT_EVENT_LABELS["confirmed_delete"])
    assert confirmed in _cells(_section(summary, "request_events"))

    minor = GuardianLink.objects.get(guardian=person).minor_id
    account = f"账号编号 {minor}" if language == "zh-hans" else f"Account no. {minor}"
    assert account in _cells(_section(summary, "guardian_links"))
    assert ("认证器应用" if language == "zh-hans" else "Authenticator app") in _cells(_section(summary, "two_factor"))

    every_cell = set(_cells(summary))
    assert not every_cell & codes, every_cell & codes
    assert "request_received" not in every_cell and "identity_verified" not in every_cell
    assert CHROME not in summary


def test_the_json_files_keep_the_codes(person):
    archive = _export(person)
    ledger = json.loads(archive.read("consent_ledger.json"))
    assert {(row["purpose"], row["partner"]) for row in ledger} == {("surveys", "survey_partner")}
    assert {row["category"] for row in json.loads(archive.read("request_outcomes.json"))} == set(DELETED)
    (request,) = json.loads(archive.read("privacy_requests.json"))
    assert json.loads(request["details"])["categories"] == DELETED
    (disclosure,) = json.loads(archive.read("disclosures.json"))
    assert disclosure["recipient_partner"] == "sms_gateway" and disclosure["data_categories"] == "contact, device"
    assert "request_received" in {row["kind"] for row in json.loads(archive.read("emails.json"))}
    assert [row["provider"] for row in json.loads(archive.read("social_accounts.json"))] == ["weixin"]
    assert [row["device"] for row in json.loads(archive.read("sessions.json"))] == [CHROME]
    consents = json.loads(archive.read("consents.json"))
    assert [row["purpose"] for row in consents] == ["surveys"]


def test_words_that_are_looked_up_are_looked_up_once_per_export():
    calls = []

    def names():
        calls.append(1)
        return {"surveys": "Surveys <&>"}

    lookups: dict = {}
    first = Column("purpose", text("purpose", "Purpose", choices=names), lookups)
    second = Column("purpose", text("purpose", "Purpose", choices=names), lookups)
    assert len(calls) == 1
    assert [first.html("surveys") for _ in range(3)] == ["Surveys &lt;&amp;&gt;"] * 3
    assert second.html("surveys") == "Surveys &lt;&amp;&gt;"
    # A code the lookup does not know (a purpose since deleted) is shown as it is.
    assert first.html("retired_purpose") == "retired_purpose"
    assert len(calls) == 1


def test_every_step_of_a_timeline_has_words_for_the_export():
    """The request page leaves staff's own steps out; the export shows them, so each needs a name too."""
    assert set(INTERNAL_EVENTS) <= set(EXPORT_EVENT_LABELS)
