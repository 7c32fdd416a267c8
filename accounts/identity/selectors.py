"""Reads for identity, verification levels and guardianship."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import AccountKind, GuardianLink, IdentityProfile, IdentityVerificationAttempt, User
from accounts.models import VerificationLevel as Level
from accounts.validators import is_minor

# Fields a person may hold in their profile, in display order. Business
# fields belong to legal-person accounts only.
PERSONAL_FIELDS = ("legal_name", "id_number", "phone", "bank_card")
BUSINESS_FIELDS = ("organisation_name", "uscc", "legal_representative")


def identity_profile_for(*, user: User) -> IdentityProfile:
    """The person's profile, or an unsaved empty one if they have none yet.

    Always read afresh: ``user.identity`` may be cached on a request's user
    from before a service changed the row.
    """
    return IdentityProfile.objects.filter(user=user).first() or IdentityProfile(user=user)


def identity_profile_and_contact_for(*, user: User) -> tuple[IdentityProfile, bool]:
    """``identity_profile_for`` and ``contact_verified`` together, in one query (the dashboard's panel)."""
    return identity_profile_and_contact_of(user=user, row=identity_row_query(user=user).first())


def identity_row_query(*, user: User) -> QuerySet[User]:
    """The person's row with their profile and whether a contact is verified; a caller may annotate more."""
    return (
        User.objects.filter(pk=user.pk)
        .select_related("identity")
        .annotate(email_verified=email_verified_of(OuterRef("pk")))
    )


def email_verified_of(person_pk) -> Exists:
    """Whether ``person_pk`` (an ``OuterRef`` to a person) has a confirmed email address, as an expression."""
    return Exists(EmailAddress.objects.filter(user=person_pk, verified=True))


def identity_profile_and_contact_of(*, user: User, row: User | None) -> tuple[IdentityProfile, bool]:
    """The profile and contact check from a row of ``identity_row_query`` (None: the person is gone)."""
    if row is None:
        return IdentityProfile(user=user), False
    try:
        profile = row.identity
    except IdentityProfile.DoesNotExist:
        profile = IdentityProfile(user=user)
    # The annotation of ``identity_row_query``: the row's type no longer says so once it is passed on.
    return profile, bool(row.phone_verified or row.email_verified)  # type: ignore[attr-defined]


def verified_name_for(*, user: User) -> str:
    """The name a provider confirmed for the person, "" if none: the legal name, or a business's name.

    Reads the profile already loaded on ``user`` if a page loaded it, so the
    header of every page costs at most one small query.
    """
    if User.identity.is_cached(user):
        profile = getattr(user, "identity", None)
    else:
        profile = (
            IdentityProfile.objects.filter(user=user).only("legal_name", "organisation_name", "verified_fields").first()
        )
    if profile is None:
        return ""
    if user.kind == AccountKind.BUSINESS and profile.is_verified_field("organisation_name"):
        return profile.organisation_name
    return profile.legal_name if profile.is_verified_field("legal_name") else ""


def profile_fields_for(*, user: User) -> tuple[str, ...]:
    if user.kind == AccountKind.BUSINESS:
        return PERSONAL_FIELDS + BUSINESS_FIELDS
    return PERSONAL_FIELDS


def editable_fields_for(*, user: User, profile: IdentityProfile | None = None) -> tuple[str, ...]:
    """What the person may change themselves: everything not identity-verified."""
    profile = profile or identity_profile_for(user=user)
    return tuple(name for name in profile_fields_for(user=user) if not profile.is_verified_field(name))


def contact_verified(*, user: User) -> bool:
    return user.phone_verified or EmailAddress.objects.filter(user=user, verified=True).exists()


def verification_level_for(
    *, user: User, profile: IdentityProfile | None = None, contact_is_verified: bool | None = None
) -> int:
    """The level as it stands now: the stored one, or contact verified if the email has been confirmed since."""
    profile = profile or identity_profile_for(user=user)
    level = profile.verification_level
    if contact_is_verified is None:
        contact_is_verified = level < Level.CONTACT_VERIFIED and contact_verified(user=user)
    if level < Level.CONTACT_VERIFIED and contact_is_verified:
        level = Level.CONTACT_VERIFIED
    return level


def user_is_minor(*, user: User, profile: IdentityProfile | None = None) -> bool:
    """Under 14 today, from the ID number's birth date (the stored flag lags a birthday until refreshed)."""
    profile = profile or identity_profile_for(user=user)
    if profile.birth_date is None:
        return user.is_minor
    return is_minor(profile.birth_date)


def verification_attempts_since(*, user: User, hours: int) -> int:
    """Attempts that reached a provider's answer (outages do not count against the person)."""
    since = timezone.now() - timedelta(hours=hours)
    return (
        IdentityVerificationAttempt.objects.filter(user=user, created_at__gte=since)
        .exclude(outcome=IdentityVerificationAttempt.Outcome.UNAVAILABLE)
        .count()
    )


# -- Guardianship ---------------------------------------------------------

_OPEN = (GuardianLink.State.PENDING, GuardianLink.State.CONFIRMED)


def guardian_links_as_guardian(*, user: User):
    return GuardianLink.objects.filter(guardian=user, state__in=_OPEN).select_related("minor").order_by("-created_at")


def guardian_links_as_minor(*, user: User):
    return (
        GuardianLink.objects.filter(minor=user, state__in=_OPEN)
        .select_related("guardian", "guardian__identity")
        .order_by("-created_at")
    )


def access_guardian_link(*, user: User, link_id: int, side: str | None = None) -> GuardianLink:
    """An open link ``user`` is part of (on ``side`` "guardian" or "minor" if given); 404 otherwise."""
    if side == "guardian":
        mine = Q(guardian=user)
    elif side == "minor":
        mine = Q(minor=user)
    else:
        mine = Q(guardian=user) | Q(minor=user)
    try:
        return GuardianLink.objects.select_related("guardian", "minor").get(mine, pk=link_id, state__in=_OPEN)
    except GuardianLink.DoesNotExist:
        raise Http404 from None


def guardian_of(*, minor: User) -> User | None:
    """The minor's confirmed guardian (the earliest confirmed, if there are two), or None.

    None as well once the person is 14: from then on they decide for themself.
    """
    if not user_is_minor(user=minor):
        return None
    link = (
        GuardianLink.objects.filter(minor=minor, state=GuardianLink.State.CONFIRMED)
        .select_related("guardian")
        .order_by("confirmed_at", "pk")
        .first()
    )
    return link.guardian if link else None


def can_act_for(*, actor: User, subject: User, basic_service: bool = False) -> bool:
    """May ``actor`` decide (give or withdraw consent, make requests) for ``subject``?

    A person decides for themself, except that a minor under 14 needs a
    guardian for anything beyond the basic service (PIPL art. 31). A
    confirmed guardian decides for the minor; the link alone is the
    authority, so a guardian who ended it no longer may, and it lapses on
    the minor's 14th birthday.
    """
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return False
    if actor.pk == subject.pk:
        return basic_service or not user_is_minor(user=subject)
    if not user_is_minor(user=subject):
        return False
    return GuardianLink.objects.filter(guardian=actor, minor=subject, state=GuardianLink.State.CONFIRMED).exists()
