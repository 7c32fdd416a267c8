"""Doing in seconds what Celery beat does over minutes: the periodic scans that pick up lost work.

The scans only take work that has waited past a lease (outbox rows) or gone
quiet (fan-outs), so that they do not race the normal path. A test moves
those timestamps back instead of waiting five minutes, then publishes the
scan by name through the broker, exactly as beat would.
"""

import time
from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from notifications.models import FanOut, OutboxEmail

from .processes import wait_until

OUTBOX_SCAN = "notifications.tasks.outbox_dispatch_pending"
FAN_OUTS_RESUME = "incidents.tasks.incident_fan_outs_resume"
SWEEP = "retention.tasks.retention_sweep"

# Longer than any staleness or lease the scans wait for (fan-outs: five minutes; outbox: two).
LONG_AGO = timedelta(hours=1)


def fan_outs_resume(app, *fan_out_ids: int) -> None:
    """Make the fan-outs look abandoned and publish the resume scan."""
    FanOut.objects.filter(pk__in=fan_out_ids).update(updated_at=timezone.now() - LONG_AGO)
    app.send_task(FAN_OUTS_RESUME)


def outbox_due_rows():
    return OutboxEmail.objects.filter(state=OutboxEmail.State.PENDING, next_attempt_at__lte=timezone.now())


def outbox_scan_until_sent(app, rows, *, timeout: float, worker_log: Callable[[], str] | None = None) -> None:
    """Let every pending row in ``rows`` run past its lease, and publish the scan until all are sent.

    The scan takes a limited number of rows per run, as beat's minutely run
    would over several minutes; here the next run follows as soon as the
    previous one has claimed its share. ``worker_log`` is shown if it fails.
    """
    rows.filter(state=OutboxEmail.State.PENDING).update(next_attempt_at=timezone.now() - LONG_AGO)
    deadline = time.monotonic() + timeout

    def all_sent() -> bool:
        if not rows.filter(state=OutboxEmail.State.PENDING).exists():
            return True
        due = outbox_due_rows().count()
        if due:
            app.send_task(OUTBOX_SCAN)
            # Let this run claim (lease) its share before publishing the next one. The first run
            # also waits for a worker that is still starting, which on a busy machine takes a
            # while: it gets whatever is left of the whole timeout, not a fixed slice of it.
            wait_until(
                lambda: outbox_due_rows().count() < due,
                timeout=max(deadline - time.monotonic(), 1.0),
                message="the outbox scan claimed nothing",
                details=worker_log,
            )
        return False

    wait_until(all_sent, timeout=timeout, message="pending emails were not all sent", details=worker_log)
