"""The export a person can read: labels, words for codes, local dates, the purpose section, schemas."""

import io
import json
import re
import zipfile
from datetime import UTC, date, datetime

import jsonschema
import pytest
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from django.utils import translation
from django.utils.html import escape

from accounts.models import Delivery, IdentityProfile, IdentityVerificationAttempt, LoginActivity
from consents.disclosures.services import disclosure_record
from consents.models import (
    DataCategory,
    InterestTag,
    LocationRecord,
    OptionalService,
    PolicyDisplay,
    PolicyVersion,
    Purpose,
    ServiceCheckDay,
    StrongVerification,
)
from consents.optional_services.services import service_enrol
from consents.services import consent_grant, consent_withdraw
from notifications.models import InboxMessage
from personal_data.fields import Kind
from personal_data.registry import personal_data_categories
from privacy_requests import services as request_services
from privacy_requests.exports.builder import export_zip_write
from privacy_requests.exports.readable import Column, readable_html
from privacy_requests.models import ExportFile, RequestKind, RequestMessage, RequestOutcome
from tests.factories import CitizenFactory, GuardianLinkFactory, StaffFactory, step_up_passed

pytestmark = pytest.mark.django_db
FORMATS = jsonschema.Draft202012Validator.FORMAT_CHECKER

ID_NUMBER = "11010519491231002X"
# Every category the seed below gives at least one row; the label test checks each of these.
SEEDED = {
    "profile",
    "identity_verifications",
    "sign_in_activity",
    "two_factor",
    "guardian_links",
    "step_up_checks",
    "delivery_addresses",
    "consents",
    "consent_ledger",
    "cookie_choices",
    "locations",
    "interest_tags",
    "optional_services",
    "strong_verifications",
    "disclosures",
    "inbox_messages",
    "emails",
    "privacy_requests",
    "request_events",
    "request_messages",
    "request_outcomes",
    "export_files",
    "sessions",
    "social_accounts",
    "policy_displays",
    "service_checks",
}


@pytest.fixture
def person(db, service_client):
    """Someone with something in most categories: the rows the summary and the schemas are checked on."""
    user = CitizenFactory(phone="13800138000", language="en", is_minor=False)
    IdentityProfile.objects.create(user=user, legal_name="张三", id_number=ID_NUMBER, verification_level=2)
    IdentityVerificationAttempt.objects.create(user=user, provider="sandbox", outcome="match", reference="R-1")
    LoginActivity.objects.create(user=user, ip_prefix="203.0.113.0/24", user_agent="Firefox", method="password")
    GuardianLinkFactory(guardian=user)
    Delivery.objects.create(
        user=user,
        item="Residence permit",
        recipient_name="张三",
        mobile="13800138000",
        region="北京市",
        street="长安街1号",
    )
    cookies = Purpose.objects.get(code="cookies_analytics")
    optional = list(
        Purpose.objects.filter(kind="optional", sensitive=False).exclude(pk=cookies.pk).order_by("code")[:2]
    )
    consent_grant(subject=user, purpose=cookies, actor=user)
    consent_grant(subject=user, purpose=optional[0], actor=user)
    consent_grant(subject=user, purpose=optional[1], actor=user)
    consent_withdraw(subject=user, purpose=optional[1], actor=user)
    LocationRecord.objects.create(user=user, coordinates="39.9042,116.4074", source="device")
    InterestTag.objects.create(user=user, tag="hiking")
    client, _token = service_client(scopes=["consent:check"])
    ServiceCheckDay.objects.create(subject=user, client=client, purpose=optional[0], day=date(2026, 12, 1), checks=3)
    service = OptionalService.objects.filter(active=True).order_by("code").first()
    answers = {spec["name"]: "北京市东城区长安街一号院" for spec in service.required_fields}
    service_enrol(subject=user, service=service, data=answers, actor=user)
    StrongVerification.objects.create(user=user, method="face", outcome="passed", reference="F-9")
    disclosure_record(
        authority="Municipal Public Security Bureau",
        kind="disclosure",
        legal_basis="law",
        categories=[DataCategory.objects.order_by("code").first()],
        subjects=[user],
        recorded_by=StaffFactory(),
    )
    InboxMessage.objects.create(recipient=user, kind="welcome", subject="Welcome", body="Hello")
    check = step_up_passed(user)
    request = request_services.privacy_request_create(
        requester=user, kind=RequestKind.DELETION, details={"note": "Please hurry"}, identity_check=check
    )
    RequestMessage.objects.create(request=request, from_staff=True, body="Which account?")
    RequestOutcome.objects.create(request=request, category="locations", result="kept", legal_reason="A court order")
    ExportFile.objects.create(request=request)
    UserSession.objects.create(user=user, session_key="export-test-session", ip="203.0.113.9", user_agent="Firefox")
    SocialAccount.objects.create(user=user, provider="weixin", uid="wx-123")
    PolicyDisplay.objects.create(subject=user, policy_version=PolicyVersion.objects.first(), context="interstitial")
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


