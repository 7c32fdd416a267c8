"""Celery entry points: load by id, call the service."""

from celery import shared_task

from consents.models import PolicyVersion
from notifications.fanout import STALE_AFTER

from . import services


@shared_task(name="consents.policy_acceptance.tasks.policy_announce", ignore_result=True)
def policy_announce(version_id: int) -> int:
    version = PolicyVersion.objects.filter(pk=version_id).first()
    if version is None or services.policy_is_draft(version=version):
        return 0
    return services.policy_announce(version=version)


@shared_task(name="consents.policy_acceptance.tasks.policy_announcements_resume", ignore_result=True)
def policy_announcements_resume() -> int:
    """Finish stalled announcements and tell citizens who signed up since a version was announced."""
    ids = services.policy_announcements_to_resume(stale_after=STALE_AFTER)
    for version_id in ids:
        policy_announce.apply_async(args=[version_id])
    return len(ids)
