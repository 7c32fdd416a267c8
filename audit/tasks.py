import logging

from celery import shared_task

from .checkpoints import audit_checkpoint_write, verified_positions_write
from .models import ChainVerification
from .selectors import ChainReport, audit_log_verify, events_verified
from .services import chain_verification_record

logger = logging.getLogger(__name__)


@shared_task(name="audit.tasks.audit_log_verify")
def audit_log_verify_task(full: bool = False):
    """Beat: nightly from where the last verification reached, weekly every partition from its first event."""
    report = audit_log_verify(full=full)
    audit_verification_record(report)
    if report.ok:
        logger.info("audit log intact: %s events checked in %s partitions", report.checked, len(report.partitions))
    else:
        logger.error("audit log broken at %s: %s", report.where, report.reason)
    return report.ok


@shared_task(name="audit.tasks.audit_checkpoint_write", ignore_result=True)
def audit_checkpoint_write_task():
    """Beat, every 15 minutes: every partition's head to the signed checkpoint file and the security log."""
    audit_checkpoint_write()


def audit_verification_record(report: ChainReport) -> None:
    """Keep the outcome for the status page and the metrics (``audit.ChainVerification``).

    An intact run also signs how far it reached in each partition, where the
    next incremental run starts. A broken one moves nothing: the next run
    walks again from the last intact positions and finds the break again.
    """
    problem = "" if report.ok else f"{report.where}: {report.reason}"
    chain_verification_record(
        chain=ChainVerification.Chain.AUDIT_LOG,
        ok=report.ok,
        checked=report.checked,
        problem=problem,
        partitions=len(report.partitions),
        full=report.full,
    )
    if report.ok and report.partitions:
        verified_positions_write(events_verified(report.partitions))
