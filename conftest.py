"""Fixtures shared by every test package."""

import os
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parent / "test-artifacts"

# Playwright's sync API runs an event loop in the test thread; the Django
# ORM calls the tests make around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


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
