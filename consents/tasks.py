from celery import shared_task

from .checkpoints import consent_checkpoint_write


@shared_task(name="consents.tasks.consent_checkpoint_write", ignore_result=True)
def consent_checkpoint_write_task():
    """Beat, every 15 minutes: the ledger's tally to the signed checkpoint file and the security log."""
    consent_checkpoint_write()
