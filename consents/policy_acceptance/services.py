"""Policy changes: publishing a version, announcing it, showing it, accepting it.

Acceptance of a material version is a ledger event: ``RECONFIRMED`` on the
basic purpose ``service_provision`` with ``policy_version`` set to the
version accepted, hash-chained with the person's other consent events.
"""

from django.contrib.auth import get_user_model
from django.contrib.sites.models import Site
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from consents import services as consent_services
from consents.models import (
    ConsentAction,
    ConsentChannel,
    ConsentEvent,
    ConsentSubject,
    PolicyDisplay,
    PolicyVersion,
    Purpose,
)
from consents.selectors import policy_current
from consents.services import ConsentError
from notifications.models import InboxMessage
from notifications.services import notify_bulk
from notifications.tasks import outbox_send_batch
from privacy_portal.dispatch import dispatch_on_commit

from . import conf, tasks
from .selectors import ACCEPTANCE_PURPOSE, policy_banner_recorded, policy_is_published

NOTIFICATION_KIND = "policy_changed"


def policy_is_draft(*, version: PolicyVersion) -> bool:
    return version.published_at is None


# -- What was shown ---------------------------------------------------------


def policy_display_record(
    *, subject, context: str, version: PolicyVersion | None = None, purpose: Purpose | None = None
) -> PolicyDisplay | None:
    """Write down that ``subject`` was shown a consent request or policy notice, and under which version."""
    version = version or policy_current()
    if version is None or not getattr(subject, "is_authenticated", False):
        return None
    return PolicyDisplay.objects.create(subject=subject, policy_version=version, purpose=purpose, context=context)


def policy_banner_record(*, user, version: PolicyVersion) -> bool:
    """Record the banner for ``version`` the first time ``user`` sees it; return whether this call did."""
    if policy_banner_recorded(user=user, version=version):
        return False
    policy_display_record(subject=user, version=version, context=PolicyDisplay.Context.POLICY_BANNER)
    return True


# -- Acceptance ------------------------------------------------------------


def policy_accept(*, user, version: PolicyVersion, channel: str = ConsentChannel.WEB) -> ConsentEvent:
    """Record that ``user`` read and accepts ``version``; accepting twice records it once.

    Raises ``ConsentError`` for a version that is not published and in effect.
    """
    now = timezone.now()
    if not policy_is_published(version=version, on=now) or version.effective_at > now:
        raise ConsentError(_("This version of the policy is not in effect."))
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
        audit.record(
            user,
            "consent.policy_accepted",
            ("accounts.user", user.pk),
            {"policy_version": version.version, "material": version.material, "event_seq": event.seq},
        )
    return event


# -- Publication and announcement ------------------------------------------


def policy_publish(*, version: PolicyVersion, actor) -> PolicyVersion:
    """Publish ``version`` now (if it is still a draft) and queue its announcement.

    Publishing again only re-queues the announcement, which skips everyone
    already told: it is how an interrupted announcement is resumed.
    """
    with transaction.atomic():
        version = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        if policy_is_draft(version=version):
            version.published_at = timezone.now()
            version.save(update_fields=["published_at"])
            audit.record(
                actor,
                "consent.policy_published",
                version,
                {"version": version.version, "material": version.material},
            )
        dispatch_on_commit(tasks.policy_announce, version.pk)
    return version


def _site_url() -> str:
    from django.conf import settings

    protocol = getattr(settings, "ACCOUNT_DEFAULT_HTTP_PROTOCOL", "https")
    return f"{protocol}://{Site.objects.get_current().domain}"


def policy_announce(*, version: PolicyVersion, batch_size: int | None = None) -> int:
    """Tell every active citizen about ``version``: an inbox message and an email each.

    Written in batches of ``batch_size`` people, one transaction a batch, so
    locks stay short and a failure loses one batch at most. Idempotent: a
    person already told about this version (an inbox message of this kind
    linking to it) is skipped, so re-running resumes where a run stopped.
    Returns how many people were told.
    """
    if not policy_is_published(version=version):
        raise ValueError("only a published policy version is announced")
    batch_size = batch_size or conf.announce_batch_size()
    base = _site_url()
    changes_path = f"/policy/{version.version}/changes/"
    context = {
        "version": version,
        "version_url": f"{base}/policy/{version.version}/",
        "changes_url": f"{base}{changes_path}",
    }
    told = InboxMessage.objects.filter(recipient=OuterRef("pk"), kind=NOTIFICATION_KIND, body__contains=changes_path)
    citizens = get_user_model().objects.filter(is_active=True, is_staff=False).exclude(Exists(told))
    count, last_pk = 0, 0
    while True:
        batch = list(citizens.filter(pk__gt=last_pk).order_by("pk")[:batch_size])
        if not batch:
            return count
        with transaction.atomic():
            # Two bulk inserts a batch (inbox, outbox), then one send task over one connection.
            emailed = notify_bulk(kind=NOTIFICATION_KIND, people=batch, context=context, personalise=True)
            if emailed:
                dispatch_on_commit(outbox_send_batch, sorted(emailed.values()))
        count += len(batch)
        last_pk = batch[-1].pk
