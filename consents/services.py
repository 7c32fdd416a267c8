"""Consent changes. Every grant and withdrawal goes through here.

Each change appends a hash-chained ``ConsentEvent`` and updates the
``ConsentState`` row in the same transaction, and leaves an audit record.
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.hash_chain import chain_advance, chain_link
from webhooks.events import EventType
from webhooks.services import webhook_event_publish

from .dashboard.catalogue_table import dashboard_catalogue_table
from .hashing import consent_event_content
from .models import (
    ConsentAction,
    ConsentChannel,
    ConsentEvent,
    ConsentState,
    ConsentSubject,
    Partner,
    PolicyDisplay,
    PolicyVersion,
    Purpose,
)
from .selectors import guardian_confirmed, policy_current
from .table_caches import catalogue_table
from .withdrawal_hooks import withdrawal_hooks_run


class ConsentError(ValueError):
    """A consent change that the rules do not allow; the message is for the person."""


def _check_actor(*, subject, actor, channel: str, action: str) -> bool:
    """Return whether the actor decides as the minor's guardian; refuse others."""
    if channel == ConsentChannel.STAFF:
        return False
    if actor is None or actor.pk == subject.pk:
        # A child may always say no for themself (withdrawing only protects
        # them) and take note of a new policy; saying yes is the guardian's.
        if subject.is_minor and action == ConsentAction.GRANTED:
            raise ConsentError(_("For a child under 14, a guardian makes this choice from their own account."))
        return False
    if guardian_confirmed(guardian=actor, minor=subject):
        return True
    raise ConsentError(_("You cannot make this choice for another person."))


def _append(*, subject, purpose: Purpose, partner: Partner | None, action: str, channel: str, actor, policy_version):
    head, _created = ConsentSubject.objects.select_for_update().get_or_create(user=subject)
    now = timezone.now()
    link = chain_link(
        head,
        consent_event_content(
            subject_ref=head.ref,
            purpose_id=purpose.pk,
            purpose_version=purpose.version,
            partner_id=getattr(partner, "pk", None),
            action=action,
            policy_version_id=getattr(policy_version, "pk", None),
            channel=channel,
            actor_id=getattr(actor, "pk", None),
            created_at=now,
        ),
    )
    event = ConsentEvent.objects.create(
        subject_ref=head.ref,
        seq=link.seq,
        subject=subject,
        purpose=purpose,
        purpose_version=purpose.version,
        partner=partner,
        action=action,
        policy_version=policy_version,
        channel=channel,
        actor=actor,
        created_at=now,
        prev_hash=link.prev_hash,
        hash=link.hash,
        key_id=link.key_id,
    )
    chain_advance(head, link)
    return event


def _record(*, subject, purpose, partner, action, channel, actor, policy_version) -> ConsentEvent:
    by_guardian = _check_actor(subject=subject, actor=actor, channel=channel, action=action)
    policy_version = policy_version or policy_current()
    with transaction.atomic():
        event = _append(
            subject=subject,
            purpose=purpose,
            partner=partner,
            action=action,
            channel=channel,
            actor=actor or subject,
            policy_version=policy_version,
        )
        ConsentState.objects.update_or_create(
            subject=subject,
            purpose=purpose,
            partner=partner,
            defaults={
                "granted": action != ConsentAction.WITHDRAWN,
                "purpose_version": purpose.version,
                "policy_version": policy_version,
                "channel": channel,
                "by_guardian": by_guardian,
                "event": event,
                "updated_at": event.created_at,
            },
        )
        audit_record(
            actor=actor or subject,
            action=f"consent.{action}",
            target=("accounts.user", subject.pk),
            details={
                "purpose": purpose.code,
                "partner": getattr(partner, "code", None),
                "channel": channel,
                "event_seq": event.seq,
            },
        )
        if action in (ConsentAction.GRANTED, ConsentAction.WITHDRAWN):
            # Services that use the consent learn of the change from the same transaction
            # (an outbox row), so a withdrawal cannot be committed without its push.
            webhook_event_publish(
                event_type=EventType.CONSENT_CHANGED,
                payload={
                    "subject": subject.pk,
                    "purpose": purpose.code,
                    "partner": getattr(partner, "code", None),
                    "state": "granted" if action == ConsentAction.GRANTED else "withdrawn",
                    "effective_at": event.created_at.isoformat(),
                    "ledger_event": event.pk,
                    "ledger_hash": event.hash,
                },
            )
    return event


def _check_partner(*, purpose: Purpose, partner: Partner | None) -> None:
    if partner is None:
        return
    if not partner.purposes.filter(pk=purpose.pk).exists():
        raise ConsentError(_("This partner does not receive data for this purpose."))


def consent_grant(
    *,
    subject,
    purpose: Purpose,
    partner: Partner | None = None,
    channel: str = ConsentChannel.WEB,
    actor=None,
    policy_version: PolicyVersion | None = None,
) -> ConsentEvent:
    """Record that ``subject`` agrees to ``purpose`` (with ``partner``, if given)."""
    if not purpose.active:
        raise ConsentError(_("This purpose is no longer in use."))
    _check_partner(purpose=purpose, partner=partner)
    if partner is not None and not partner.agreement_in_force():
        raise ConsentError(_("This partner's agreement has expired; data cannot be shared with it."))
    return _record(
        subject=subject,
        purpose=purpose,
        partner=partner,
        action=ConsentAction.GRANTED,
        channel=channel,
        actor=actor,
        policy_version=policy_version,
    )