def _export(user) -> zipfile.ZipFile:
    out = io.BytesIO()
    export_zip_write(user=user, out=out)
    return zipfile.ZipFile(out)


def _headings(summary: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<th[^>]*>(.*?)</th>", summary, re.S)]


# -- declarations -----------------------------------------------------------------


def test_every_exported_field_has_a_label_in_both_languages(person):
    """A key an exporter yields that no field declares fails here: nothing reaches a person unlabelled."""
    seen = set()
    for category in personal_data_categories():
        assert category.fields, f"{category.code} declares no fields"
        assert str(category.purpose), f"{category.code} says not why it is held"
        assert category.legal_basis, f"{category.code} has no legal basis"
        declared = [field.code for field in category.fields]
        assert len(declared) == len(set(declared)), f"{category.code} declares a field twice"
        for field in category.fields:
            with translation.override("en"):
                english = str(field.label)
            with translation.override("zh-hans"):
                chinese = str(field.label)
            assert english and chinese != english, f"{category.code}.{field.code} has no Chinese label"
        for row in category.exporter(person):
            seen.add(category.code)
            assert list(row) == declared, f"{category.code}: rows carry {list(row)}, fields declare {declared}"
            for field in category.fields:
                if field.kind == Kind.RECORD_LIST:
                    for record in row[field.code]:
                        assert list(record) == [item.code for item in field.items]
    assert seen >= SEEDED


# -- the summary ------------------------------------------------------------------


def test_the_summary_speaks_in_labels_and_words_not_codes(person):
    archive = _export(person)
    summary = archive.read("summary.html").decode()
    headings = _headings(summary)
    assert "Account name" in headings and "Resident ID number" in headings
    assert "What happened" in headings  # the consent ledger's action column
    for code in ("username", "is_minor", "given_by", "phone_verified", "purpose_version", "date_joined"):
        assert code not in headings
    # Words for codes and booleans; the raw codes stay in the JSON.
    assert "Granted" in summary and "Withdrawn" in summary and "Portal" in summary
    assert re.search(r"<td[^>]*>Yes</td>", summary) and re.search(r"<td[^>]*>No</td>", summary)
    assert ">True<" not in summary and ">False<" not in summary and ">true<" not in summary
    ledger = json.loads(archive.read("consent_ledger.json"))
    assert {row["action"] for row in ledger} == {"granted", "withdrawn"}
    assert {row["channel"] for row in ledger} == {"web"}
    # Local dates to the minute: no ISO stamps, no microseconds.
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d", summary)
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}", summary)
    # Nested data as lists, never JSON text.
    assert '<ul class="values">' in summary
    assert "[{" not in summary and "{&quot;" not in summary and '{"' not in summary
    assert "Please hurry" in summary and "Anything we should know (optional)" in summary


