"""Interest tags and the recommendations opt-out.

Tags exist only for personalised recommendations: without that consent none
is added, and opting out deletes the ones kept, since nothing may use them.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from consents.models import ConsentEvent, InterestTag
from consents.services import consent_grant, consent_withdraw

from .selectors import recommendations_allowed, recommendations_purpose

TAG_MAX_LENGTH = int(InterestTag._meta.get_field("tag").max_length or 0)


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

    Returns how many tags were deleted.
    """
    with transaction.atomic():
        consent_withdraw(subject=subject, purpose=recommendations_purpose(), channel=channel, actor=actor)
        return interest_tags_delete_all(user=subject, actor=actor)


def recommendations_opt_in(*, subject, actor, channel: str) -> ConsentEvent:
    return consent_grant(subject=subject, purpose=recommendations_purpose(), channel=channel, actor=actor)
