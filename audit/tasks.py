import logging

from celery import shared_task

from .selectors import audit_log_verify

logger = logging.getLogger(__name__)


@shared_task(name="audit.tasks.audit_log_verify")
def audit_log_verify_task():
    report = audit_log_verify()
    if report.ok:
        logger.info("audit log intact: %s events", report.checked)
    else:
        logger.error("audit log broken at event #%s: %s", report.broken_seq, report.reason)
    return report.ok
