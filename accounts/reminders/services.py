"""Writes: sending the reminders that are due, turning reminders off and on."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.services import audit_record
from core.site import site_url
from notifications import fanout

from ..fanout_topics import EMAIL_REMINDERS, IDENTITY_REMINDERS
from ..models import User
from . import links, selectors
from .schedule import AFTER_DAYS, Step

_TOPICS = {Step.EMAIL: EMAIL_REMINDERS, Step.IDENTITY: IDENTITY_REMINDERS}


def _stop_links(user_ids: list[int]) -> dict[int, dict]:
    return {user_id: {"stop_url": links.stop_url(user_id=user_id)} for user_id in user_ids}


def reminders_send_due(*, now=None, batch_size: int = fanout.BATCH_SIZE) -> int:
    """Remind everyone whose reminder is due today; return how many people were written to.

    Each (step, number) is one fan-out that lives for good: today's due
    people are added to its audience, and its per-person records keep
    anyone already reminded out, so a rerun (or two runs at once: each batch
    locks the fan-out) sends nothing twice, and a person gets each of the
    two reminders at most once.
    """
    now = now or timezone.now()
    told = 0
    for step, topic in _TOPICS.items():
        context = {
            "login_url": site_url(reverse("account_login")),
            "verify_url": site_url(reverse("accounts:identity_verify")),
        }
        for number in AFTER_DAYS:
            due = selectors.reminders_due(step=step, number=number, now=now)
            reminder = fanout.fan_out_start(key=topic.key(number), kind=topic.kind, recipients=due)
            fanout.fan_out_reopen(fan_out=reminder, recipients=due)
            told += fanout.fan_out_run(
                fan_out=reminder,
                recipients=due,
                context={**context, "number": number},
                batch_size=batch_size,
                personal=_stop_links,
            )
    return told


def reminders_set(*, user: User, enabled: bool, actor=None) -> bool:
    """Turn ``user``'s reminders on or off; return whether anything changed (a second "off" changes nothing)."""
    with transaction.atomic():
        changed = User.objects.filter(pk=user.pk).exclude(reminders_enabled=enabled).update(reminders_enabled=enabled)
        user.reminders_enabled = enabled
        if changed:
            audit_record(
                actor=actor or user,
                action="account.reminders_on" if enabled else "account.reminders_off",
                target=user,
                details={},
            )
    return bool(changed)
