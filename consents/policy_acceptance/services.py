"""Policy changes: publishing a version, announcing it, showing it, accepting it.

Acceptance of a material version is a ledger event: ``RECONFIRMED`` on the
basic purpose ``service_provision`` with ``policy_version`` set to the
version accepted, hash-chained with the person's other consent events.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import citizen_accounts
from audit.services import audit_record
from consents import services as consent_services
from consents.fanout_topics import POLICY_ANNOUNCEMENTS
from consents.models import (
    ConsentAction,
    ConsentChannel,
    ConsentEvent,
    ConsentSubject,
    PolicyDisplay,
    PolicyVersion,
    Purpose,
)
from consents.services import ConsentError, policy_display_record
from core.dispatch import dispatch_on_commit
from core.site import site_url
from notifications import fanout
from notifications.models import FanOut

from . import conf, tasks
from .selectors import (
    ACCEPTANCE_PURPOSE,
    DECLINED_AUDIT_ACTION,
    policy_accepted,
    policy_banner_recorded,
    policy_declined,
    policy_is_published,
)

# Announcements run on the generic fan-out, one per version: "policy:<version pk>"
# (the topic consents/fanout_topics.py registers).
ANNOUNCEMENT_KEY_PREFIX = POLICY_ANNOUNCEMENTS.key_prefix


def policy_is_draft(*, version: PolicyVersion) -> bool:
    return version.published_at is None


# -- What was shown ---------------------------------------------------------


def policy_banner_record(*, user, version: PolicyVersion) -> bool:
    """Record the banner for ``version`` the first time ``user`` sees it; return whether this call did."""
    if policy_banner_recorded(user=user, version=version):
        return False
    policy_display_record(subject=user, version=version, context=PolicyDisplay.Context.POLICY_BANNER)
    return True


# -- Acceptance ------------------------------------------------------------


def _check_in_effect(version: PolicyVersion) -> None:
    now = timezone.now()
    if not policy_is_published(version=version, on=now) or version.effective_at > now:
        raise ConsentError(_("This version of the policy is not in effect."))


def policy_accept(*, user, version: PolicyVersion, channel: str = ConsentChannel.WEB) -> ConsentEvent:
    """Record that ``user`` read and accepts ``version``; accepting twice records it once.

    Raises ``ConsentError`` for a version that is not published and in effect.
    """
    _check_in_effect(version)
    purpose = Purpose.objects.get(code=ACCEPTANCE_PURPOSE)
    with transaction.atomic():
        # The ledger head's lock serialises a double click: the second one
        # finds the first one's event.
        ConsentSubject.objects.select_for_update().get_or_create(user=user)
        earlier = (
            ConsentEvent.objects.filter(
                subject=user,
                purpose=purpose,
                action=ConsentAction.RECONFIRMED,
                policy_version__effective_at__gte=version.effective_at,
            )
            .order_by("-created_at")
            .first()
        )
        if earlier is not None:
            return earlier
        event = consent_services.consent_reconfirm(
            subject=user, purpose=purpose, policy_version=version, channel=channel
        )
        audit_record(
            actor=user,
            action="consent.policy_accepted",
            target=("accounts.user", user.pk),
            details={"policy_version": version.version, "material": version.material, "event_seq": event.seq},
        )
    return event


def policy_decline(*, user, version: PolicyVersion, channel: str = ConsentChannel.WEB) -> bool:
    """Record that ``user`` does not accept ``version``; return whether this call recorded it.

    Declining is a real choice, not a dead end: no consent changes, every
    right (requests, withdrawal, complaints, cancellation) stays open, and
    only what rests on the new terms (turning on optional uses) keeps
    asking for acceptance. The decision goes to the audit log, not the
    ledger, because it grants and withdraws nothing. Declining again records
    nothing; declining what was already accepted is refused
    (``ConsentError``): the ledger holds that "yes", and only a withdrawal
    can undo it.
    """
    _check_in_effect(version)
    with transaction.atomic():
        # The ledger head's lock, as for accepting: a double click, or a
        # "yes" racing a "no", is decided in one order.
        ConsentSubject.objects.select_for_update().get_or_create(user=user)
        if policy_accepted(user=user, version=version):
            raise ConsentError(_("You have already accepted this version of the policy."))
        if policy_declined(user=user, version=version):
            return False
        audit_record(
            actor=user,
            action=DECLINED_AUDIT_ACTION,
            target=("accounts.user", user.pk),
            details={"policy_version": version.version, "material": version.material, "channel": str(channel)},
        )
    return True


# -- Publication and announcement ------------------------------------------


def policy_publish(*, version: PolicyVersion, actor) -> PolicyVersion:
    """Publish ``version`` now (if it is still a draft) and queue its announcement.

    Publishing again only re-queues the announcement, which skips everyone
    already told: it is how an interrupted announcement is resumed. A draft
    whose effective date has come is refused (``ValidationError``, code
    "past"): people must be told of a new version before it takes effect.
    """
    with transaction.atomic():
        version = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        if policy_is_draft(version=version) and version.effective_at <= timezone.now():
            raise ValidationError(
                _("Choose a future date: people must be told of a new version before it takes effect."),
                code="past",
            )
        if policy_is_draft(version=version):
            version.published_at = timezone.now()
            version.save(update_fields=["published_at"])
            audit_record(
                actor=actor,
                action="consent.policy_published",
                target=version,
                details={"version": version.version, "material": version.material},
            )
        dispatch_on_commit(tasks.policy_announce, version.pk)
    return version


def policy_announcement_audience(*, version: PolicyVersion):
    """Who is told about ``version``: active citizens whose account existed before it takes effect.

    Someone who registers after that date was shown this very text when
    registering, so there is nothing to announce to them.
    """
    return citizen_accounts().filter(date_joined__lt=version.effective_at)


def policy_announce(*, version: PolicyVersion, batch_size: int | None = None, max_batches: int | None = None) -> int:
    """Tell every citizen in the audience about ``version``: an inbox message and an email each.

    Runs on the generic fan-out (key ``policy:<version pk>``), so progress
    shows in admin like an incident's and "already told" is the per-person
    fan-out record. Written in batches of ``batch_size`` people, one
    transaction a batch, so a failure loses one batch at most and running
    again resumes where a run stopped. A finished announcement is reopened
    for citizens who joined the audience since (signed up before the version
    takes effect); nobody is told twice. ``max_batches`` stops early (tests
    simulate a crash with it). Returns how many people this call told.
    """
    if not policy_is_published(version=version):
        raise ValueError("only a published policy version is announced")
    audience = policy_announcement_audience(version=version)
    base = site_url()
    # The same text for everyone in a language (no names: they are personal
    # data, and one text per language lets the database write the rows).
    context = {
        "version": version,
        "version_url": f"{base}/policy/{version.version}/",
        "changes_url": f"{base}/policy/{version.version}/changes/",
    }
    announcement = fanout.fan_out_start(
        key=_announcement_key(version.pk), kind=POLICY_ANNOUNCEMENTS.kind, recipients=audience
    )
    fanout.fan_out_reopen(fan_out=announcement, recipients=audience)
    return fanout.fan_out_run(
        fan_out=announcement,
        recipients=audience,
        context=context,
        batch_size=batch_size or conf.announce_batch_size(),
        max_batches=max_batches,
    )


def policy_announcements_to_resume(*, stale_after: timedelta) -> list[int]:
    """Published versions whose announcement should run again, by id.

    A version still to come is offered again unless its run is busy right
    now: its audience grows as citizens sign up, and a run with nobody new
    to tell writes nothing. A version in effect is only resumed when its run
    stalled (a killed worker, a task lost with the broker).
    """
    now = timezone.now()
    unfinished = dict(
        FanOut.objects.filter(key__startswith=ANNOUNCEMENT_KEY_PREFIX, finished_at__isnull=True).values_list(
            "key", "updated_at"
        )
    )
    busy = {key for key, updated_at in unfinished.items() if updated_at >= now - stale_after}
    published = PolicyVersion.objects.filter(published_at__lte=now)
    upcoming = published.filter(effective_at__gt=now).values_list("pk", flat=True)
    stalled = published.filter(pk__in=[_version_pk(key) for key in unfinished.keys() - busy]).values_list(
        "pk", flat=True
    )
    return sorted({pk for pk in upcoming if _announcement_key(pk) not in busy} | set(stalled))


def _announcement_key(version_pk: int) -> str:
    return POLICY_ANNOUNCEMENTS.key(version_pk)


def _version_pk(key: str) -> int:
    return int(key.removeprefix(ANNOUNCEMENT_KEY_PREFIX))
