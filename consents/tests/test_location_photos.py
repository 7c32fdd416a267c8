"""Photos lose their EXIF GPS tags before they are stored; the position is kept only while sharing is on."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import ExifTags, Image

from consents.location import services
from consents.location.selectors import location_coordinates, profile_photo_current, profile_photo_names
from consents.models import ConsentChannel, LocationRecord
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
PHOTO = "/privacy/location/photo/"
GPS = ExifTags.IFD.GPSInfo  # 0x8825
ORIENTATION = ExifTags.Base.Orientation


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def jpeg_with_gps(*, latitude=(39, 54, 15.12), lat_ref="N", longitude=(116, 23, 26.64), lon_ref="E") -> bytes:
    """A real JPEG as a phone writes it: orientation, camera details and a GPS block."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 12"
    gps = exif.get_ifd(GPS)
    gps[ExifTags.GPS.GPSLatitudeRef] = lat_ref
    gps[ExifTags.GPS.GPSLatitude] = latitude
    gps[ExifTags.GPS.GPSLongitudeRef] = lon_ref
    gps[ExifTags.GPS.GPSLongitude] = longitude
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    out = BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"taken at home")
    return out.getvalue()


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_the_test_photo_really_carries_gps_tags():
    exif = Image.open(BytesIO(jpeg_with_gps())).getexif()
    assert GPS in exif
    assert exif.get_ifd(GPS)[ExifTags.GPS.GPSLatitudeRef] == "N"


def test_stripping_removes_the_gps_block_and_keeps_orientation():
    stripped = services.photo_strip_location(uploaded_file=upload(jpeg_with_gps()))
    image = Image.open(BytesIO(stripped))
    assert image.format == "JPEG" and image.size == (64, 48)
    exif = image.getexif()
    assert GPS not in exif
    assert exif.get_ifd(GPS) == {}
    assert exif[ORIENTATION] == 6
    # The rest of the camera's details and the comment go too.
    assert ExifTags.Base.Make not in exif and ExifTags.Base.Model not in exif
    assert "comment" not in image.info
    assert b"PhoneMaker" not in stripped and b"taken at home" not in stripped


def test_a_png_with_transparency_becomes_a_plain_jpeg():
    out = BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(out, "PNG")
    stripped = services.photo_strip_location(uploaded_file=upload(out.getvalue(), "a.png", "image/png"))
    image = Image.open(BytesIO(stripped))
    assert image.format == "JPEG" and image.mode == "RGB" and image.getpixel((0, 0)) == (255, 255, 255)


def test_the_gps_position_is_read_in_decimal_degrees():
    image = Image.open(BytesIO(jpeg_with_gps(lat_ref="S", lon_ref="W")))
    latitude, longitude = services.photo_gps_position(image)
    assert latitude == Decimal("-39.904200") and longitude == Decimal("-116.390733")


@pytest.mark.parametrize(
    ("data", "message", "message_zh"),
    [
        (b"", "The file is empty", "文件为空"),
        (b"%PDF-1.4 not a photo at all", "This file is not a photo", "此文件不是照片"),
        (b"GIF89a" + b"\x00" * 100, "This file is not a photo", "此文件不是照片"),
        (jpeg_with_gps()[:200], "damaged", "已损坏"),
    ],
)
def test_files_that_are_not_photos_are_refused_clearly(data, message, message_zh):
    with translation.override("en"), pytest.raises(services.PhotoRejected) as refused:
        services.photo_strip_location(uploaded_file=upload(data))
    assert message in refused.value.message and refused.value.field == "photo"
    with translation.override("zh-hans"), pytest.raises(services.PhotoRejected) as refused:
        services.photo_strip_location(uploaded_file=upload(data))
    assert message_zh in refused.value.message


def test_a_file_over_5_mb_is_refused():
    big = upload(jpeg_with_gps() + b"\x00" * (5 * 1024 * 1024))
    with translation.override("en"), pytest.raises(services.PhotoRejected) as refused:
        services.photo_strip_location(uploaded_file=big)
    assert "larger than 5 MB" in refused.value.message


def test_a_decompression_bomb_is_refused_before_decoding():
    out = BytesIO()
    Image.new("1", (8000, 8000)).save(out, "PNG")  # 64 million pixels in a few kilobytes
    assert len(out.getvalue()) < 5 * 1024 * 1024
    with translation.override("en"), pytest.raises(services.PhotoRejected) as refused:
        services.photo_strip_location(uploaded_file=upload(out.getvalue(), "bomb.png", "image/png"))
    assert "too many pixels" in refused.value.message


def test_while_off_the_photo_is_stored_stripped_and_no_location_kept(citizen):
    saved = services.profile_photo_save(user=citizen, uploaded_file=upload(jpeg_with_gps()))
    assert saved.had_location and saved.recorded is None
    assert not LocationRecord.objects.exists()
    with open(citizen_photo_path(citizen), "rb") as stored:
        assert GPS not in Image.open(stored).getexif()


