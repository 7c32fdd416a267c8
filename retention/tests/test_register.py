"""The register of processing in admin (clause 7.2): what officers and auditors see, the CSV, who may open it."""

import csv
import io
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from audit.models import AuditEvent
from consents.catalogue import DATA_CATEGORIES
from consents.models import DataCategory, Partner, Purpose
from consents.services import purpose_widen
from retention.models import RetentionRule
from retention.register.holdings import HOLDINGS
from retention.register.selectors import processing_register_rows
from retention.register.services import REGISTER_DOWNLOADED

pytestmark = pytest.mark.django_db

PAGE = "admin:retention_processingregister_changelist"
DOWNLOAD = "admin:retention_processingregister_download"


def _rows_in_english():
    with translation.override("en"):
        return processing_register_rows()


def _row(rows, code):
    return next(row for row in rows if row.code == code)


def _download(client) -> tuple[object, list[list[str]]]:
    response = client.get(reverse(DOWNLOAD))
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    text = response.content.decode("utf-8-sig")
    return response, list(csv.reader(io.StringIO(text)))


def test_officer_sees_a_row_per_seeded_purpose_with_partners_and_retention(officer, verified_client):
    page = verified_client(officer).get(reverse(PAGE))

    assert page.status_code == 200
    rows = page.context["rows"]
    assert [row.code for row in rows] == list(Purpose.objects.filter(active=True).values_list("code", flat=True))
    html = page.content.decode()
    for header in ("Purpose", "Data categories", "Legal basis", "Recipients", "Retention", "Safeguards"):
        assert f'<th scope="col">{header}</th>' in html
    # Face verification: its partner, the agreement, what is (not) expired, and the rules of its data.
    assert "Face verification" in html
    assert "Face-recognition provider (sandbox) (Face-recognition provider), agreement GD-FR-2026-001 until" in html
    face = _row(rows, "face_verification")
    assert face.legal_basis == "Consent" and face.kind == "Optional" and face.sensitive
    assert {c.code for c in face.categories} == {"biometric", "identity"}
    assert "Sensitive: separate consent, given only after a fresh identity check." in face.safeguards
    assert "strong verification: no retention rule" in [cell.text for cell in face.retention]
    # Location: the seeded 30-day rule, and the coordinates' encryption, read from the model.
    location = _row(rows, "location_services")
    assert [c.text for c in location.retention] == [
        "location record: deleted 30 days after creation (date field “recorded”)"
    ]
    assert "Encrypted at rest: coordinates." in location.safeguards
    assert location.recipients == ()
    # Real-name verification rests on statutory duty: no consent safeguards are claimed for it.
    identity = _row(rows, "identity_verification")
    assert identity.legal_basis == "Statutory duty"
    assert not any(line.startswith(("Consent", "Sensitive", "Optional")) for line in identity.safeguards)
    encrypted = next(line for line in identity.safeguards if line.startswith("Encrypted at rest:"))
    assert "legal name" in encrypted and "resident ID number" in encrypted and "mobile number" in encrypted
    assert any(
        line.startswith("Masked in staff views") and "resident ID number" in line for line in identity.safeguards
    )


def test_an_expired_agreement_is_flagged(officer, verified_client):
    Partner.objects.filter(code="survey_partner").update(agreement_expires_on=timezone.localdate() - timedelta(days=1))

    page = verified_client(officer).get(reverse(PAGE))

    surveys = _row(page.context["rows"], "surveys")
    assert [recipient.expired for recipient in surveys.recipients] == [True]
    assert "agreement GD-SV-2026-011 EXPIRED on" in page.content.decode()
    assert "1 purpose has a recipient whose agreement has expired." in page.content.decode()
    assert not _row(page.context["rows"], "face_verification").has_expired_agreement


def test_a_purpose_whose_data_has_no_active_rule_says_so(officer):
    RetentionRule.objects.filter(code="locations").update(active=False)

    location = _row(_rows_in_english(), "location_services")

    assert [cell.text for cell in location.retention] == ["location record: no retention rule"]


def test_an_anonymising_rule_reads_as_such(officer):
    services = _row(_rows_in_english(), "service_taxation")

    assert (
        "service enrolment: anonymised at withdrawal of the purpose (date field “data deleted after”; state: Left)"
        in [cell.text for cell in services.retention]
    )


def test_delivery_addresses_show_the_rules_that_blank_them(officer):
    household = _row(_rows_in_english(), "service_household_registration")

    delivery = [cell for cell in household.retention if cell.holder == "delivery"]
    assert {cell.rule_code for cell in delivery} == {"delivery_addresses", "delivery_addresses_cancelled"}
    assert all(cell.text.startswith("delivery: anonymised 90 days after ") for cell in delivery)


def test_a_rules_filter_and_condition_are_spelled_out(officer):
    security = _row(_rows_in_english(), "security")

    assert [cell.text for cell in security.retention] == [
        "sign-in record: deleted 183 days after creation (date field “time”)",
        "user session: deleted at last use (date field “last seen at”; only once the sign-in session has ended)",
        "consent checks by a service on a day: deleted 183 days after the day counted (date field “day”)",
    ]


def test_the_page_follows_the_staff_members_language(officer, verified_client):
    officer.language = "zh-hans"
    officer.save(update_fields=["language"])

    html = verified_client(officer).get(reverse(PAGE)).content.decode()

    assert "人脸识别认证" in html and "人脸识别服务商（示例）" in html
    assert "Face-recognition provider (sandbox)" not in html


def test_auditor_views_and_downloads(auditor, verified_client):
    client = verified_client(auditor)

    assert client.get(reverse(PAGE)).status_code == 200
    _download(client)


