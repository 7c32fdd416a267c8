import logging

from celery import shared_task

from audit.models import ChainVerification
from audit.services import chain_verification_record

from .checkpoints import consent_checkpoint_write
from .selectors import LedgerReport, consent_ledger_verify

logger = logging.getLogger(__name__)


@shared_task(name="consents.tasks.consent_checkpoint_write", ignore_result=True)
def consent_checkpoint_write_task():
    """Beat, every 15 minutes: the ledger's tally to the signed checkpoint file and the security log."""
    consent_checkpoint_write()


@shared_task(name="consents.tasks.consent_ledger_verify")
def consent_ledger_verify_task():
    """Beat, nightly: the whole ledger against its chains, the current-state table and the checkpoint."""
    report = consent_ledger_verify()
    consent_verification_record(report)
    if report.ok:
        logger.info("consent ledger intact: %s events of %s people", report.events, report.subjects)
    else:
        logger.error("consent ledger does not hold: %s", ledger_problem(report))
    return report.ok


def ledger_problem(report: LedgerReport) -> str:
    """What does not hold, in sequence numbers and counts: no subject reference, no personal value."""
    problems = []
    if report.broken_subject is not None:
        problems.append(f"a chain is broken at event #{report.broken_seq}: {report.reason}")
    if report.unbacked:
        problems.append(f"{len(report.unbacked)} current consents are not backed by the ledger")
    if report.checkpoint_problem:
        problems.append(f"contradicts its checkpoint: {report.checkpoint_problem}")
    return "; ".join(problems)


def consent_verification_record(report: LedgerReport) -> None:
    """Keep the outcome for the status page and the metrics (``audit.ChainVerification``)."""
    chain_verification_record(
        chain=ChainVerification.Chain.CONSENT_LEDGER,
        ok=report.ok,
        checked=report.events,
        problem=ledger_problem(report),
    )