def consent_withdraw(
    *,
    subject,
    purpose: Purpose,
    partner: Partner | None = None,
    channel: str = ConsentChannel.WEB,
    actor=None,
    policy_version: PolicyVersion | None = None,
    keep_data: bool = False,
) -> ConsentEvent:
    """Record that ``subject`` withdraws consent. Effective at once.

    Withdrawing consent to a purpose also withdraws the sharing with each of
    its partners: sharing rests on the purpose. It also runs the purpose's
    withdrawal hooks (``consents.withdrawal_hooks``, e.g. deleting the
    location history) in the same transaction: the data that rested on the
    consent goes with it, or the withdrawal does not happen. ``keep_data``
    skips the hooks, for a feature that lets the person choose to keep that
    data (clause 2.2.1 *offers* to delete the location history); the data
    then ages out under its retention rule, and the caller records the choice.
    """
    if purpose.is_basic:
        raise ConsentError(_("This use is needed to provide the service and cannot be withdrawn."))
    _check_partner(purpose=purpose, partner=partner)
    with transaction.atomic():
        event = _record(
            subject=subject,
            purpose=purpose,
            partner=partner,
            action=ConsentAction.WITHDRAWN,
            channel=channel,
            actor=actor,
            policy_version=policy_version,
        )
        if partner is None:
            shared = ConsentState.objects.filter(
                subject=subject, purpose=purpose, partner__isnull=False, granted=True
            ).select_related("partner")
            for state in shared:
                _record(
                    subject=subject,
                    purpose=purpose,
                    partner=state.partner,
                    action=ConsentAction.WITHDRAWN,
                    channel=channel,
                    actor=actor,
                    policy_version=policy_version,
                )
            # Only the purpose as a whole: stopping one partner's sharing leaves the purpose's own data in use.
            if not keep_data:
                withdrawal_hooks_run(subject=subject, purpose_code=purpose.code, actor=actor or subject)
    return event


def consent_reconfirm(
    *,
    subject,
    purpose: Purpose,
    policy_version: PolicyVersion,
    channel: str = ConsentChannel.WEB,
    actor=None,
) -> ConsentEvent:
    """Record that ``subject`` confirms a purpose under a new policy version (e.g. accepting a material change)."""
    return _record(
        subject=subject,
        purpose=purpose,
        partner=None,
        action=ConsentAction.RECONFIRMED,
        channel=channel,
        actor=actor,
        policy_version=policy_version,
    )


def purpose_widen(*, purpose: Purpose, actor, data_categories=(), partners=()) -> Purpose:
    """Extend a purpose to more data or more partners.

    Older consents do not cover the wider purpose: raising ``version`` makes
    the consent check answer "no" until each person consents again.
    """
    with transaction.atomic():
        purpose = Purpose.objects.select_for_update().get(pk=purpose.pk)
        new_categories = [c for c in data_categories if not purpose.data_categories.filter(pk=c.pk).exists()]
        new_partners = [p for p in partners if not p.purposes.filter(pk=purpose.pk).exists()]
        if not new_categories and not new_partners:
            return purpose
        purpose.data_categories.add(*new_categories)
        for partner in new_partners:
            partner.purposes.add(purpose)
        purpose.version += 1
        purpose.save(update_fields=["version"])
        audit_record(
            actor=actor,
            action="consent.purpose_widened",
            target=purpose,
            details={
                "version": purpose.version,
                "data_categories": [c.code for c in new_categories],
                "partners": [p.code for p in new_partners],
            },
        )
    return purpose


def partner_widen(*, partner: Partner, data_categories, actor) -> None:
    """A partner now receives more data: each of its purposes is wider than the consents given before."""
    new = [c for c in data_categories if not partner.data_categories.filter(pk=c.pk).exists()]
    if not new:
        return
    with transaction.atomic():
        partner.data_categories.add(*new)
        purposes = list(partner.purposes.select_for_update())
        Purpose.objects.filter(pk__in=[p.pk for p in purposes]).update(version=F("version") + 1)
        # ``update()`` sends no signal: the processes' copies of the catalogue must still learn the new versions.
        catalogue_table.invalidate()
        dashboard_catalogue_table.invalidate()
        for purpose in purposes:
            audit_record(
                actor=actor,
                action="consent.purpose_widened",
                target=purpose,
                details={
                    "version": purpose.version + 1,
                    "partner": partner.code,
                    "partner_data_categories": [c.code for c in new],
                },
            )


def policy_display_record(
    *, subject, context: str, version: PolicyVersion | None = None, purpose: Purpose | None = None
) -> PolicyDisplay | None:
    """Write down that ``subject`` was shown a consent request or policy notice, and under which version.

    The one writer of ``PolicyDisplay``: the ledger's consents name the
    version, and this is the evidence that the person had that text before
    them. Without ``version``, the policy now in effect; None when there is
    none yet or nobody is signed in.
    """
    version = version or policy_current()
    if version is None or not getattr(subject, "is_authenticated", False):
        return None
    return PolicyDisplay.objects.create(subject=subject, policy_version=version, purpose=purpose, context=context)
