"""Fixtures for the fault tests: a private Redis, an SMTP sink, real worker processes.

Every test here runs against the database pytest-django created, with
committed transactions (``django_db(transaction=True)``), because the worker
processes read it over their own connections.
"""

import os

import pytest
from django.db import connection

from accounts.roles import StaffRole
from accounts.services import staff_groups_ensure
from tests.factories import UserFactory

from .mail_sink import RecordingSmtpSink
from .processes import RedisServer, Worker, database_url, other_sessions, wait_until


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _use_broker(app, url: str, transport_options: dict) -> None:
    app.conf.broker_url = url
    app.conf.broker_transport_options = transport_options
    # The app keeps the connection and producer pools it made on its first
    # publish; dropping them makes the next publish connect to ``url``.
    app._pool = None
    app.amqp._producer_pool = None


# Celery reads these before its configuration: they would send a test's tasks elsewhere.
CELERY_BROKER_ENV = ("CELERY_BROKER_URL", "CELERY_BROKER_READ_URL", "CELERY_BROKER_WRITE_URL")


@pytest.fixture
def broker(redis_server, monkeypatch):
    """Tasks published by this test process (on commit, or by the test) go to the test's own Redis."""
    from privacy_portal.celery import app

    for name in CELERY_BROKER_ENV:
        monkeypatch.delenv(name, raising=False)
    saved_url, saved_eager = app.conf.broker_url, app.conf.task_always_eager
    saved_options = dict(app.conf.broker_transport_options)
    # The private redis-server is the test's alone: no key prefix, as its worker processes see it.
    _use_broker(app, redis_server.url, {k: v for k, v in saved_options.items() if k != "global_keyprefix"})
    app.conf.task_always_eager = False
    try:
        yield redis_server
    finally:
        app.conf.task_always_eager = saved_eager
        _use_broker(app, saved_url, saved_options)


@pytest.fixture
def smtp_sink():
    sink = RecordingSmtpSink()
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture
def start_worker(transactional_db, redis_server, smtp_sink, tmp_path):
    """``start_worker()`` starts one more worker process; all are killed when the test ends."""
    env = {
        **{name: value for name, value in os.environ.items() if name not in CELERY_BROKER_ENV},
        "DJANGO_SETTINGS_MODULE": "privacy_portal.settings.test",
        "TEST_DATABASE_URL": database_url(connection.settings_dict),
        "TEST_CELERY_BROKER_URL": redis_server.url,
        "TEST_CELERY_TASK_ALWAYS_EAGER": "false",
        "TEST_EMAIL_URL": smtp_sink.url,
        "EMAIL_URL": smtp_sink.url,
        # A held message must not time out and be retried before the test kills its sender.
        "EMAIL_TIMEOUT": "120",
    }
    started: list[Worker] = []

    def start(*, extra_args: tuple[str, ...] = (), extra_env: dict[str, str] | None = None) -> Worker:
        """``extra_args`` go after the usual worker command line; ``extra_env`` over the usual environment."""
        worker = Worker({**env, **(extra_env or {})}, tmp_path / f"worker-{len(started) + 1}.log", extra_args)
        started.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in started:
            worker.kill()
        # The database is flushed after the test: no dead worker's session may still hold a lock.
        wait_until(
            lambda: other_sessions(connection) == 0,
            timeout=20,
            message="sessions of killed workers are still open",
        )


@pytest.fixture
def privacy_officer(transactional_db):
    groups = staff_groups_ensure()
    officer = UserFactory(is_staff=True, language="en", username="officer_faults")
    officer.groups.add(groups[StaffRole.PRIVACY_OFFICER])
    return officer
