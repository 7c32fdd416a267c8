"""Access and export requests: the ZIP, its download, expiry, the daily quota, erasure through the registry."""

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from accounts.models import IdentityProfile, LoginActivity
from consents.models import LocationRecord, Purpose
from consents.services import consent_grant, consent_withdraw
from core.csv_safety import csv_cell
from notifications.models import InboxMessage
from personal_data.registry import personal_data_categories
from privacy_requests import services as request_services
from privacy_requests.erasure import personal_data_erase
from privacy_requests.exports import api as export_api
from privacy_requests.exports import services as export_services
from privacy_requests.exports.tasks import export_build
from privacy_requests.models import ExportFile, RequestKind
from tests.factories import CitizenFactory, UserFactory, step_up_passed

ID_NUMBER = "11010519491231002X"
BANK_CARD = "6222020200112233445"


pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def citizen_on_file(db):
    """Identity, phone and bank card on file at level 2, so the export has something in each section."""
    user = CitizenFactory(phone="13800138000")
    IdentityProfile.objects.create(
        user=user, legal_name="张三", id_number=ID_NUMBER, bank_card=BANK_CARD, verification_level=2
    )
    return user


def _seed(user, *, logins=5, locations=3):
    purposes = list(
        Purpose.objects.filter(kind="optional", sensitive=False).exclude(code="cookies_analytics").order_by("code")[:2]
    )
    consent_grant(subject=user, purpose=Purpose.objects.get(code="cookies_analytics"), actor=user)
    consent_grant(subject=user, purpose=purposes[0], actor=user)
    consent_grant(subject=user, purpose=purposes[1], actor=user)
    consent_withdraw(subject=user, purpose=purposes[1], actor=user)
    LoginActivity.objects.bulk_create(
        [LoginActivity(user=user, ip_prefix="203.0.113.0/24", user_agent=f"browser {n}") for n in range(logins)]
    )
    LocationRecord.objects.bulk_create(
        [LocationRecord(user=user, coordinates=f"39.90{n},116.40{n}", source="device") for n in range(locations)]
    )
    # A formula an attacker might get into something the person later opens in a spreadsheet.
    InboxMessage.objects.create(recipient=user, kind="welcome", subject='=HYPERLINK("http://x")', body="+1 @a -b")


def _file_request(user, kind=RequestKind.EXPORT):
    check = step_up_passed(user)
    return request_services.privacy_request_create(requester=user, kind=kind, details={}, identity_check=check)


