"""Celery entry points: load by id, call the service."""

from celery import shared_task

from consents.models import Disclosure

from . import services


@shared_task(name="consents.disclosures.tasks.disclosure_notices_send", ignore_result=True)
def disclosure_notices_send(disclosure_id: int) -> int:
    disclosure = Disclosure.objects.filter(pk=disclosure_id).first()
    if disclosure is None:
        return 0
    return services.disclosure_notices_send(disclosure=disclosure)


@shared_task(name="consents.disclosures.tasks.disclosure_notices_scan", ignore_result=True)
def disclosure_notices_scan() -> int:
    """Beat: queue the disclosures whose people have not all been told (after a broker outage)."""
    pending = services.disclosure_notices_pending()
    for disclosure_id in pending:
        disclosure_notices_send.delay(disclosure_id)
    return len(pending)
