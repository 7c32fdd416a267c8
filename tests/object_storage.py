"""A real S3 API for the tests: moto's server mode in a subprocess, one bucket per run.

The portal talks to it exactly as to a mainland object store (boto3 over
HTTP through django-storages); nothing in boto is mocked. The fixtures are
registered by the root ``conftest.py`` (``pytest_plugins``):

- ``s3_server`` (session): starts ``python -m moto.server`` on a free port
  of 127.0.0.1 and stops it when the run ends;
- ``s3_bucket`` (session): a bucket named after the run id;
- ``s3_storage`` (each test): points ``STORAGES["default"]`` and
  ``STORAGES["exports"]`` at that bucket, under a key prefix of the test's
  own, so tests see only their own objects. Its ``keys()`` lists what is
  really in the bucket, read with a plain boto3 client.
"""

import re
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass
from urllib.error import URLError

import pytest

ACCESS_KEY = "test-only-access-key"
SECRET_KEY = "test-only-secret-key"
REGION = "us-east-1"  # moto's home region: a bucket there needs no location constraint
START_TIMEOUT = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto's server exited with {process.returncode} before answering")
        try:
            with urllib.request.urlopen(f"{url}/moto-api/", timeout=2):  # noqa: S310 - our own local server
                return
        except (URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"moto's server did not answer on {url} within {START_TIMEOUT} s")


def client(endpoint_url: str):
    import boto3  # only when a test asks for the object store

    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )


@pytest.fixture(scope="session")
def s3_server():
    """The URL of a moto S3 server running for this test run."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def s3_bucket(s3_server) -> str:
    from django.conf import settings

    # Bucket names: lower case, digits and hyphens, 3 to 63 characters.
    run_id = re.sub(r"[^a-z0-9-]", "-", str(settings.TEST_RUN_ID).lower())
    name = f"portal-test-{run_id}"[:63].rstrip("-")
    client(s3_server).create_bucket(Bucket=name)
    return name


@dataclass
class S3Storage:
    endpoint_url: str
    bucket: str
    prefix: str

    def keys(self) -> list[str]:
        """The keys really in the bucket under this test's prefix, without the prefix, sorted."""
        pages = (
            client(self.endpoint_url)
            .get_paginator("list_objects_v2")
            .paginate(Bucket=self.bucket, Prefix=self.prefix + "/")
        )
        return sorted(entry["Key"][len(self.prefix) + 1 :] for page in pages for entry in page.get("Contents", ()))

    def head(self, name: str) -> dict:
        return client(self.endpoint_url).head_object(Bucket=self.bucket, Key=f"{self.prefix}/{name}")

    def acl_grants(self, name: str) -> list[dict]:
        return client(self.endpoint_url).get_object_acl(Bucket=self.bucket, Key=f"{self.prefix}/{name}")["Grants"]


def s3_environment(*, endpoint_url: str, bucket: str, prefix: str) -> dict[str, str]:
    """The variables a deployment sets for its object store, pointed at the test server."""
    return {
        "STORAGE_BACKEND": "s3",
        "STORAGE_S3_BUCKET": bucket,
        "STORAGE_S3_ENDPOINT_URL": endpoint_url,
        "STORAGE_S3_REGION": REGION,
        "STORAGE_S3_ACCESS_KEY_ID": ACCESS_KEY,
        "STORAGE_S3_SECRET_ACCESS_KEY": SECRET_KEY,
        "STORAGE_S3_ADDRESSING_STYLE": "path",
        "STORAGE_S3_PREFIX": prefix,
    }


@pytest.fixture
def s3_storage(settings, monkeypatch, s3_server, s3_bucket) -> S3Storage:
    """Uploads and exports go to the run's bucket, under a prefix of this test's own.

    The storage entry is built by the settings' own code from the deployment's variables, so the
    tests cover the configuration a deployment gets, not a copy of it.
    """
    from privacy_portal.settings.storage import file_storage

    prefix = f"t-{uuid.uuid4().hex}"
    for name, value in s3_environment(endpoint_url=s3_server, bucket=s3_bucket, prefix=prefix).items():
        monkeypatch.setenv(name, value)
    entry = file_storage()
    settings.STORAGES = {**settings.STORAGES, "default": entry, "exports": entry}
    return S3Storage(endpoint_url=s3_server, bucket=s3_bucket, prefix=prefix)
