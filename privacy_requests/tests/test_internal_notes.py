"""Internal notes on a request: staff only, audited, never in front of the citizen (page, API, export)."""

import io
import zipfile

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from privacy_requests import services
from privacy_requests.exports import services as export_services
from privacy_requests.models import ExportFile, RequestKind, RequestNote
from privacy_requests.notes.services import NoteRefused, privacy_request_note_add
from privacy_requests.personal_data import erase_privacy_requests
from tests.factories import StaffFactory, step_up_passed

pytestmark = pytest.mark.django_db

NOTE = "Caller sounded unsure; double-check the address with team B before answering."


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _file(citizen, kind=RequestKind.EXPORT):
    return services.privacy_request_create(
        requester=citizen, kind=kind, details={}, identity_check=step_up_passed(citizen)
    )


def _note_url(request):
    return reverse("admin:privacy_requests_privacyrequest_note_add", args=[request.pk])


def _change_url(request):
    return reverse("admin:privacy_requests_privacyrequest_change", args=[request.pk])


def test_staff_add_a_note_from_the_request_page_and_it_is_audited(verified_client, officer, citizen):
    request = _file(citizen)
    client = verified_client(officer)
    page = client.get(_change_url(request)).content.decode()
    assert f'action="{_note_url(request)}"' in page

    response = client.post(_note_url(request), {"note-body": f"  {NOTE}  "}, follow=True)

    html = response.content.decode()
    assert "Note added. Only staff can read it." in html
    assert NOTE in html and "officer_a" in html
    note = RequestNote.objects.get(request=request)
    assert (note.body, note.author) == (NOTE, officer)
    event = AuditEvent.objects.get(action="privacy_request.note_add")
    assert event.actor == officer
    assert event.details["note"] == note.pk
    assert NOTE not in str(event.details)


def test_a_number_in_a_note_shows_masked_to_staff(verified_client, officer, citizen):
    request = _file(citizen)
    privacy_request_note_add(request=request, author=officer, body="Called back on 13800138000.")

    page = verified_client(officer).get(_change_url(request)).content.decode()

    assert "13800138000" not in page
    assert "Called back on" in page


@pytest.mark.parametrize("body", ["", "   "])
def test_an_empty_note_is_a_form_error_and_nothing_is_saved(verified_client, officer, citizen, body):
    request = _file(citizen)

    response = verified_client(officer).post(_note_url(request), {"note-body": body})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not RequestNote.objects.exists()
    assert not AuditEvent.objects.filter(action="privacy_request.note_add").exists()


def test_the_service_refuses_an_empty_note_and_non_staff(officer, citizen):
    request = _file(citizen)
    with pytest.raises(NoteRefused):
        privacy_request_note_add(request=request, author=officer, body=" \n ")
    with pytest.raises(NoteRefused):
        privacy_request_note_add(request=request, author=citizen, body=NOTE)
    assert not RequestNote.objects.exists()


def test_an_auditor_reads_notes_but_cannot_add_one(verified_client, officer, auditor, citizen):
    request = _file(citizen)
    privacy_request_note_add(request=request, author=officer, body=NOTE)
    client = verified_client(auditor)

    page = client.get(_change_url(request)).content.decode()
    assert NOTE in page
    assert f'action="{_note_url(request)}"' not in page
    assert client.post(_note_url(request), {"note-body": "Mine too."}).status_code == 403
    assert RequestNote.objects.count() == 1


def test_staff_who_may_not_see_the_request_cannot_note_on_it(verified_client, citizen):
    request = _file(citizen)
    no_role = StaffFactory(username="no_role")  # staff, signed in to admin, no permission on requests

    response = verified_client(no_role).post(_note_url(request), {"note-body": NOTE})

    assert response.status_code == 403
    assert not RequestNote.objects.exists()


def test_a_note_on_an_unknown_request_is_404(verified_client, officer):
    response = verified_client(officer).post(
        reverse("admin:privacy_requests_privacyrequest_note_add", args=[999999]), {"note-body": NOTE}
    )
    assert response.status_code == 404


def test_the_citizen_never_sees_a_note_on_the_page_or_the_api(verified_client, officer, citizen, api):
    request = _file(citizen)
    privacy_request_note_add(request=request, author=officer, body=NOTE)

    page = verified_client(citizen).get(reverse("privacy_requests:detail", args=[request.pk]))
    assert page.status_code == 200
    assert request.reference in page.content.decode()
    assert "double-check the address" not in page.content.decode()

    detail = api.get(f"/api/v1/requests/{request.pk}/")
    assert detail.status_code == 200 and detail.json()["reference"] == request.reference
    assert "double-check the address" not in detail.content.decode()
    assert "double-check the address" not in api.get("/api/v1/requests/").content.decode()


def test_the_citizens_export_holds_no_note(officer, citizen, django_capture_on_commit_callbacks):
    request = _file(citizen)
    privacy_request_note_add(request=request, author=officer, body=NOTE)

    with django_capture_on_commit_callbacks(execute=True):
        services.privacy_request_start_review(request=request, actor=officer)
        services.privacy_request_complete(request=request, actor=officer, answer="Here is your data.")

    export = ExportFile.objects.get(request=request)
    with export_services.export_storage().open(export.file_name, "rb") as stored:
        archive = zipfile.ZipFile(io.BytesIO(stored.read()))
    contents = {name: archive.read(name).decode("utf-8", "replace") for name in archive.namelist()}
    assert any(request.reference in text for text in contents.values())
    assert not [name for name, text in contents.items() if "double-check the address" in text]


def test_notes_go_when_the_persons_closed_requests_are_erased(officer, citizen):
    request = _file(citizen, kind=RequestKind.COMPLAINT)
    privacy_request_note_add(request=request, author=officer, body=NOTE)
    services.privacy_request_complete(request=request, actor=officer, answer="Answered.")

    assert erase_privacy_requests(citizen) == "anonymised"

    assert not RequestNote.objects.exists()