def test_the_summary_opens_with_what_each_category_is_for_and_how_long_it_is_kept(person):
    summary = _export(person).read("summary.html").decode()
    about = summary.split('id="about"', 1)[1].split("<h2", 1)[0]
    for category in personal_data_categories():
        with translation.override("en"):
            assert str(category.label) in about
            assert escape(str(category.purpose)) in about
    assert "Deleted 30 days after creation." in about  # the locations rule
    assert "Deleted 183 days after creation." in about  # sign-in activity
    assert "Statutory duty" in about and "Consent" in about
    assert "While your account exists." in about  # a category without a rule


def test_the_summary_is_in_chinese_for_a_chinese_speaker(person):
    person.language = "zh-hans"
    person.save(update_fields=["language"])
    summary = _export(person).read("summary.html").decode()
    headings = _headings(summary)
    assert 'lang="zh-hans"' in summary
    with translation.override("zh-hans"):
        account_name = str(personal_data_categories()[0].fields[0].label)
    assert account_name in headings and account_name != "Account name"
    assert re.search(r"<td[^>]*>是</td>", summary) and re.search(r"<td[^>]*>否</td>", summary)
    assert "Yes" not in summary
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", summary)


def test_the_readme_lists_the_real_file_names(person):
    archive = _export(person)
    readme = archive.read("README.txt").decode()
    names = set(archive.namelist())
    assert "<code>" not in readme
    listed = set(re.findall(r"^\s*- (\S+):", readme, re.M))
    assert listed == names
    assert "schemas/profile.schema.json" in listed


# -- machine-readable files ---------------------------------------------------------


def test_each_json_file_is_valid_against_its_schema(person):
    archive = _export(person)
    for category in personal_data_categories():
        schema = json.loads(archive.read(f"schemas/{category.code}.schema.json"))
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        jsonschema.Draft202012Validator.check_schema(schema)
        data = json.loads(archive.read(f"{category.code}.json"))
        validator = jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )
        errors = [error.message for error in validator.iter_errors(data)]
        assert not errors, f"{category.code}: {errors[:3]}"


def test_a_schema_rejects_a_row_that_does_not_match_the_declarations(person):
    archive = _export(person)
    schema = json.loads(archive.read("schemas/profile.schema.json"))
    row = json.loads(archive.read("profile.json"))[0]
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid([row])
    assert not validator.is_valid([{**row, "is_minor": "no"}])
    assert not validator.is_valid([{**row, "unexpected": 1}])


# -- single values ------------------------------------------------------------------


def test_readable_values():
    profile = next(category for category in personal_data_categories() if category.code == "profile")
    with translation.override("en"):
        assert readable_html(True, profile.field("is_minor")) == "Yes"
        assert readable_html(None, profile.field("last_login")) == "—"
        assert readable_html("individual", profile.field("account_kind")) == "Individual"
        assert readable_html("<b>", profile.field("first_name")) == "&lt;b&gt;"
        when = datetime(2026, 12, 3, 6, 5, 4, 123456, tzinfo=UTC)
        shown = readable_html(when, profile.field("date_joined"))
        assert shown == "3 December 2026 14:05"  # Beijing time, to the minute, in the long English format
        assert Column("date_joined", profile.field("date_joined")).html(when) == shown
        emails = readable_html(
            [{"email": "a@example.cn", "primary": True, "verified": False}], profile.field("email_addresses")
        )
        assert (
            emails == '<ul class="values"><li>Email address: a@example.cn; Main address: Yes; Confirmed: No</li></ul>'
        )
    with translation.override("zh-hans"):
        emails = readable_html(
            [{"email": "a@example.cn", "primary": True, "verified": False}], profile.field("email_addresses")
        )
        # Full-width punctuation between the words in Chinese.
        assert emails == '<ul class="values"><li>电子邮箱：a@example.cn；主邮箱：是；已确认：否</li></ul>'