def _complete(request, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request_services.privacy_request_start_review(request=request, actor=staff)
        request_services.privacy_request_complete(request=request, actor=staff, answer="Here is your data.")
    return ExportFile.objects.get(request=request)


def _zip(export) -> zipfile.ZipFile:
    with export_services.export_storage().open(export.file_name, "rb") as stored:
        return zipfile.ZipFile(io.BytesIO(stored.read()))


def _stored(name: str) -> bool:
    return export_services.export_storage().exists(name)


def _stored_exports() -> list[str]:
    try:
        _dirs, files = export_services.export_storage().listdir("exports")
    except FileNotFoundError:
        return []
    return [f"exports/{name}" for name in files]


def _csv_rows(archive, code):
    text = archive.read(f"{code}.csv").decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def ready_export(citizen_on_file, staff, django_capture_on_commit_callbacks):
    _seed(citizen_on_file)
    return _complete(_file_request(citizen_on_file), staff, django_capture_on_commit_callbacks)


# -- the ZIP --------------------------------------------------------------------


def test_completing_an_export_request_builds_a_zip_with_every_category_and_tells_the_citizen(
    ready_export, citizen_on_file
):
    export = ready_export
    assert export.state == ExportFile.State.READY
    assert export.progress == 100
    assert export.attempts == 1
    assert export.file_name.startswith("exports/") and export.file_name.endswith(".zip")
    assert export.expires_at - export.ready_at == timedelta(days=7)
    assert export.size_bytes == export_services.export_storage().size(export.file_name)

    archive = _zip(export)
    names = set(archive.namelist())
    for category in personal_data_categories():
        assert f"{category.code}.json" in names
        assert f"{category.code}.csv" in names
    assert {"summary.html", "README.txt"} <= names

    profile = json.loads(archive.read("profile.json"))
    assert len(profile) == 1
    # Sensitive fields in full: it is the person's own data.
    assert profile[0]["id_number"] == ID_NUMBER
    assert profile[0]["bank_card"] == BANK_CARD
    assert profile[0]["legal_name"] == "张三"
    assert profile[0]["phone"] == "13800138000"
    assert profile[0]["email"] == citizen_on_file.email

    assert len(json.loads(archive.read("sign_in_activity.json"))) == 5
    locations = json.loads(archive.read("locations.json"))
    assert [row["coordinates"] for row in locations] == ["39.900,116.400", "39.901,116.401", "39.902,116.402"]
    ledger = json.loads(archive.read("consent_ledger.json"))
    assert [row["action"] for row in ledger] == ["granted", "granted", "granted", "withdrawn"]
    assert all(row["given_by"] == "you" for row in ledger)
    consents = json.loads(archive.read("consents.json"))
    assert sorted(row["granted"] for row in consents) == [False, True]
    cookies = json.loads(archive.read("cookie_choices.json"))
    assert [(row["purpose"], row["granted"]) for row in cookies] == [("cookies_analytics", True)]
    requests = json.loads(archive.read("privacy_requests.json"))
    assert [row["reference"] for row in requests] == [export.request.reference]
    events = json.loads(archive.read("request_events.json"))
    assert {"submitted", "verify", "start_review"} <= {row["action"] for row in events}
    # No secrets, ever.
    two_factor = archive.read("two_factor.json").decode()
    assert "key" not in json.loads(two_factor)[0] if json.loads(two_factor) else True

    # CSV carries the same rows, with a header.
    sign_ins = _csv_rows(archive, "sign_in_activity")
    assert sign_ins[0] == ["time", "network", "device", "method"]
    assert len(sign_ins) == 6

    summary = archive.read("summary.html").decode()
    assert "Sign-in activity" in summary  # the citizen's language (English)
    assert ID_NUMBER in summary
    assert "&lt;" not in summary.split("<body>")[0]
    readme = archive.read("README.txt").decode()
    assert "summary.html" in readme

    message = InboxMessage.objects.filter(recipient=citizen_on_file, kind="export_ready").get()
    assert export.request.reference in message.body
    assert f"/requests/exports/{export.pk}/" in message.body


def test_summary_is_written_in_the_persons_language(
    citizen_on_file, staff, django_capture_on_commit_callbacks, settings
):
    citizen_on_file.language = "zh-hans"
    citizen_on_file.save(update_fields=["language"])
    export = _complete(_file_request(citizen_on_file, RequestKind.ACCESS), staff, django_capture_on_commit_callbacks)
    summary = _zip(export).read("summary.html").decode()
    assert 'lang="zh-hans"' in summary


def test_csv_cells_that_look_like_formulas_are_escaped(ready_export):
    rows = _csv_rows(_zip(ready_export), "inbox_messages")
    header, first = rows[0], rows[1]
    assert first[header.index("subject")] == '\'=HYPERLINK("http://x")'
    assert first[header.index("message")] == "'+1 @a -b"
    # JSON keeps the exact text: only spreadsheets need the quote.
    message = json.loads(_zip(ready_export).read("inbox_messages.json"))[0]
    assert message["subject"] == '=HYPERLINK("http://x")'


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("plain = text", "plain = text"),
        ("", ""),
        (None, ""),
        (True, "true"),
        ([1, "a"], '[1, "a"]'),
    ],
)
def test_csv_cell(value, cell):
    assert csv_cell(value) == cell


