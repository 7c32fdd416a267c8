"""The clause 6.1 system checks: the deployment declares mainland China, and keeps files on its own storage."""

import pytest
from django.core import checks
from django.core.files.storage import FileSystemStorage, Storage
from django.test import override_settings

from core.checks import TAG, check_data_residency, check_file_storage


class LocalDiskStorage(FileSystemStorage):
    """A project's own tweak of the file system storage: still the portal's disk."""


class SomeRemoteStorage(Storage):
    """A storage the check cannot place."""


def _residency(database, files):
    return override_settings(DATA_RESIDENCY={"database": database, "files": files})


def _ids(problems) -> list[str]:
    return [problem.id for problem in problems]


def test_no_declaration_at_all_is_an_error_naming_both_places(settings):
    del settings.DATA_RESIDENCY

    problems = check_data_residency()

    assert _ids(problems) == ["privacy_portal.E001", "privacy_portal.E001"]
    assert all(problem.level == checks.ERROR for problem in problems)
    assert "DATA_RESIDENCY['database'] is missing or empty" in problems[0].msg
    assert "DATA_RESIDENCY['files'] is missing or empty" in problems[1].msg
    assert "DATA_RESIDENCY_DATABASE" in problems[0].hint and "cn-mainland" in problems[0].hint


@pytest.mark.parametrize("files", ["", "   ", None])
def test_an_empty_files_declaration_is_an_error(files):
    with _residency("cn-mainland", files):
        problems = check_data_residency()

    assert _ids(problems) == ["privacy_portal.E001"]
    assert "'files'" in problems[0].msg


@pytest.mark.parametrize(
    "place",
    [
        "CN-HK",  # Hong Kong, as ISO 3166-2:CN writes it
        "cn-hongkong",  # a cloud vendor's Hong Kong region: "cn-" does not make it the mainland
        "HK",
        "CN-MO",
        "CN-TW",
        "ap-east-1",
        "us-east-1",
        "eu-frankfurt",
        "cn",  # not a declaration of the mainland
        "cn-mainland-hk",
    ],
)
def test_hong_kong_and_overseas_places_are_errors(place):
    with _residency(place, "cn-mainland"):
        problems = check_data_residency()

    assert _ids(problems) == ["privacy_portal.E002"]
    assert problems[0].level == checks.ERROR
    assert f"DATA_RESIDENCY['database'] is {place!r}" in problems[0].msg
    assert "mainland China" in problems[0].msg


@pytest.mark.parametrize(
    ("database", "files"), [("cn-mainland", "cn-mainland"), ("CN-GD", "cn-gd"), ("CN-BJ", "CN-SH")]
)
def test_mainland_declarations_pass(database, files):
    with _residency(database, files):
        assert check_data_residency() == []


def test_the_checks_are_registered_and_run_with_manage_py_check():
    with _residency("CN-HK", ""):
        problems = checks.run_checks(tags=[TAG])

    assert sorted(_ids(problems)) == ["privacy_portal.E001", "privacy_portal.E002"]


def _storage(backend: str, *, alias: str = "default", **options):
    storage = {"BACKEND": backend, "OPTIONS": options} if options else {"BACKEND": backend}
    return override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            alias: storage,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    )


S3 = "storages.backends.s3.S3Storage"


@pytest.mark.parametrize(
    "backend",
    [
        "storages.backends.azure_storage.AzureStorage",
        "storages.backends.gcloud.GoogleCloudStorage",
        "storages.backends.dropbox.DropboxStorage",
    ],
)
@pytest.mark.parametrize("alias", ["default", "exports"])
def test_a_third_party_file_storage_is_an_error(backend, alias):
    with _storage(backend, alias=alias):
        problems = check_file_storage()

    assert _ids(problems) == ["privacy_portal.E003"]
    assert backend in problems[0].msg and "third party" in problems[0].msg and f"'{alias}'" in problems[0].msg


def test_static_files_are_not_personal_data_and_not_checked():
    with override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "storages.backends.gcloud.GoogleCloudStorage"},
        }
    ):
        assert check_file_storage() == []


def test_a_storage_the_check_cannot_place_is_a_warning():
    with _storage(f"{__name__}.SomeRemoteStorage"):
        problems = check_file_storage()

    assert _ids(problems) == ["privacy_portal.W001"]
    assert problems[0].level == checks.WARNING


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.files.storage.FileSystemStorage",
        "django.core.files.storage.InMemoryStorage",
        f"{__name__}.LocalDiskStorage",
    ],
)
def test_the_portals_own_disk_passes(backend):
    with _storage(backend):
        assert check_file_storage() == []


# -- S3-compatible object stores: the endpoint must be allowed for DATA_RESIDENCY_FILES ----------------


@pytest.mark.parametrize("alias", ["default", "exports"])
def test_s3_without_an_endpoint_is_aws_global_and_an_error(alias, settings):
    settings.AWS_S3_ENDPOINT_URL = None
    with _residency("CN-GD", "CN-GD"), _storage(S3, alias=alias, bucket_name="portal"):
        problems = check_file_storage()

    assert _ids(problems) == ["privacy_portal.E003"]
    assert "no endpoint" in problems[0].msg and "outside mainland China" in problems[0].msg
    assert "STORAGE_ENDPOINT_ALLOWLIST" in problems[0].hint


