"""Interest tags and the recommendations opt-out.

Tags exist only for personalised recommendations: without that consent none
is added, and opting out deletes the ones kept, since nothing may use them.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from consents.models import ConsentEvent, ConsentState, InterestTag
from consents.selectors import UNKNOWN_SUBJECT, consent_check_many
from consents.services import consent_grant, consent_withdraw
from consents.table_caches import purpose_cached

from .selectors import PURPOSE_CODE, recommendations_allowed, recommendations_purpose

TAG_MAX_LENGTH = int(InterestTag._meta.get_field("tag").max_length or 0)
# One signal carries what a service learnt from one visit, not a profile.
SIGNAL_TAGS_MAX = 20


class InterestTagInvalid(ValueError):
    """A tag the rules refuse; the message is for the person."""


def _clean_tag(tag: str) -> str:
    cleaned = " ".join(str(tag or "").split())
    if not cleaned:
        raise InterestTagInvalid(_("An interest cannot be empty."))
    if len(cleaned) > TAG_MAX_LENGTH:
        raise InterestTagInvalid(_("An interest can be at most %(limit)d characters long.") % {"limit": TAG_MAX_LENGTH})
    return cleaned.lower()


def interest_tag_add(*, user, tag: str) -> InterestTag | None:
    """Note an interest of ``user``; None, and nothing kept, without consent to recommendations."""
    cleaned = _clean_tag(tag)
    if not recommendations_allowed(user=user):
        return None
    interest, _created = InterestTag.objects.get_or_create(user=user, tag=cleaned)
    return interest


class InterestSignalRefused(Exception):
    """Nothing was recorded; ``reason`` is ``unknown_subject`` or the consent check's reason."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def interest_signals_record(*, subject_id: int, tags: list[str], client_id: int) -> list[str]:
    """Keep the interests a platform service observed, only while the person's recommendations consent stands.

    Returns the tags as kept (normalised, each once). Refused as a whole, nothing
    kept, for an unknown or closed account or without consent. The person's consent
    row is locked first: a withdrawal running at the same moment either waits for
    this transaction (and its hook then deletes these tags too) or has committed
    before it (and the check below refuses).
    """
    cleaned = list(dict.fromkeys(_clean_tag(tag) for tag in tags))
    if not cleaned:
        raise InterestTagInvalid(_("Send at least one interest."))
    if len(cleaned) > SIGNAL_TAGS_MAX:
        raise InterestTagInvalid(_("Send at most %(limit)d interests at a time.") % {"limit": SIGNAL_TAGS_MAX})
    purpose = purpose_cached(PURPOSE_CODE) or recommendations_purpose()
    with transaction.atomic():
        list(
            ConsentState.objects.select_for_update()
            .filter(subject_id=subject_id, purpose=purpose, partner__isnull=True)
            .values_list("pk", flat=True)
        )
        decision = consent_check_many(subject_ids=[subject_id], purpose=purpose)[subject_id]
        if decision is UNKNOWN_SUBJECT:
            raise InterestSignalRefused(UNKNOWN_SUBJECT.reason)
        if not decision.allowed:
            raise InterestSignalRefused(decision.reason)
        InterestTag.objects.bulk_create(
            [InterestTag(user_id=subject_id, tag=tag) for tag in cleaned], ignore_conflicts=True
        )
        # Ids and a count only: the tags themselves are personal data.
        audit_record(
            actor=None,
            action="interests.signals_recorded",
            target=("accounts.user", subject_id),
            details={"service_client_id": client_id, "count": len(cleaned)},
        )
    return cleaned


def interest_tags_delete_on_withdrawal(*, user, actor) -> int:
    """The tags go with the consent they rested on; no audit event when there were none."""
    if not InterestTag.objects.filter(user=user).exists():
        return 0
    return interest_tags_delete_all(user=user, actor=actor)


def interest_tag_delete(*, tag: InterestTag, actor) -> None:
    """Delete one tag (reached through ``access_interest_tag``). The audit keeps ids, never the tag."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="interests.tag_deleted",
            target=("accounts.user", tag.user_id),
            details={"tag_id": tag.pk},
        )
        tag.delete()


def interest_tags_delete_all(*, user, actor) -> int:
    """Delete every tag kept about ``user``; returns how many."""
    with transaction.atomic():
        deleted, _per_model = InterestTag.objects.filter(user=user).delete()
        audit_record(
            actor=actor, action="interests.tags_deleted", target=("accounts.user", user.pk), details={"count": deleted}
        )
    return deleted


def recommendations_opt_out(*, subject, actor, channel: str) -> int:
    """Withdraw consent to recommendations, at once, and delete the tags that served them.

    The withdrawal's hook (``consents.consent_withdrawal``) deletes the tags, as it
    does for a withdrawal made anywhere else. Returns how many tags were deleted.
    """
    with transaction.atomic():
        kept = InterestTag.objects.filter(user=subject).count()
        consent_withdraw(subject=subject, purpose=recommendations_purpose(), channel=channel, actor=actor)
        return kept


def recommendations_opt_in(*, subject, actor, channel: str) -> ConsentEvent:
    return consent_grant(subject=subject, purpose=recommendations_purpose(), channel=channel, actor=actor)
