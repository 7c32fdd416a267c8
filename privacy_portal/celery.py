"""The Celery app: Redis as broker, the beat schedule in code.

The reliability settings (late acknowledgement, prefetch of one, bounded
retry of tasks whose worker died, visibility timeout) live with the other
CELERY_* settings in ``privacy_portal.settings.base``.
"""

import os

from celery import Celery, signals
from celery.schedules import crontab

from core import worker_logging

# Production unless told otherwise, as in wsgi.py: a worker started without DJANGO_SETTINGS_MODULE
# must not run the dev settings. `make worker` and `make beat` name the dev settings themselves.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "privacy_portal.settings.production")
# Workers and beat log through Django's LOGGING (masking filter included), and
# request ids travel with the tasks a request queues (core/worker_logging.py).
worker_logging.connect()

app = Celery("privacy_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Task modules that live in a package of an app rather than at its top.
app.autodiscover_tasks(
    ["consents.policy_acceptance", "consents.disclosures", "privacy_requests.exports", "privacy_requests.overdue"]
)
# Celery's Django fix-up closes the database connection after every task
# unless told to reuse it; reconnecting per email halves the send rate.
app.conf.CELERY_DB_REUSE_MAX = 200
# Only the beat holding the lock in Redis schedules (privacy_portal/beat_lock.py).
app.conf.beat_scheduler = "privacy_portal.beat_lock:SingleBeatScheduler"


@signals.task_prerun.connect
def _database_connections_checked(sender=None, task=None, **kwargs):
    """Before each task, what Django does before each request: drop unusable or expired connections.

    With CELERY_DB_REUSE_MAX, Celery's fix-up keeps a pool process's connection from task to task
    without looking at it, so after a database restart or failover the next task used the dead
    connection and failed ("the connection is closed"), an export waiting out its retry delay.
    ``close_old_connections`` also re-arms CONN_HEALTH_CHECKS: a kept connection is pinged before
    its first query and replaced if the server dropped it; a live one is still reused. Not for
    eager tasks, which run inside a web request's transaction.
    """
    if task is not None and getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


@signals.worker_init.connect
def _worker_deploy_checks(sender=None, **kwargs):
    _deploy_checks_enforce(process="Celery worker")


@signals.beat_init.connect
def _beat_deploy_checks(sender=None, **kwargs):
    _deploy_checks_enforce(process="Celery beat")


def _deploy_checks_enforce(*, process: str) -> None:
    """The deploy checks before the first task is consumed or scheduled (privacy_portal.startup).

    Celery logs and swallows an Exception raised by a signal handler, so a refusal leaves as
    SystemExit, which stops the process with the checks' findings on standard error.
    """
    import django
    from django.apps import apps

    if not apps.ready:  # Celery's Django fix-up has normally set Django up already.
        django.setup()
    from .startup import DeployCheckRefusal, deploy_checks_enforce

    try:
        deploy_checks_enforce(process=process)
    except DeployCheckRefusal as refusal:
        raise SystemExit(str(refusal)) from refusal


app.conf.beat_schedule = {
    # Webhook deliveries whose retry time has come, or that a broker outage or a killed worker left behind.
    "webhooks-dispatch-due": {
        "task": "webhooks.tasks.webhook_deliveries_dispatch_due",
        "schedule": 30.0,
    },
    "outbox-dispatch-pending": {
        "task": "notifications.tasks.outbox_dispatch_pending",
        "schedule": 60.0,
    },
    "privacy-requests-lapse-stale": {
        "task": "privacy_requests.tasks.privacy_requests_lapse_stale",
        # Hourly; idempotent, so an extra run does no harm.
        "schedule": crontab(minute=20),
    },
    # Every morning (Beijing time, CELERY_TIMEZONE): newly overdue requests escalate to the privacy
    # officers, and staff get their digest of what is overdue or due soon; a rerun sends nothing twice.
    "privacy-requests-overdue-alerts": {
        "task": "privacy_requests.overdue.tasks.overdue_alerts_daily",
        "schedule": crontab(hour=8, minute=30),
    },
    "exports-expire-due": {
        "task": "privacy_requests.exports.tasks.exports_expire_due",
        "schedule": crontab(minute="*/15"),
    },
    # Exports left queued or half-built (broker outage, killed worker) are queued again.
    "exports-requeue-stale": {
        "task": "privacy_requests.exports.tasks.exports_requeue_stale",
        "schedule": 300.0,
    },
    # Fan-outs whose worker died or whose task was lost are picked up again; idempotent.
    "incidents-fan-outs-resume": {
        "task": "incidents.tasks.incident_fan_outs_resume",
        "schedule": 300.0,
    },
    # Policy announcements: stalled runs finish, and citizens who signed up
    # before an announced version takes effect are told; nobody twice.
    "policy-announcements-resume": {
        "task": "consents.policy_acceptance.tasks.policy_announcements_resume",
        "schedule": crontab(minute="*/15"),
    },
    # Nightly; one sweep at a time (advisory lock), resumable, so an extra run does no harm.
    "retention-sweep-nightly": {
        "task": "retention.tasks.retention_sweep",
        "schedule": crontab(hour=2, minute=30),
    },
    # People not yet told of a disclosure (broker outage, killed worker) are queued again.
    "disclosure-notices-scan": {
        "task": "consents.disclosures.tasks.disclosure_notices_scan",
        "schedule": 300.0,
    },
    # Both chains' heads, signed, to files outside the database and to the security log (issue #11),
    # so that a chain cut short or rebuilt inside the database still shows.
    "audit-checkpoint": {
        "task": "audit.tasks.audit_checkpoint_write",
        "schedule": crontab(minute="*/15"),
    },
    "consent-ledger-checkpoint": {
        "task": "consents.tasks.consent_checkpoint_write",
        "schedule": crontab(minute="*/15"),
    },
    # Nightly from where the last intact run reached in each partition; weekly every event again,
    # which also catches a change inside the part already verified (docs/operations.md).
    "audit-log-verify-nightly": {
        "task": "audit.tasks.audit_log_verify",
        "schedule": crontab(hour=3, minute=15),
    },
    "audit-log-verify-full-weekly": {
        "task": "audit.tasks.audit_log_verify",
        "schedule": crontab(hour=2, minute=15, day_of_week=0),
        "kwargs": {"full": True},
    },
    # Its outcome, like the audit log's, is kept for the staff status page and the metrics (audit.ChainVerification).
    "consent-ledger-verify-nightly": {
        "task": "consents.tasks.consent_ledger_verify",
        "schedule": crontab(hour=3, minute=45),
    },
}