def test_exporters_use_the_same_number_of_queries_for_few_and_many_rows(citizen_on_file):
    def count(user):
        with CaptureQueriesContext(connection) as queries:
            for category in personal_data_categories():
                for _row in category.exporter(user):
                    pass
        return len(queries)

    few = UserFactory()
    _seed(few, logins=2, locations=1)
    _seed(citizen_on_file, logins=2500, locations=2100)
    assert count(few) == count(citizen_on_file)


# -- the task -------------------------------------------------------------------


def test_a_second_delivery_of_a_finished_build_does_nothing(ready_export):
    before = (ready_export.file_name, ready_export.ready_at)
    assert export_build.apply(args=[ready_export.pk]).get() is False
    ready_export.refresh_from_db()
    assert (ready_export.file_name, ready_export.ready_at) == before
    assert ready_export.attempts == 1
    assert InboxMessage.objects.filter(kind="export_ready").count() == 1


def test_a_build_that_died_half_way_is_started_again_from_scratch(ready_export):
    # What a worker killed while storing the file leaves: state "building", and a file under the
    # name the row holds that may be cut short.
    old = ready_export.file_name
    storage = export_services.export_storage()
    storage.delete(old)
    storage.save(old, ContentFile(b"PK\x03\x04 half a zip"))
    ExportFile.objects.filter(pk=ready_export.pk).update(state=ExportFile.State.BUILDING, progress=40)
    assert export_build.apply(args=[ready_export.pk]).get() is True
    ready_export.refresh_from_db()
    assert ready_export.state == ExportFile.State.READY
    assert ready_export.attempts == 2
    assert ready_export.file_name != old
    assert not _stored(old)
    assert _stored_exports() == [ready_export.file_name]
    assert "profile.json" in _zip(ready_export).namelist()


def test_a_build_after_a_worker_died_before_storing_anything_logs_nothing(ready_export, caplog):
    ready_export_name = ready_export.file_name
    export_services.export_storage().delete(ready_export_name)
    ExportFile.objects.filter(pk=ready_export.pk).update(state=ExportFile.State.BUILDING, progress=40)
    with caplog.at_level("WARNING", logger="core.files"):
        assert export_build.apply(args=[ready_export.pk]).get() is True
    assert caplog.records == []


def test_a_failing_build_leaves_no_partial_file_and_is_marked_failed(citizen_on_file, staff, monkeypatch):
    def explode(**kwargs):
        kwargs["out"].write(b"half a zip")
        raise RuntimeError("disk full")

    monkeypatch.setattr(export_services, "export_zip_write", explode)
    request = _file_request(citizen_on_file)
    request_services.privacy_request_start_review(request=request, actor=staff)
    request_services.privacy_request_complete(request=request, actor=staff)
    export = ExportFile.objects.get(request=request)
    with pytest.raises(RuntimeError):
        export_build.apply(args=[export.pk], retries=export_build.max_retries).get()
    export.refresh_from_db()
    assert export.state == ExportFile.State.FAILED
    assert _stored_exports() == []


# -- download and progress ------------------------------------------------------


