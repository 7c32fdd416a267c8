"""Celery entry points: load by id, call the service."""

from celery import shared_task

from consents.models import PolicyVersion

from . import services


@shared_task(name="consents.policy_acceptance.tasks.policy_announce", ignore_result=True)
def policy_announce(version_id: int) -> int:
    version = PolicyVersion.objects.filter(pk=version_id).first()
    if version is None or services.policy_is_draft(version=version):
        return 0
    return services.policy_announce(version=version)
