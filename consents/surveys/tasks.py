"""Celery entry points: load by id, call the service."""

from celery import shared_task
from django.utils import timezone

from notifications.fanout import STALE_AFTER

from ..models import SurveyInvitation
from . import services


@shared_task(name="consents.surveys.tasks.survey_invitation_fan_out", ignore_result=True)
def survey_invitation_fan_out(invitation_id: int) -> int:
    invitation = SurveyInvitation.objects.select_related("fan_out").filter(pk=invitation_id).first()
    if invitation is None:
        return 0
    return services.survey_invitation_fan_out_run(invitation=invitation)


@shared_task(name="consents.surveys.tasks.survey_invitations_resume", ignore_result=True)
def survey_invitations_resume() -> int:
    """Restart sendings whose worker died (or whose task was lost with the broker)."""
    ids = list(
        SurveyInvitation.objects.filter(
            fan_out__isnull=False,
            fan_out__finished_at__isnull=True,
            fan_out__updated_at__lt=timezone.now() - STALE_AFTER,
        ).values_list("pk", flat=True)
    )
    for invitation_id in ids:
        survey_invitation_fan_out.apply_async(args=[invitation_id])
    return len(ids)
