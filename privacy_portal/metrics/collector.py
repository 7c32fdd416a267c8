"""The portal's own gauges, computed from the database when Prometheus scrapes.

Computed at scrape time rather than kept in process memory, so every web
process answers the same figures and none needs to run in the background.
A gauge whose figure is unknown (no broker, nothing verified yet) is left
out of the scrape rather than reported as zero: absent is what alerts can
tell from "fine".
"""

from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from privacy_requests.selectors import deadline_counts

from . import selectors


def _gauge(name: str, documentation: str, value: float | None, labels: dict[str, str] | None = None):
    family = GaugeMetricFamily(name, documentation, labels=list(labels or {}))
    if value is not None:
        family.add_metric(list((labels or {}).values()), value)
    return family


class PortalCollector(Collector):
    def collect(self):
        now = timezone.now()
        outbox = selectors.outbox_backlog(now=now)
        yield _gauge("portal_outbox_pending", "Emails waiting in the outbox.", outbox.waiting)
        yield _gauge("portal_outbox_failed", "Emails the outbox gave up on.", outbox.failed)
        yield _gauge(
            "portal_outbox_oldest_pending_age_seconds",
            "Age of the oldest email waiting in the outbox (absent when none waits).",
            outbox.oldest_age_seconds,
        )
        exports = selectors.export_backlog(now=now)
        yield _gauge("portal_export_queue_depth", "Exports queued or being built.", exports.waiting)
        yield _gauge("portal_export_failed", "Exports whose build failed.", exports.failed)
        yield _gauge(
            "portal_export_oldest_age_seconds",
            "Age of the oldest export queued or being built (absent when none).",
            exports.oldest_age_seconds,
        )
        fan_outs = selectors.fan_out_progress()
        yield _gauge("portal_fanout_running", "Fan-outs not yet finished.", fan_outs.running)
        yield _gauge(
            "portal_fanout_recipients_pending",
            "People the running fan-outs have still to write to.",
            fan_outs.recipients_pending,
        )
        deadlines = deadline_counts()
        yield _gauge("portal_requests_overdue", "Open rights requests past their due date.", deadlines.overdue)
        yield _gauge("portal_requests_due_soon", "Open rights requests due within 3 working days.", deadlines.due_soon)
        ok = GaugeMetricFamily(
            "portal_chain_verification_ok", "1 if the chain's last verification found it intact.", labels=["chain"]
        )
        age = GaugeMetricFamily(
            "portal_chain_verification_age_seconds", "Time since the chain was last verified.", labels=["chain"]
        )
        for verification in selectors.verifications_latest(now=now):
            ok.add_metric([verification.chain], 1.0 if verification.ok else 0.0)
            age.add_metric([verification.chain], verification.age_seconds)
        yield ok
        yield age
        sweep = selectors.sweep_latest()
        yield _gauge(
            "portal_retention_sweep_last_finished_timestamp_seconds",
            "When the last retention sweep finished (Unix time).",
            sweep.finished_at.timestamp() if sweep else None,
        )
        yield _gauge(
            "portal_retention_sweep_last_rows",
            "Rows the last retention sweep deleted or anonymised.",
            sweep.rows if sweep else None,
        )
        yield _gauge(
            "portal_celery_queue_length",
            "Tasks waiting in the broker's default queue (absent without a reachable broker).",
            selectors.celery_queue_length(),
        )
