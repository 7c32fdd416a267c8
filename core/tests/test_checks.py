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


def _storage(backend: str):
    return override_settings(
        STORAGES={
            "default": {"BACKEND": backend},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    )


@pytest.mark.parametrize(
    "backend",
    [
        "storages.backends.s3.S3Storage",
        "storages.backends.azure_storage.AzureStorage",
        "storages.backends.gcloud.GoogleCloudStorage",
    ],
)
def test_a_third_party_file_storage_is_an_error(backend):
    with _storage(backend):
        problems = check_file_storage()

    assert _ids(problems) == ["privacy_portal.E003"]
    assert backend in problems[0].msg and "third party" in problems[0].msg


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
