"""Celery entry points: load by id, call the service."""

from celery import shared_task
from django.utils import timezone

from notifications.fanout import STALE_AFTER

from . import selectors, services
from .models import Incident


@shared_task(name="incidents.tasks.incident_fan_out", ignore_result=True)
def incident_fan_out(incident_id: int) -> int:
    incident = Incident.objects.select_related("fan_out").filter(pk=incident_id).first()
    if incident is None:
        return 0
    return services.incident_fan_out_run(incident=incident)


@shared_task(name="incidents.tasks.incident_fan_outs_resume", ignore_result=True)
def incident_fan_outs_resume() -> int:
    """Restart notifications whose worker died (or whose task was lost with the broker)."""
    stale = selectors.incidents_fan_outs_unfinished().filter(fan_out__updated_at__lt=timezone.now() - STALE_AFTER)
    ids = list(stale.values_list("pk", flat=True))
    for incident_id in ids:
        incident_fan_out.apply_async(args=[incident_id])
    return len(ids)
