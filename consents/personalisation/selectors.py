"""Reading interest tags and what to recommend from them."""

from dataclasses import dataclass

from django.http import Http404

from consents.models import InterestTag, OptionalService, Purpose, ServiceEnrolment
from consents.selectors import consent_check, consent_snapshot_for, purpose_by_code
from consents.table_caches import purpose_cached

PURPOSE_CODE = "recommendations"
RECOMMENDATIONS_SHOWN = 3


def recommendations_purpose() -> Purpose:
    return purpose_by_code(PURPOSE_CODE)


def recommendations_allowed(*, user) -> bool:
    """Whether this person consented to personalised recommendations (and it still covers them)."""
    # Every signed-in page asks (``{% recommendations_for_you %}``): the purpose comes from
    # the process's catalogue, not a query, unless a page snapshot already holds it.
    purpose = None if consent_snapshot_for(subject=user) is not None else purpose_cached(PURPOSE_CODE)
    return consent_check(subject=user, purpose=purpose or recommendations_purpose()).allowed


def interest_tags_for(*, user):
    return InterestTag.objects.filter(user=user).order_by("tag", "pk")


def access_interest_tag(*, user, tag_id) -> InterestTag:
    """One of ``user``'s own tags by id; 404 for anybody else's."""
    tag = InterestTag.objects.filter(pk=tag_id, user=user).first()
    if tag is None:
        raise Http404
    return tag


@dataclass(frozen=True)
class Recommendation:
    service: OptionalService
    # The tags that made us suggest it, shown beside it: "because you…".
    because: tuple[str, ...]


def _normal(text: str) -> str:
    return " ".join(text.lower().replace("_", " ").split())


def _matches(tag: str, service: OptionalService) -> bool:
    """A tag matches a service it names, in part or whole ("transport", "公积金", "taxation")."""
    needle = _normal(tag)
    if len(needle) < 2:
        return False
    names = (_normal(service.code), _normal(service.name_en), service.name_zh)
    return any(needle in name or name in needle for name in names)


def recommendations_for(*, user, limit: int = RECOMMENDATIONS_SHOWN) -> list[Recommendation] | None:
    """Up to ``limit`` optional services matching the person's interest tags.

    None (not an empty list) when the person has not consented: the caller
    must then show nothing at all, not even a heading. Services the person
    already uses are not suggested. Four queries, whatever the numbers.
    """
    if not recommendations_allowed(user=user):
        return None
    tags = [tag.tag for tag in interest_tags_for(user=user)]
    if not tags:
        return []
    enrolled = set(
        ServiceEnrolment.objects.filter(user=user, state=ServiceEnrolment.State.ENROLLED).values_list(
            "service_id", flat=True
        )
    )
    suggestions = []
    for service in OptionalService.objects.filter(active=True).select_related("purpose").order_by("code"):
        if service.pk in enrolled:
            continue
        because = tuple(tag for tag in tags if _matches(tag, service))
        if because:
            suggestions.append(Recommendation(service=service, because=because))
    suggestions.sort(key=lambda item: -len(item.because))
    return suggestions[:limit]
