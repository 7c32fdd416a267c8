"""Exports in an S3-compatible object store (moto's server, a real S3 API): built, downloaded, expired.

With several hosts the ZIP lives in the shared store, so whichever host a
download or an expiry lands on finds it. What the bucket holds is read back
with a plain boto3 client, not through the portal.
"""

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import storages
from django.utils import timezone

from accounts.models import IdentityProfile
from privacy_requests import services as request_services
from privacy_requests.exports import services as export_services
from privacy_requests.models import ExportFile, RequestKind
from tests.factories import CitizenFactory, UserFactory, step_up_passed

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"


@pytest.fixture
def citizen(db):
    user = CitizenFactory(phone="13800138000")
    IdentityProfile.objects.create(user=user, legal_name="张三", id_number=ID_NUMBER, verification_level=2)
    return user


def _export_for(user, staff, django_capture_on_commit_callbacks, kind=RequestKind.EXPORT) -> ExportFile:
    request = request_services.privacy_request_create(
        requester=user, kind=kind, details={}, identity_check=step_up_passed(user)
    )
    with django_capture_on_commit_callbacks(execute=True):
        request_services.privacy_request_start_review(request=request, actor=staff)
        request_services.privacy_request_complete(request=request, actor=staff, answer="Here is your data.")
    return ExportFile.objects.get(request=request)


@pytest.fixture
def stored_export(s3_storage, citizen, staff, django_capture_on_commit_callbacks) -> ExportFile:
    return _export_for(citizen, staff, django_capture_on_commit_callbacks)


def test_the_built_export_is_stored_in_the_bucket_private_and_encrypted(stored_export, s3_storage):
    assert stored_export.state == ExportFile.State.READY
    assert s3_storage.keys() == [stored_export.file_name]
    head = s3_storage.head(stored_export.file_name)
    assert head["ContentLength"] == stored_export.size_bytes
    assert head["ContentType"] == "application/zip"
    assert head["ServerSideEncryption"] == "AES256"
    # Private: the owner of the bucket alone, no grant to everyone or to any signed-in AWS user.
    grants = s3_storage.acl_grants(stored_export.file_name)
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
    assert all("URI" not in grant["Grantee"] for grant in grants)


def test_the_owner_downloads_the_zip_from_the_bucket_through_the_portal(stored_export, citizen, verified_client):
    client = verified_client(citizen)
    for url in (
        f"/requests/exports/{stored_export.pk}/download/",
        f"/api/v1/requests/exports/{stored_export.pk}/download/",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/zip"
        assert "no-store" in response["Cache-Control"]
        body = b"".join(response.streaming_content)
        archive = zipfile.ZipFile(io.BytesIO(body))
        assert "profile.json" in archive.namelist()
        assert ID_NUMBER in archive.read("profile.json").decode()
    # Streamed through the portal, never a redirect to the store.
    assert "Location" not in response


def test_another_person_and_staff_are_refused_the_stored_export(stored_export, staff, verified_client, s3_storage):
    for other in (UserFactory(), staff):
        client = verified_client(other)
        assert client.get(f"/requests/exports/{stored_export.pk}/download/").status_code == 404
        assert client.get(f"/api/v1/requests/exports/{stored_export.pk}/download/").status_code == 404
    stored_export.refresh_from_db()
    assert stored_export.downloaded_at is None
    assert s3_storage.keys() == [stored_export.file_name]


def test_the_expiry_task_deletes_the_object_from_the_bucket(
    stored_export, s3_storage, citizen, staff, django_capture_on_commit_callbacks
):
    fresh = _export_for(citizen, staff, django_capture_on_commit_callbacks, kind=RequestKind.ACCESS)
    assert s3_storage.keys() == sorted([stored_export.file_name, fresh.file_name])
    ExportFile.objects.filter(pk=stored_export.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    assert export_services.exports_expire_due() == 1

    assert s3_storage.keys() == [fresh.file_name]
    assert ExportFile.objects.get(pk=stored_export.pk).state == ExportFile.State.EXPIRED


def test_an_expired_link_deletes_the_object_and_answers_410(stored_export, s3_storage, citizen, verified_client):
    ExportFile.objects.filter(pk=stored_export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = verified_client(citizen).get(f"/requests/exports/{stored_export.pk}/download/")
    assert response.status_code == 410
    assert s3_storage.keys() == []


def test_an_object_missing_from_the_bucket_is_logged_and_the_export_still_expires(
    stored_export, s3_storage, citizen, verified_client, caplog
):
    storages["exports"].delete(stored_export.file_name)
    assert s3_storage.keys() == []
    # Until it expires, the owner is told it is not there rather than shown an error page.
    assert verified_client(citizen).get(f"/requests/exports/{stored_export.pk}/download/").status_code == 404

    ExportFile.objects.filter(pk=stored_export.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    with caplog.at_level("WARNING", logger="core.files"):
        assert export_services.exports_expire_due() == 1

    assert ExportFile.objects.get(pk=stored_export.pk).state == ExportFile.State.EXPIRED
    [record] = caplog.records
    assert record.getMessage() == f"stored file already gone: storage=exports name={stored_export.file_name}"
    assert ID_NUMBER not in caplog.text and citizen.email not in caplog.text


def test_a_rebuild_replaces_the_object_left_by_a_killed_worker(stored_export, s3_storage):
    old = stored_export.file_name
    ExportFile.objects.filter(pk=stored_export.pk).update(state=ExportFile.State.BUILDING, progress=40)

    assert export_services.export_build_run(export_id=stored_export.pk) is True

    stored_export.refresh_from_db()
    assert stored_export.file_name != old
    assert s3_storage.keys() == [stored_export.file_name]
