import logging

from celery import shared_task

from audit.models import ChainVerification
from audit.services import chain_verification_record

from .checkpoints import consent_checkpoint_write
from .selectors import consent_ledger_verify

logger = logging.getLogger(__name__)


@shared_task(name="consents.tasks.consent_checkpoint_write", ignore_result=True)
def consent_checkpoint_write_task():
    """Beat, every 15 minutes: the ledger's tally to the signed checkpoint file and the security log."""
    consent_checkpoint_write()


@shared_task(name="consents.tasks.consent_ledger_verify")
def consent_ledger_verify_task():
    """Beat, nightly: the whole ledger checked, the verdict kept for monitoring (``ChainVerification``)."""
    report = consent_ledger_verify()
    chain_verification_record(chain=ChainVerification.Chain.CONSENT_LEDGER, ok=report.ok, checked=report.events)
    if report.ok:
        logger.info("consent ledger intact: %s events", report.events)
    else:
        # Subjects are chain references, not people's data; the command names them.
        logger.error("consent ledger does not verify; run verify_consent_ledger for the details")
    return report.ok
