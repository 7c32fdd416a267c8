"""``/metrics``: refused to strangers, and its figures follow the rows in the database."""

import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from audit.models import ChainVerification
from audit.services import chain_verification_record
from notifications.models import FanOut, FanOutRecipient, OutboxEmail
from privacy_requests.models import ExportFile, PrivacyRequest
from privacy_requests.selectors import due_soon_limit
from retention.models import SweepReport, SweepReportLine
from tests.factories import CitizenFactory

TOKEN = "scrape-token-for-tests-only"
PROJECT_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_IPS = ["10.20.0.0/16"]


def _scrape(client, **extra) -> dict[tuple[str, tuple], float]:
    response = client.get(reverse("metrics"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}", **extra)
    assert response.status_code == 200, response.content
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def test_without_a_token_or_allow_list_there_is_no_endpoint(client, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = "", []
    assert client.get(reverse("metrics"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 404


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"HTTP_AUTHORIZATION": "Bearer wrong-token"},
        {"HTTP_AUTHORIZATION": f"Basic {TOKEN}"},
        {"REMOTE_ADDR": "10.21.0.1"},
    ],
)
def test_a_caller_without_the_token_or_an_allowed_address_is_refused(client, metrics_on, extra):
    response = client.get(reverse("metrics"), **extra)
    assert response.status_code == 403
    assert b"portal_outbox_pending" not in response.content


def test_an_allowed_address_needs_no_token(db, client, metrics_on):
    response = client.get(reverse("metrics"), REMOTE_ADDR="10.20.3.4")
    assert response.status_code == 200
    assert b"portal_outbox_pending" in response.content


def _outbox(state: str, *, age: timedelta) -> None:
    email = OutboxEmail.objects.create(
        to_address="someone@example.cn",
        kind="test",
        language="en",
        subject="s",
        body="b",
        state=state,
        next_attempt_at=timezone.now(),
    )
    OutboxEmail.objects.filter(pk=email.pk).update(created_at=timezone.now() - age)


def test_the_gauges_reflect_the_database(db, client, metrics_on, settings):
    _outbox(OutboxEmail.State.PENDING, age=timedelta(minutes=10))
    _outbox(OutboxEmail.State.PENDING, age=timedelta(minutes=1))
    _outbox(OutboxEmail.State.FAILED, age=timedelta(days=2))
    _outbox(OutboxEmail.State.SENT, age=timedelta(days=3))

    person = CitizenFactory()
    today = timezone.localdate()
    requests = [
        PrivacyRequest.objects.create(reference=f"MT-{i}", kind="export", requester=person, state=state, due_date=due)
        for i, (state, due) in enumerate(
            [
                ("in_review", today - timedelta(days=1)),  # overdue
                ("submitted", today - timedelta(days=5)),  # overdue
                ("in_review", due_soon_limit(today=today)),  # due soon
                ("in_review", today + timedelta(days=30)),  # neither
                ("completed", today - timedelta(days=9)),  # closed: neither
            ]
        )
    ]
    ExportFile.objects.create(request=requests[0], state=ExportFile.State.QUEUED)
    ExportFile.objects.create(request=requests[1], state=ExportFile.State.BUILDING)
    ExportFile.objects.create(request=requests[4], state=ExportFile.State.READY)
    ExportFile.objects.filter(request=requests[0]).update(created_at=timezone.now() - timedelta(hours=2))

    running = FanOut.objects.create(key="metrics:1", kind="k", total=5)
    FanOutRecipient.objects.create(fan_out=running, user=person)
    FanOutRecipient.objects.create(fan_out=running, user=CitizenFactory())
    FanOut.objects.create(key="metrics:2", kind="k", total=7, finished_at=timezone.now())

    chain_verification_record(chain=ChainVerification.Chain.AUDIT_LOG, ok=True, checked=10)
    broken = chain_verification_record(chain=ChainVerification.Chain.CONSENT_LEDGER, ok=False, checked=4)
    ChainVerification.objects.filter(pk=broken.pk).update(finished_at=timezone.now() - timedelta(hours=5))

    finished = timezone.now() - timedelta(hours=1)
    report = SweepReport.objects.create(started_at=finished - timedelta(minutes=3), finished_at=finished)
    SweepReportLine.objects.create(report=report, rule_code="a", rows_deleted=40, rows_anonymised=2)
    SweepReportLine.objects.create(report=report, rule_code="b", rows_deleted=3)
    SweepReport.objects.create(dry_run=True, finished_at=timezone.now())

    # A queue of this test's own: tasks other tests of the run published may still wait in the run's.
    prefix = f"{django_settings.CELERY_BROKER_TRANSPORT_OPTIONS['global_keyprefix']}metrics-{uuid.uuid4().hex}:"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {**settings.CELERY_BROKER_TRANSPORT_OPTIONS, "global_keyprefix": prefix}
    broker = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    broker.rpush(f"{prefix}celery", "a", "b", "c")
    try:
        samples = _scrape(client)
    finally:
        broker.delete(f"{prefix}celery")
        broker.close()

    def value(name, **labels):
        return samples[(name, tuple(sorted(labels.items())))]

    assert value("portal_outbox_pending") == 2
    assert value("portal_outbox_failed") == 1
    assert 590 <= value("portal_outbox_oldest_pending_age_seconds") < 660
    assert value("portal_export_queue_depth") == 2
    assert 7190 <= value("portal_export_oldest_age_seconds") < 7260
    assert value("portal_fanout_running") == 1
    assert value("portal_fanout_recipients_pending") == 3
    assert value("portal_requests_overdue") == 2
    assert value("portal_requests_due_soon") == 1
    assert value("portal_chain_verification_ok", chain="audit_log") == 1
    assert value("portal_chain_verification_ok", chain="consent_ledger") == 0
    assert value("portal_chain_verification_age_seconds", chain="audit_log") < 60
    assert 5 * 3600 - 60 < value("portal_chain_verification_age_seconds", chain="consent_ledger") < 5 * 3600 + 60
    assert value("portal_retention_sweep_last_finished_timestamp_seconds") == pytest.approx(finished.timestamp())
    assert value("portal_retention_sweep_last_rows") == 45
    assert value("portal_celery_queue_length") == 3


def test_unknown_figures_are_absent_not_zero(db, client, metrics_on, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    samples = _scrape(client)
    names = {name for name, _labels in samples}
    assert "portal_outbox_pending" in names
    for absent in (
        "portal_outbox_oldest_pending_age_seconds",
        "portal_chain_verification_ok",
        "portal_retention_sweep_last_rows",
        "portal_celery_queue_length",
    ):
        assert absent not in names


def test_requests_are_counted_by_route_method_and_status(db, client, metrics_on):
    def served(status: str) -> float:
        key = (
            "django_http_responses_total_by_status_view_method_total",
            (("method", "GET"), ("status", status), ("view", "policy_versions")),
        )
        return _scrape(client).get(key, 0.0)

    before = served("200")
    assert client.get(reverse("policy_versions")).status_code == 200
    assert client.get(reverse("policy_versions")).status_code == 200
    assert served("200") == before + 2
    names = {name for name, _labels in _scrape(client)}
    assert "django_http_requests_latency_seconds_by_view_method_bucket" in names


CHILD = """
import django
django.setup()
from django.test import Client
print(Client().get("/healthz", HTTP_HOST="localhost").status_code)
"""


def test_several_processes_count_together_in_multiprocess_mode(db, client, metrics_on, tmp_path, monkeypatch):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "privacy_portal.settings.test",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }
    for _ in range(2):  # two gunicorn workers, each serving one probe
        subprocess.run([sys.executable, "-c", CHILD], cwd=PROJECT_DIR, env=env, check=True, timeout=60)
    assert list(tmp_path.glob("*.db")), "the processes wrote no metric files"

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    samples = _scrape(client)
    # The probes are answered ahead of the per-view middleware (privacy_portal/middleware.py), so
    # they are counted by the outermost one: once per child process, summed across the files.
    answered = [
        value for (name, _labels), value in samples.items() if name == "django_http_responses_before_middlewares_total"
    ]
    assert sum(answered) == 2
    # The portal's gauges are computed by the scraping process itself.
    assert (("portal_outbox_pending", ())) in samples