def test_while_on_the_position_is_recorded_and_the_stored_photo_is_still_stripped(citizen):
    services.location_sharing_turn_on(subject=citizen, actor=citizen, channel=ConsentChannel.WEB)
    saved = services.profile_photo_save(user=citizen, uploaded_file=upload(jpeg_with_gps()))
    record = saved.recorded
    assert record.source == LocationRecord.Source.PHOTO
    assert location_coordinates(record) == (Decimal("39.904200"), Decimal("116.390733"))
    with open(citizen_photo_path(citizen), "rb") as stored:
        assert GPS not in Image.open(stored).getexif()


def test_a_new_photo_replaces_the_old_one(citizen):
    services.profile_photo_save(user=citizen, uploaded_file=upload(jpeg_with_gps()))
    first = profile_photo_current(user=citizen)
    services.profile_photo_save(user=citizen, uploaded_file=upload(jpeg_with_gps()))
    assert profile_photo_names(user=citizen) == [profile_photo_current(user=citizen)] != [first]


def test_a_refused_file_stores_nothing(citizen):
    services.location_sharing_turn_on(subject=citizen, actor=citizen, channel=ConsentChannel.WEB)
    with pytest.raises(services.PhotoRejected):
        services.profile_photo_save(user=citizen, uploaded_file=upload(b"not an image"))
    assert profile_photo_current(user=citizen) is None and not LocationRecord.objects.exists()


def test_when_the_file_cannot_be_written_the_location_is_not_kept_either(citizen, monkeypatch):
    services.location_sharing_turn_on(subject=citizen, actor=citizen, channel=ConsentChannel.WEB)

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(default_storage, "save", fail)
    with pytest.raises(OSError):
        services.profile_photo_save(user=citizen, uploaded_file=upload(jpeg_with_gps()))
    assert not LocationRecord.objects.exists()


def citizen_photo_path(user):
    return default_storage.path(profile_photo_current(user=user))


# -- The page -----------------------------------------------------------------------------------------


def test_the_upload_page_strips_and_says_what_happened(client, citizen):
    client.force_login(citizen)
    response = client.post(PHOTO, {"photo": upload(jpeg_with_gps())}, **EN)
    assert response.status_code == 302
    page = client.get(PHOTO, **EN).content.decode()
    assert "It carried a location, which was removed and not kept" in page
    image = client.get("/privacy/location/photo/image/")
    assert image["Content-Type"] == "image/jpeg"
    assert GPS not in Image.open(BytesIO(b"".join(image.streaming_content))).getexif()


def test_the_upload_page_explains_a_refused_file(client, citizen):
    client.force_login(citizen)
    response = client.post(PHOTO, {"photo": upload(b"hello", "notes.txt", "text/plain")}, **EN)
    assert response.status_code == 400
    assert "This file is not a photo" in response.content.decode()
    response = client.post(PHOTO, {}, **EN)
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    assert profile_photo_current(user=citizen) is None


def test_a_huge_upload_is_refused_before_it_is_read(client, citizen):
    client.force_login(citizen)
    huge = upload(b"\xff\xd8" + b"\x00" * (6 * 1024 * 1024))
    response = client.post(PHOTO, {"photo": huge}, **EN)
    assert response.status_code == 400
    assert "larger than 5 MB" in response.content.decode()
    assert profile_photo_current(user=citizen) is None


def test_only_the_owner_sees_their_photo_and_can_delete_it(client, citizen):
    services.profile_photo_save(user=citizen, uploaded_file=upload(jpeg_with_gps()))
    other = UserFactory()
    client.force_login(other)
    assert client.get("/privacy/location/photo/image/").status_code == 404
    client.post("/privacy/location/photo/delete/")
    assert profile_photo_current(user=citizen) is not None
    client.force_login(citizen)
    client.post("/privacy/location/photo/delete/")
    assert profile_photo_current(user=citizen) is None


def test_the_photo_pages_need_sign_in(client):
    assert client.get("/privacy/location/photo/image/")["Location"].startswith("/accounts/login/")
    assert client.post(PHOTO, {"photo": upload(jpeg_with_gps())})["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "latitude",
    [
        ((0, 0), (0, 0), (0, 0)),  # 0/0 rationals, as a broken camera writes them
        ((1, 0), (0, 1), (0, 1)),  # a zero denominator
    ],
)
def test_a_photo_whose_gps_tags_cannot_be_read_is_stored_stripped(client, citizen, latitude):
    from PIL.TiffImagePlugin import IFDRational

    rationals = tuple(IFDRational(numerator, denominator) for numerator, denominator in latitude)
    # Sharing is on, so a readable position would be recorded: this one is not.
    services.location_sharing_turn_on(subject=citizen, actor=citizen, channel=ConsentChannel.WEB)
    client.force_login(citizen)
    response = client.post(PHOTO, {"photo": upload(jpeg_with_gps(latitude=rationals))}, **EN)
    assert response.status_code == 302
    with open(citizen_photo_path(citizen), "rb") as stored:
        assert GPS not in Image.open(stored).getexif()
    assert not LocationRecord.objects.filter(user=citizen).exists()
