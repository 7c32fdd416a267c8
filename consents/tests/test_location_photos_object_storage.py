"""Profile photos (an upload) in an S3-compatible object store (moto's server): stored, shown, deleted."""

from io import BytesIO

import pytest
from PIL import ExifTags, Image

from consents.location import services
from consents.location.selectors import profile_photo_current
from consents.tests.test_location_photos import jpeg_with_gps, upload
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_uploaded_photo_lands_in_the_bucket_without_its_location_and_only_its_owner_sees_it(
    s3_storage, verified_client
):
    person = UserFactory()
    saved = services.profile_photo_save(user=person, uploaded_file=upload(jpeg_with_gps()))

    assert s3_storage.keys() == [saved.name]
    assert saved.name.startswith(f"profile-photos/{person.pk}/")
    assert s3_storage.head(saved.name)["ServerSideEncryption"] == "AES256"
    assert profile_photo_current(user=person) == saved.name

    response = verified_client(person).get("/privacy/location/photo/image/")
    assert response.status_code == 200
    image = Image.open(BytesIO(b"".join(response.streaming_content)))
    assert ExifTags.IFD.GPSInfo not in image.getexif()
    assert verified_client(UserFactory()).get("/privacy/location/photo/image/").status_code == 404


def test_a_new_photo_replaces_the_old_object_and_deleting_removes_it(s3_storage):
    person = UserFactory()
    first = services.profile_photo_save(user=person, uploaded_file=upload(jpeg_with_gps()))
    second = services.profile_photo_save(user=person, uploaded_file=upload(jpeg_with_gps()))
    assert s3_storage.keys() == [second.name] != [first.name]

    assert services.profile_photo_delete(user=person) is True
    assert s3_storage.keys() == []
    assert profile_photo_current(user=person) is None
