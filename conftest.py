"""Fixtures shared by every test package."""

import os
import uuid
from pathlib import Path

import pytest

# moto's S3 server and the fixtures that point the storages at it (s3_server, s3_bucket, s3_storage).
pytest_plugins = ["tests.object_storage"]

ARTIFACTS = Path(__file__).resolve().parent / "test-artifacts"

# Playwright's sync API runs an event loop in the test thread; the Django
# ORM calls the tests make around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def chain_checkpoint_dir(settings, tmp_path_factory) -> Path:
    """Each test its own (not yet created) directory of chain checkpoints.

    The verifiers compare the chains with the latest checkpoint on disk; one
    written by another test, against another database state, would be a false
    alarm.
    """
    path = tmp_path_factory.getbasetemp() / "checkpoints" / uuid.uuid4().hex
    settings.CHAIN_CHECKPOINT_DIR = str(path)
    return path


@pytest.fixture(autouse=True)
def process_tables_fresh():
    """Each test reads the catalogue tables from its own database state (core.process_cache).

    A test that rolls back writes made without signals (``update()``) would
    otherwise leave its copy to the next test.
    """
    from consents.service_usage.counting import service_checks_forget
    from core.process_cache import process_tables_forget

    process_tables_forget()
    # Consent checks counted in memory by an earlier test would be written into this one's database.
    service_checks_forget()


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, never a browser downloaded by the test tool."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def celery_worker(transactional_db, settings):
    """A real Celery worker consuming from the real Redis broker.

    Runs in a thread of the test process, so it shares the test database and
    the locmem mail outbox. Tasks published during the test go through Redis.
    """
    from celery.contrib.testing.worker import start_worker

    from privacy_portal.celery import app
    from tests.broker import broker_keys_delete

    app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    broker_keys_delete(app)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = True
        broker_keys_delete(app)


@pytest.fixture
def verified_client(client):
    """Sign a user in as having passed the second factor (django-otp)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    def sign_in(user):
        device, _ = StaticDevice.objects.get_or_create(user=user, name="test")
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return sign_in


# -- People -----------------------------------------------------------------------------------------
# One definition each; a test that needs a different person (another language,
# an older account, a phone on file) builds it with the factories in
# tests/factories.py under a name that says how it differs.


@pytest.fixture
def groups(db):
    """The staff role groups, with the role matrix's permissions, by ``StaffRole``."""
    from accounts.services import staff_groups_ensure

    return staff_groups_ensure()


@pytest.fixture
def citizen(db):
    """A signed-up citizen who reads the portal in English."""
    from tests.factories import CitizenFactory

    return CitizenFactory()


@pytest.fixture
def verified_citizen(db):
    """A citizen whose identity the sandbox provider confirmed (level 2)."""
    from tests.factories import VerifiedCitizenFactory

    return VerifiedCitizenFactory()


@pytest.fixture
def staff(groups):
    """A member of staff acting through the services: customer service, the least privileged role."""
    from accounts.roles import StaffRole
    from tests.factories import StaffFactory

    return StaffFactory(role=StaffRole.CUSTOMER_SERVICE)


@pytest.fixture
def customer_service(groups):
    """A customer-service agent, for tests of what that role may see and do."""
    from accounts.roles import StaffRole
    from tests.factories import StaffFactory

    return StaffFactory(role=StaffRole.CUSTOMER_SERVICE, username="agent")


@pytest.fixture
def officer(groups):
    """A privacy officer; the maker where a second officer checks. Pages name them ``officer_a``."""
    from accounts.roles import StaffRole
    from tests.factories import StaffFactory

    return StaffFactory(role=StaffRole.PRIVACY_OFFICER, username="officer_a")


@pytest.fixture
def checker(groups):
    """A second privacy officer: the checker of a maker-checker step (``officer_b``)."""
    from accounts.roles import StaffRole
    from tests.factories import StaffFactory

    return StaffFactory(role=StaffRole.PRIVACY_OFFICER, username="officer_b")


@pytest.fixture
def auditor(groups):
    """An auditor: reads everything, changes nothing."""
    from accounts.roles import StaffRole
    from tests.factories import StaffFactory

    return StaffFactory(role=StaffRole.AUDITOR, username="auditor")


@pytest.fixture
def superuser(db):
    """A staff superuser, for admin pages whose permissions are not the point of the test."""
    from tests.factories import StaffFactory

    return StaffFactory(is_superuser=True, username="superuser")


@pytest.fixture
def api(citizen):
    """DRF's client signed in as ``citizen`` with a session (step-up checks are tied to it)."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(citizen)
    return client


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A browser set up as most citizens' are: Chinese, Beijing time."""
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth's rate limits count in the shared cache; each test starts from zero."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests start from a flushed database: put the seeded rows back."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        from privacy_portal.reference_data import reference_data_ensure

        reference_data_ensure()


@pytest.fixture
def service_client(db):
    """``service_client(scopes=[...])`` -> (ServiceClient, access token string); see oauth-contract.md."""
    from accounts.service_clients.tests.factories import service_client_with_token

    return service_client_with_token


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Tests in pytest-django's order, whatever ran before: transaction-wrapped ones, then the ones
    that flush the database (browser tests, real workers), then those without a database.

    A flush empties the tables the data migrations seeded; ``_reference_data`` puts them back only
    for the tests that flush. A transaction-wrapped test scheduled after a flushing one would find
    no purposes, no policy version and no retention rules.
    """
    from pytest_django.plugin import validate_django_db

    def group(item) -> int:
        marker = item.get_closest_marker("django_db")
        transactional = bool(marker) and any(validate_django_db(marker)[:2])
        fixtures = item.fixturenames
        if transactional or "transactional_db" in fixtures or "live_server" in fixtures:
            return 1
        return 0 if (marker or "db" in fixtures) else 2

    items.sort(key=group)
