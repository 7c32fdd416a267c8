import logging

from celery import shared_task

from .checkpoints import audit_checkpoint_write
from .models import ChainVerification
from .selectors import audit_log_verify
from .services import chain_verification_record

logger = logging.getLogger(__name__)


@shared_task(name="audit.tasks.audit_log_verify")
def audit_log_verify_task():
    report = audit_log_verify()
    audit_verification_record(report)
    if report.ok:
        logger.info("audit log intact: %s events", report.checked)
    else:
        logger.error("audit log broken at event #%s: %s", report.broken_seq, report.reason)
    return report.ok


@shared_task(name="audit.tasks.audit_checkpoint_write", ignore_result=True)
def audit_checkpoint_write_task():
    """Beat, every 15 minutes: the chain's head to the signed checkpoint file and the security log."""
    audit_checkpoint_write()


def audit_verification_record(report) -> None:
    """Keep the outcome for the status page and the metrics (``audit.ChainVerification``)."""
    problem = "" if report.ok else f"event #{report.broken_seq}: {report.reason}"
    chain_verification_record(
        chain=ChainVerification.Chain.AUDIT_LOG, ok=report.ok, checked=report.checked, problem=problem
    )
