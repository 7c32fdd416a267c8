"""The figures behind the portal's gauges, read at each scrape with one aggregate query each.

They read several apps, so they live here, in the top layer. Each query is
served by an index (partial ones for the outbox states) and touches only the
rows that are waiting, never the history.
"""

from dataclasses import dataclass
from datetime import datetime

import redis
from django.conf import settings
from django.db.models import Count, Min, Q, Sum

from audit.models import ChainVerification
from notifications.models import FanOut, FanOutRecipient, OutboxEmail
from privacy_requests.models import ExportFile
from retention.models import SweepReport, SweepReportLine


def _age_seconds(moment: datetime | None, now: datetime) -> float | None:
    return None if moment is None else max((now - moment).total_seconds(), 0.0)


@dataclass(frozen=True)
class Backlog:
    waiting: int
    failed: int
    oldest_age_seconds: float | None


def outbox_backlog(*, now: datetime) -> Backlog:
    pending = OutboxEmail.objects.filter(state=OutboxEmail.State.PENDING).aggregate(
        n=Count("pk"), oldest=Min("created_at")
    )
    failed = OutboxEmail.objects.filter(state=OutboxEmail.State.FAILED).count()
    return Backlog(waiting=pending["n"], failed=failed, oldest_age_seconds=_age_seconds(pending["oldest"], now))


def export_backlog(*, now: datetime) -> Backlog:
    """Exports queued or being built; failed ones are counted apart."""
    row = ExportFile.objects.aggregate(
        waiting=Count("pk", filter=Q(state__in=[ExportFile.State.QUEUED, ExportFile.State.BUILDING])),
        failed=Count("pk", filter=Q(state=ExportFile.State.FAILED)),
        oldest=Min("created_at", filter=Q(state__in=[ExportFile.State.QUEUED, ExportFile.State.BUILDING])),
    )
    return Backlog(waiting=row["waiting"], failed=row["failed"], oldest_age_seconds=_age_seconds(row["oldest"], now))


@dataclass(frozen=True)
class FanOutProgress:
    running: int
    recipients_pending: int


def fan_out_progress() -> FanOutProgress:
    """Fan-outs not yet finished, and how many of their people are still to be written to."""
    running = FanOut.objects.filter(finished_at__isnull=True).aggregate(n=Count("pk"), total=Sum("total"))
    written = FanOutRecipient.objects.filter(fan_out__finished_at__isnull=True).count()
    return FanOutProgress(running=running["n"], recipients_pending=max((running["total"] or 0) - written, 0))


@dataclass(frozen=True)
class Verification:
    chain: str
    ok: bool
    age_seconds: float


def verifications_latest(*, now: datetime) -> list[Verification]:
    """The last verification of each chain that has been verified at all."""
    latest = []
    for chain in ChainVerification.Chain.values:
        row = ChainVerification.objects.filter(chain=chain).order_by("-finished_at", "-id").first()
        if row is not None:
            latest.append(Verification(chain=chain, ok=row.ok, age_seconds=_age_seconds(row.finished_at, now) or 0.0))
    return latest


@dataclass(frozen=True)
class Sweep:
    finished_at: datetime
    rows: int


def sweep_latest() -> Sweep | None:
    """The last finished real (not dry) sweep: when, and how many rows it deleted or anonymised."""
    report = SweepReport.objects.filter(dry_run=False, finished_at__isnull=False).order_by("-finished_at").first()
    if report is None or report.finished_at is None:
        return None
    rows = SweepReportLine.objects.filter(report=report).aggregate(
        deleted=Sum("rows_deleted"), anonymised=Sum("rows_anonymised")
    )
    return Sweep(finished_at=report.finished_at, rows=(rows["deleted"] or 0) + (rows["anonymised"] or 0))


def celery_queue_length() -> int | None:
    """Messages waiting in the default queue's Redis list; ``None`` without a broker or when it does not answer."""
    url = settings.CELERY_BROKER_URL
    if not url or not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    prefix = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("global_keyprefix", "")
    queue = getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        return int(client.llen(f"{prefix}{queue}"))
    except redis.RedisError:
        return None
    finally:
        client.close()