@pytest.mark.parametrize(
    ("declared", "endpoint"),
    [
        ("CN-GD", "https://oss-cn-shenzhen.aliyuncs.com"),
        ("cn-gd", "https://OSS-CN-GUANGZHOU-INTERNAL.aliyuncs.com/"),
        ("CN-BJ", "https://cos.ap-beijing.myqcloud.com"),
        ("CN-NX", "https://s3.cn-northwest-1.amazonaws.com.cn:443"),
        ("cn-mainland", "https://obs.cn-east-3.myhuaweicloud.com"),  # any mainland province will do
    ],
)
def test_a_known_mainland_endpoint_for_the_declared_place_passes(declared, endpoint):
    with (
        _residency("cn-mainland", declared),
        _storage(S3, endpoint_url=endpoint),
        override_settings(STORAGE_ENDPOINT_ALLOWLIST=[]),
    ):
        assert check_file_storage() == []


@pytest.mark.parametrize(
    ("declared", "endpoint"),
    [
        ("CN-GD", "https://oss-cn-beijing.aliyuncs.com"),  # mainland, but not where the files are declared
        ("CN-BJ", "https://cos.ap-guangzhou.myqcloud.com"),
        ("CN-GD", "https://oss-cn-hongkong.aliyuncs.com"),  # Hong Kong
        ("cn-mainland", "https://cos.ap-hongkong.myqcloud.com"),
        ("cn-mainland", "https://s3.ap-east-1.amazonaws.com"),
        ("cn-mainland", "https://s3.amazonaws.com"),
        ("CN-GD", "https://objects.gd.example.cn"),  # not on any list
        ("CN-GD", "http://127.0.0.1:9000"),
    ],
)
def test_an_endpoint_not_on_the_list_for_the_declared_place_is_an_error(declared, endpoint):
    with (
        _residency("cn-mainland", declared),
        _storage(S3, alias="exports", endpoint_url=endpoint),
        override_settings(STORAGE_ENDPOINT_ALLOWLIST=[]),
    ):
        problems = check_file_storage()

    assert _ids(problems) == ["privacy_portal.E003"]
    assert "'exports'" in problems[0].msg and f"DATA_RESIDENCY_FILES={declared!r}" in problems[0].msg


@pytest.mark.parametrize(
    ("declared", "allowlist", "endpoint"),
    [
        ("CN-GD", ["CN-GD=objects.gd.example.cn"], "https://objects.gd.example.cn"),
        ("cn-gd", ["cn-gd=*.gd.example.cn"], "https://s3.dc1.gd.example.cn"),
        ("CN-GD", ["cn-mainland=nope.example.cn", "CN-GD=127.0.0.1"], "http://127.0.0.1:9000"),
        ("cn-mainland", ["CN-SC=10.20.*"], "http://10.20.0.5:9000"),
        ("cn-mainland", ["cn-mainland=minio.internal"], "https://minio.internal"),
    ],
)
def test_an_endpoint_allowed_for_the_declared_place_passes(declared, allowlist, endpoint):
    with (
        _residency("cn-mainland", declared),
        _storage(S3, endpoint_url=endpoint),
        override_settings(STORAGE_ENDPOINT_ALLOWLIST=allowlist),
    ):
        assert check_file_storage() == []


@pytest.mark.parametrize(
    ("declared", "allowlist"),
    [
        ("CN-GD", ["CN-BJ=objects.example.cn"]),  # allowed for Beijing, the files are declared in Guangdong
        ("CN-GD", ["cn-mainland=objects.example.cn"]),  # "somewhere on the mainland" does not show Guangdong
        ("CN-GD", ["CN-GD=other.example.cn"]),
    ],
)
def test_an_allowlist_entry_for_another_place_does_not_count(declared, allowlist):
    with (
        _residency("cn-mainland", declared),
        _storage(S3, endpoint_url="https://objects.example.cn"),
        override_settings(STORAGE_ENDPOINT_ALLOWLIST=allowlist),
    ):
        assert _ids(check_file_storage()) == ["privacy_portal.E003"]


@pytest.mark.parametrize("entry", ["objects.example.cn", "CN-GD=", "=objects.example.cn", "CN-HK=objects.example.cn"])
def test_a_malformed_or_offshore_allowlist_entry_is_an_error(entry):
    with (
        _residency("cn-mainland", "CN-GD"),
        _storage(S3, endpoint_url="https://objects.example.cn"),
        override_settings(STORAGE_ENDPOINT_ALLOWLIST=[entry]),
    ):
        problems = check_file_storage()

    assert _ids(problems) == ["privacy_portal.E003"]
    assert "STORAGE_ENDPOINT_ALLOWLIST" in problems[0].msg


def test_the_endpoint_may_come_from_django_storages_own_setting(settings):
    settings.AWS_S3_ENDPOINT_URL = "https://oss-cn-shenzhen.aliyuncs.com"
    with _residency("cn-mainland", "CN-GD"), _storage(S3):
        assert check_file_storage() == []