def test_customer_service_is_refused(customer_service, verified_client):
    client = verified_client(customer_service)

    assert client.get(reverse(PAGE)).status_code == 403
    assert client.get(reverse(DOWNLOAD)).status_code == 403
    assert not AuditEvent.objects.filter(action=REGISTER_DOWNLOADED).exists()
    assert reverse(PAGE) not in client.get(reverse("admin:index")).content.decode()


def test_the_admin_index_links_the_register_for_officers(officer, verified_client):
    index = verified_client(officer).get(reverse("admin:index")).content.decode()

    assert f'href="{reverse(PAGE)}"' in index
    assert "Register of processing" in index


def test_csv_has_the_pages_rows_a_dated_name_and_is_audited_with_ids_only(officer, verified_client):
    client = verified_client(officer)

    response, lines = _download(client)

    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="processing-register-{today}.csv"'
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert lines[0] == ["Purpose", "Data categories", "Legal basis", "Recipients", "Retention", "Safeguards"]
    purposes = list(Purpose.objects.filter(active=True))
    assert len(lines) == 1 + len(purposes)
    face = next(line for line in lines if line[0].startswith("Face verification (face_verification)"))
    assert face[1].splitlines() == ["Facial biometric data (sensitive)", "Identity (legal name, ID number) (sensitive)"]
    assert face[2] == "Consent"
    assert face[3].startswith("Face-recognition provider (sandbox) (Face-recognition provider), agreement GD-FR-2026")
    assert "strong verification: no retention rule" in face[4].splitlines()
    event = AuditEvent.objects.get(action=REGISTER_DOWNLOADED)
    assert event.actor_id == officer.pk
    assert event.details["purpose_ids"] == [purpose.pk for purpose in purposes]
    assert event.details["rule_ids"] and all(isinstance(pk, int) for pk in event.details["rule_ids"])
    assert "Face" not in str(event.details)


def test_csv_in_chinese_keeps_the_chinese_text(officer, verified_client):
    officer.language = "zh-hans"
    officer.save(update_fields=["language"])

    _response, lines = _download(verified_client(officer))

    assert any(line[0].startswith("人脸识别认证 (face_verification)") for line in lines)


def test_csv_cells_cannot_run_as_formulas(officer, verified_client):
    Purpose.objects.filter(code="surveys").update(name_en='=HYPERLINK("http://evil.example","x")')
    Partner.objects.filter(code="survey_partner").update(name_en="+cmd|' /C calc'!A0")

    _response, lines = _download(verified_client(officer))

    surveys = next(line for line in lines if "(surveys)" in line[0])
    assert surveys[0].startswith("'=HYPERLINK(")
    assert surveys[3].startswith("'+cmd|")


def test_download_is_get_only(officer, verified_client):
    assert verified_client(officer).post(reverse(DOWNLOAD)).status_code == 405
    assert not AuditEvent.objects.filter(action=REGISTER_DOWNLOADED).exists()


def _grow_catalogue(*, officer, n: int) -> None:
    """``n`` more purposes, each with two data categories and a partner, and a rule per new model label."""
    contact, location = DataCategory.objects.get(code="contact"), DataCategory.objects.get(code="location")
    for i in range(n):
        purpose = Purpose.objects.create(
            code=f"extra_{i}",
            name_zh=f"附加用途{i}",
            name_en=f"Extra purpose {i}",
            description_zh="-",
            description_en="-",
            kind="optional",
            legal_basis="consent",
            display_order=500 + i,
        )
        partner = Partner.objects.create(
            code=f"extra_partner_{i}",
            name_zh=f"合作方{i}",
            name_en=f"Partner {i}",
            kind="supplier",
            agreement_reference=f"X-{i}",
            agreement_expires_on=timezone.localdate() + timedelta(days=i - 2),
        )
        purpose_widen(purpose=purpose, actor=officer, data_categories=[contact, location], partners=[partner])
    RetentionRule.objects.create(
        code="extra_sign_ins",
        category="sign_in_activity",
        model="accounts.loginactivity",
        date_field="created_at",
        period_days=1,
    )


def test_page_and_csv_take_a_constant_number_of_queries(officer, verified_client, django_assert_max_num_queries):
    client = verified_client(officer)
    # Warm up once: the session, the permission caches and the audit log's chain head.
    client.get(reverse(PAGE))
    client.get(reverse(DOWNLOAD))
    with CaptureQueriesContext(connection) as page_before:
        client.get(reverse(PAGE))
    with CaptureQueriesContext(connection) as csv_before:
        client.get(reverse(DOWNLOAD))
    with django_assert_max_num_queries(4):
        processing_register_rows()

    _grow_catalogue(officer=officer, n=6)

    with CaptureQueriesContext(connection) as page_after:
        page = client.get(reverse(PAGE))
    with CaptureQueriesContext(connection) as csv_after:
        client.get(reverse(DOWNLOAD))
    assert len(page.context["rows"]) == Purpose.objects.filter(active=True).count()
    assert len(page_after.captured_queries) == len(page_before.captured_queries)
    assert len(csv_after.captured_queries) == len(csv_before.captured_queries)
    with django_assert_max_num_queries(4):
        processing_register_rows()


def test_every_seeded_category_says_where_it_is_kept():
    seeded = {code for code, *_rest in DATA_CATEGORIES}

    assert seeded - set(HOLDINGS) == set()
    for holdings in HOLDINGS.values():
        for holding in holdings:
            model = apps.get_model(holding.model)
            for name in holding.fields:
                model._meta.get_field(name)


def test_officers_and_auditors_hold_the_register_permission_customer_service_does_not(
    officer, auditor, customer_service
):
    assert officer.has_perm("retention.view_processingregister")
    assert auditor.has_perm("retention.view_processingregister")
    assert not customer_service.has_perm("retention.view_processingregister")
