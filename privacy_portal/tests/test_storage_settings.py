"""settings/storage.py: uploads and exports on the disk by default, in a private S3-compatible store on request."""

import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import override_settings

from core.checks import check_file_storage
from privacy_portal.settings.storage import file_storage
from tests.object_storage import s3_environment

S3_VARIABLES = (
    "STORAGE_BACKEND",
    "STORAGE_S3_BUCKET",
    "STORAGE_S3_ENDPOINT_URL",
    "STORAGE_S3_REGION",
    "STORAGE_S3_ACCESS_KEY_ID",
    "STORAGE_S3_SECRET_ACCESS_KEY",
    "STORAGE_S3_ADDRESSING_STYLE",
    "STORAGE_S3_PREFIX",
    "STORAGE_S3_ENCRYPTION",
)


@pytest.fixture
def environment(monkeypatch):
    """A clean slate of the storage variables; returns a setter."""
    for name in S3_VARIABLES:
        monkeypatch.delenv(name, raising=False)

    def set_variables(**variables):
        for name, value in variables.items():
            monkeypatch.setenv(name, value)

    return set_variables


def test_the_default_is_the_disk_under_media_root(environment):
    assert file_storage() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    environment(STORAGE_BACKEND="filesystem")
    assert file_storage() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


@pytest.mark.parametrize(
    "variables",
    [
        {"STORAGE_BACKEND": "azure"},
        {"STORAGE_BACKEND": "s3"},  # no bucket
        {"STORAGE_BACKEND": "s3", "STORAGE_S3_BUCKET": "portal", "STORAGE_S3_ADDRESSING_STYLE": "sideways"},
    ],
)
def test_an_incomplete_or_unknown_configuration_stops_the_settings(environment, variables):
    environment(**variables)
    with pytest.raises(ImproperlyConfigured):
        file_storage()


def test_the_object_store_is_private_encrypted_and_signs_only_short_lived_urls(environment):
    environment(
        STORAGE_BACKEND="S3",
        STORAGE_S3_BUCKET="portal-files",
        STORAGE_S3_ENDPOINT_URL="https://oss-cn-shenzhen.aliyuncs.com",
        STORAGE_S3_REGION="cn-shenzhen",
        STORAGE_S3_ADDRESSING_STYLE="virtual",
        STORAGE_S3_PREFIX="/portal/",
    )
    entry = file_storage()
    options = entry["OPTIONS"]
    assert entry["BACKEND"] == "storages.backends.s3.S3Storage"
    assert options["bucket_name"] == "portal-files"
    assert options["endpoint_url"] == "https://oss-cn-shenzhen.aliyuncs.com"
    assert options["region_name"] == "cn-shenzhen"
    assert options["addressing_style"] == "virtual"
    assert options["location"] == "portal"
    assert options["default_acl"] == "private"
    assert options["object_parameters"] == {"ServerSideEncryption": "AES256"}
    assert options["querystring_auth"] is True and options["custom_domain"] is None
    assert 0 < options["querystring_expire"] <= 300 and options["signature_version"] == "s3v4"
    # Unset keys stay None, so boto3 looks for credentials itself (an instance role, say).
    assert options["access_key"] is None and options["secret_key"] is None


def test_the_encryption_header_can_be_left_off_for_stores_that_refuse_it(environment):
    environment(STORAGE_BACKEND="s3", STORAGE_S3_BUCKET="portal", STORAGE_S3_ENCRYPTION="")
    assert file_storage()["OPTIONS"]["object_parameters"] == {}


def test_a_signed_url_of_the_configured_store_works_and_expires_within_five_minutes(s3_storage):
    name = storages["exports"].save("exports/signed.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18))
    url = storages["exports"].url(name)
    query = parse_qs(urlsplit(url).query)
    assert int(query["X-Amz-Expires"][0]) <= 300
    assert url.startswith(s3_storage.endpoint_url)
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - the local test server
        assert response.read().startswith(b"PK")


@pytest.mark.parametrize(("allowlist", "problems"), [([], ["privacy_portal.E003"]), (["CN-GD=127.0.0.1"], [])])
def test_the_configured_store_passes_the_residency_check_only_when_its_endpoint_is_allowed(
    environment, s3_server, allowlist, problems
):
    environment(**s3_environment(endpoint_url=s3_server, bucket="portal", prefix=""))
    entry = file_storage()
    with override_settings(
        STORAGES={"default": entry, "exports": entry},
        DATA_RESIDENCY={"database": "CN-GD", "files": "CN-GD"},
        STORAGE_ENDPOINT_ALLOWLIST=allowlist,
    ):
        assert [problem.id for problem in check_file_storage()] == problems * 2
