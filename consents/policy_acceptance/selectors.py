"""Which policy version a person must be told about or must accept.

A policy version is published once ``published_at`` has passed; before that
(or while it is empty) it is a draft. A material version in
effect must be accepted by every signed-in person whose account existed
before it took effect: someone who registered later was shown that text
when they registered.
"""

from dataclasses import dataclass

from django.utils import timezone

from audit.models import AuditEvent
from consents.models import ConsentAction, ConsentEvent, PolicyDisplay, PolicyVersion
from consents.table_caches import policy_versions_table

# Acceptance is recorded on the basic purpose every account rests on.
ACCEPTANCE_PURPOSE = "service_provision"
# Declining changes no consent, so it is no ledger event: the audit log holds it.
DECLINED_AUDIT_ACTION = "consent.policy_declined"

# Where a person stands on the material version in force (``policy_standing_for``).
ACCEPTED = "accepted"
DECLINED = "declined"
PENDING = "pending"


@dataclass(frozen=True)
class PolicyNotices:
    """What every page needs to know about policy versions, from one query."""

    #: The newest published material version in effect: signed-in people must have accepted it.
    required: PolicyVersion | None
    #: The soonest published version not yet in effect: the banner announces it.
    upcoming: PolicyVersion | None


def policy_notices(*, on=None) -> PolicyNotices:
    """Both answers from the process's copy of the small policy-version table: no query when warm.

    Every signed-in page asks (the material-policy middleware and the
    banner), so the versions come from ``consents.table_caches``, which
    reloads them when a version is saved anywhere in the deployment.
    """
    now = on or timezone.now()
    # Newest effective first; published only, and only those that matter here.
    rows = [
        row
        for row in policy_versions_table.get()
        if row.published_at is not None and row.published_at <= now and (row.effective_at > now or row.material)
    ]
    upcoming = min((row for row in rows if row.effective_at > now), key=lambda row: row.effective_at, default=None)
    required = next((row for row in rows if row.effective_at <= now and row.material), None)
    return PolicyNotices(required=required, upcoming=upcoming)


def policy_notices_for_request(request) -> PolicyNotices:
    """``policy_notices`` once per request, shared by the middleware and the banner."""
    notices = getattr(request, "_policy_notices", None)
    if notices is None:
        notices = request._policy_notices = policy_notices()
    return notices


def policy_material_required(*, on=None) -> PolicyVersion | None:
    """The newest published material version in effect; accepting it covers any older one."""
    return policy_notices(on=on).required


def policy_accepted(*, user, version: PolicyVersion) -> bool:
    """Has ``user`` accepted ``version`` (or a later version) as a ledger event?"""
    return ConsentEvent.objects.filter(
        subject=user,
        purpose__code=ACCEPTANCE_PURPOSE,
        action=ConsentAction.RECONFIRMED,
        policy_version__effective_at__gte=version.effective_at,
    ).exists()


def policy_acceptance_due(*, user, version: PolicyVersion | None) -> bool:
    """Must ``user`` accept ``version`` before going on? Registration after it took effect counts as reading it."""
    if version is None or not getattr(user, "is_authenticated", False):
        return False
    if user.date_joined >= version.effective_at:
        return False
    return not policy_accepted(user=user, version=version)


def policy_declined(*, user, version: PolicyVersion) -> bool:
    """Has ``user`` said they do not accept ``version``? (A later acceptance is the ledger's to tell.)"""
    return AuditEvent.objects.filter(
        action=DECLINED_AUDIT_ACTION,
        target_type="accounts.user",
        target_id=str(user.pk),
        details__policy_version=version.version,
    ).exists()


def policy_standing_for(*, user, version: PolicyVersion) -> str:
    """``ACCEPTED`` (or never asked), ``DECLINED`` or ``PENDING``: at most two queries.

    Accepting after declining counts: the later "yes" is a ledger event, and
    the ledger is asked first.
    """
    if not policy_acceptance_due(user=user, version=version):
        return ACCEPTED
    return DECLINED if policy_declined(user=user, version=version) else PENDING


def policy_pending_for(*, user) -> PolicyVersion | None:
    """The material version ``user`` still has to accept, with its texts, or None."""
    required = policy_material_required()
    if required is None or not policy_acceptance_due(user=user, version=required):
        return None
    return PolicyVersion.objects.get(pk=required.pk)


def policy_banner_recorded(*, user, version: PolicyVersion) -> bool:
    return PolicyDisplay.objects.filter(
        subject=user, policy_version=version, context=PolicyDisplay.Context.POLICY_BANNER
    ).exists()


def policy_is_published(*, version: PolicyVersion, on=None) -> bool:
    return version.published_at is not None and version.published_at <= (on or timezone.now())