def test_the_owner_downloads_the_zip_uncached_as_an_attachment(ready_export, citizen_on_file, verified_client):
    client = verified_client(citizen_on_file)
    response = client.get(f"/requests/exports/{ready_export.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    assert "profile.json" in zipfile.ZipFile(io.BytesIO(body)).namelist()
    ready_export.refresh_from_db()
    assert ready_export.downloaded_at is not None


def test_someone_elses_export_is_not_found(ready_export, verified_client):
    client = verified_client(UserFactory())
    assert client.get(f"/requests/exports/{ready_export.pk}/download/").status_code == 404
    assert client.get(f"/requests/exports/{ready_export.pk}/").status_code == 404
    assert client.get(f"/api/v1/requests/exports/{ready_export.pk}/").status_code == 404
    assert client.get(f"/api/v1/requests/exports/{ready_export.pk}/download/").status_code == 404


def test_staff_cannot_download_a_citizens_export_either(ready_export, staff, verified_client):
    assert verified_client(staff).get(f"/requests/exports/{ready_export.pk}/download/").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(ready_export, client):
    response = client.get(f"/requests/exports/{ready_export.pk}/download/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert client.get(f"/api/v1/requests/exports/{ready_export.pk}/").status_code in (401, 403)


def test_after_expiry_the_link_answers_410_and_the_file_is_gone(ready_export, citizen_on_file, verified_client):
    name = ready_export.file_name
    ExportFile.objects.filter(pk=ready_export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client = verified_client(citizen_on_file)
    response = client.get(f"/requests/exports/{ready_export.pk}/download/")
    assert response.status_code == 410
    assert "This download link has expired and the file has been deleted." in response.content.decode()
    assert not _stored(name)
    ready_export.refresh_from_db()
    assert ready_export.state == ExportFile.State.EXPIRED
    assert ready_export.file_name == ""
    assert client.get(f"/api/v1/requests/exports/{ready_export.pk}/download/").status_code == 410
    assert "expired" in client.get(f"/requests/exports/{ready_export.pk}/").content.decode()


def test_the_beat_task_deletes_expired_files(ready_export, citizen_on_file, staff, django_capture_on_commit_callbacks):
    fresh = _complete(_file_request(citizen_on_file, RequestKind.ACCESS), staff, django_capture_on_commit_callbacks)
    old_name = ready_export.file_name
    ExportFile.objects.filter(pk=ready_export.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert export_services.exports_expire_due() == 1
    assert not _stored(old_name)
    assert _stored(fresh.file_name)
    assert ExportFile.objects.get(pk=ready_export.pk).state == ExportFile.State.EXPIRED
    assert export_services.exports_expire_due() == 0


def test_the_progress_page_shows_state_and_percentage(citizen_on_file, staff, verified_client):
    request = _file_request(citizen_on_file)
    request_services.privacy_request_start_review(request=request, actor=staff)
    request_services.privacy_request_complete(request=request, actor=staff)  # on-commit build not run
    export = ExportFile.objects.get(request=request)
    ExportFile.objects.filter(pk=export.pk).update(state=ExportFile.State.BUILDING, progress=42)
    client = verified_client(citizen_on_file)
    page = client.get(f"/requests/exports/{export.pk}/").content.decode()
    assert "42%" in page
    assert f"/requests/exports/{export.pk}/" in page  # the refresh link
    status = client.get(f"/api/v1/requests/exports/{export.pk}/").json()
    assert status["state"] == "building" and status["progress"] == 42 and status["ready"] is False
    # While it is not ready, the download link leads back to the progress page.
    response = client.get(f"/requests/exports/{export.pk}/download/")
    assert response.status_code == 302 and response["Location"].endswith(f"/requests/exports/{export.pk}/")


def test_the_progress_page_offers_the_download_when_ready(ready_export, citizen_on_file, verified_client):
    page = verified_client(citizen_on_file).get(f"/requests/exports/{ready_export.pk}/").content.decode()
    assert f"/requests/exports/{ready_export.pk}/download/" in page


# -- the daily quota ------------------------------------------------------------


def _close(request, staff):
    request_services.privacy_request_start_review(request=request, actor=staff)
    request_services.privacy_request_complete(request=request, actor=staff)


def test_a_fourth_copy_in_a_day_is_refused_with_when_to_retry(citizen_on_file, staff):
    for kind in (RequestKind.EXPORT, RequestKind.ACCESS, RequestKind.EXPORT):
        export_services.export_quota_check(user=citizen_on_file)
        _close(_file_request(citizen_on_file, kind), staff)
    with pytest.raises(export_services.ExportQuotaExceeded) as refused:
        export_services.export_quota_check(user=citizen_on_file)
    assert 23 * 3600 < refused.value.retry_after_seconds <= 24 * 3600
    assert "3" in refused.value.message and "24 hours" in refused.value.message
    # Other people and other kinds are not affected.
    export_services.export_quota_check(user=UserFactory())
    # A day later the oldest has left the window.
    export_services.export_quota_check(user=citizen_on_file, now=timezone.now() + timedelta(days=1, minutes=1))


class _CreateExport(APIView):
    def post(self, request):
        export_api.raise_for_export_quota(user=request.user)
        return None


def test_the_api_answers_429_with_retry_after(citizen_on_file, staff):
    for _ in range(3):
        _close(_file_request(citizen_on_file), staff)
    request = APIRequestFactory().post("/api/v1/requests/", {"kind": "export"}, format="json")
    force_authenticate(request, user=citizen_on_file)
    response = _CreateExport.as_view()(request)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 24 * 3600
    assert "copies of your data a day" in str(response.data["detail"])


# -- erasure through the registry -----------------------------------------------


def test_erasure_deletes_or_anonymises_each_category_and_keeps_the_ledger(citizen_on_file, monkeypatch):
    _seed(citizen_on_file)
    results = personal_data_erase(user=citizen_on_file, categories=["sign_in_activity", "locations", "consent_ledger"])
    assert results == {"sign_in_activity": "deleted", "locations": "deleted", "consent_ledger": "anonymised"}
    assert not LoginActivity.objects.filter(user=citizen_on_file).exists()
    assert not LocationRecord.objects.filter(user=citizen_on_file).exists()
    from consents.models import ConsentEvent

    assert ConsentEvent.objects.filter(subject__isnull=True).count() == 4


def test_erasure_keeps_a_held_category(citizen_on_file, monkeypatch):
    _seed(citizen_on_file)
    held = {"locations"}
    monkeypatch.setattr("personal_data.holds.is_held", lambda *, user, category: category in held)
    monkeypatch.setattr("consents.personal_data.is_held", lambda *, user, category: category in held)
    monkeypatch.setattr("privacy_requests.erasure.is_held", lambda *, user, category: category in held)
    results = personal_data_erase(user=citizen_on_file)
    assert results["locations"] == "kept"
    assert LocationRecord.objects.filter(user=citizen_on_file).count() == 3
    assert results["profile"] == "anonymised"
    assert results["sign_in_activity"] == "deleted"
    citizen_on_file.refresh_from_db()
    assert citizen_on_file.email == "" and not citizen_on_file.is_active and citizen_on_file.phone == ""
    assert not IdentityProfile.objects.filter(user=citizen_on_file).exists()
    assert set(results) == {category.code for category in personal_data_categories()}


def test_the_beat_scan_rebuilds_an_export_whose_task_was_lost(citizen_on_file, staff):
    request = _file_request(citizen_on_file)
    request_services.privacy_request_start_review(request=request, actor=staff)
    request_services.privacy_request_complete(request=request, actor=staff)  # on-commit dispatch never ran
    export = ExportFile.objects.get(request=request)
    assert export.state == ExportFile.State.QUEUED
    assert export_services.exports_requeue_stale() == 0  # too fresh: its task may still be on its way
    later = timezone.now() + export_services.EXPORT_STALE_AFTER + timedelta(minutes=1)
    assert export_services.exports_requeue_stale(now=later) == 1  # eager in tests: built at once
    export.refresh_from_db()
    assert export.state == ExportFile.State.READY
    assert export_services.exports_requeue_stale(now=later) == 0


def test_each_eraser_asks_about_holds_itself(citizen_on_file, monkeypatch):
    _seed(citizen_on_file)
    monkeypatch.setattr("accounts.personal_data.is_held", lambda *, user, category: category == "sign_in_activity")
    entry = {c.code: c for c in personal_data_categories()}["sign_in_activity"]
    assert entry.eraser(citizen_on_file) == "kept"
    assert LoginActivity.objects.filter(user=citizen_on_file).count() == 5


def test_erasing_export_files_deletes_the_zip_after_commit(
    ready_export, citizen_on_file, django_capture_on_commit_callbacks
):
    name = ready_export.file_name
    with django_capture_on_commit_callbacks(execute=True):
        assert personal_data_erase(user=citizen_on_file, categories=["export_files"]) == {"export_files": "deleted"}
    assert not _stored(name)
    assert not ExportFile.objects.filter(pk=ready_export.pk).exists()
