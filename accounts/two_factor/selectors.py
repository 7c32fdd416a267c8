"""Reads about a person's second factors and their recent step-up checks.

The devices are django-otp's own models, one of each kind per person:
an authenticator app (``TOTPDevice``), recovery codes (a ``StaticDevice``
named "recovery") and codes by email (``EmailDevice``). Two-factor is "on"
when a confirmed authenticator or confirmed email codes exist; an
unconfirmed device never counts.
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import StepUpCheck, User
from core.process_cache import request_generations_with

RECOVERY_DEVICE_NAME = "recovery"
AUTHENTICATOR_DEVICE_NAME = "authenticator"
EMAIL_DEVICE_NAME = "email"


class Method:
    """How a person proves it is them; the values match ``StepUpCheck.Method``."""

    TOTP = StepUpCheck.Method.TOTP.value
    EMAIL = StepUpCheck.Method.EMAIL.value
    RECOVERY = StepUpCheck.Method.RECOVERY.value


@dataclass(frozen=True)
class TwoFactorStatus:
    totp_confirmed: bool
    email_codes_enabled: bool
    recovery_codes_remaining: int
    email_codes_available: bool

    @property
    def enabled(self) -> bool:
        return self.totp_confirmed or self.email_codes_enabled


def session_key_hash(session_key: str | None) -> str:
    """The session key as stored beside a step-up check.

    A hash, so the table cannot be used to take over a live session.
    """
    if not session_key:
        return ""
    return hashlib.sha256(session_key.encode()).hexdigest()


def totp_device_confirmed(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def totp_device_pending(*, user: User) -> TOTPDevice | None:
    """The authenticator being set up, not yet confirmed by a first code."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()


def recovery_codes_remaining(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_DEVICE_NAME).count()


def two_factor_status(*, user: User) -> TwoFactorStatus:
    return TwoFactorStatus(
        totp_confirmed=TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        email_codes_enabled=EmailDevice.objects.filter(user=user, confirmed=True).exists(),
        recovery_codes_remaining=recovery_codes_remaining(user=user),
        email_codes_available=bool(user.email),
    )


def two_factor_enabled(*, user: User) -> bool:
    """Whether signing in must be followed by the second-factor step.

    Recovery codes left over without another device still count: they are
    a way to verify, and ignoring them would silently switch two-factor off.
    """
    # One query: the middleware asks this on every page of a signed-in,
    # not yet verified person, which is everyone without two-factor.
    return (
        User.objects.filter(pk=user.pk)
        .filter(
            Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
            | Exists(EmailDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
            | Exists(StaticToken.objects.filter(device__user=OuterRef("pk"), device__name=RECOVERY_DEVICE_NAME))
        )
        .exists()
    )


# The answer of ``two_factor_enabled`` per person, in the shared cache: the
# second-factor middleware asks it on every page of everyone without two-factor.
# Every change of a person's devices forgets it (``two_factor_enabled_forget``,
# from the services and from the device models' signals); the expiry only
# bounds the damage of a change made behind the ORM's back.
ENABLED_CACHE_KEY = "two_factor:enabled:{user_id}"
ENABLED_CACHE_SECONDS = 10 * 60


def two_factor_enabled_cached(*, user: User) -> bool:
    """``two_factor_enabled`` without a query on most pages: per request, then from the shared cache."""
    answer = getattr(user, "_two_factor_enabled", None)
    if answer is None:
        key = ENABLED_CACHE_KEY.format(user_id=user.pk)
        # With the request's table generations, which the page asks for next: one round trip for both.
        answer = request_generations_with([key])[0].get(key)
        if answer is None:
            answer = two_factor_enabled(user=user)
            cache.set(key, answer, ENABLED_CACHE_SECONDS)
        # Per request: the authentication middleware loads a fresh user object each time.
        user._two_factor_enabled = answer  # type: ignore[attr-defined]
    return answer


def two_factor_enabled_forget(*, user_id: int) -> None:
    """Drop the cached answer now and again once the change commits.

    Twice, because a page of another session may read the old state and
    cache it between the first delete and the commit.
    """
    key = ENABLED_CACHE_KEY.format(user_id=user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def admin_device_confirmed(*, user: User) -> bool:
    """Whether a staff member has a second factor that admin accepts.

    Admin takes the authenticator app or a recovery code, never an email
    code: a mailbox is a weaker factor than staff access deserves.
    """
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists() or recovery_codes_remaining(user=user) > 0


def login_methods_for(*, user: User) -> list[str]:
    """The ways this person can pass the second-factor step after signing in."""
    methods = []
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        methods.append(Method.TOTP)
    if not user.is_staff and EmailDevice.objects.filter(user=user, confirmed=True).exists():
        methods.append(Method.EMAIL)
    if recovery_codes_remaining(user=user):
        methods.append(Method.RECOVERY)
    return methods


def step_up_methods_for(*, user: User) -> list[str]:
    """The ways to pass a step-up check: the authenticator if enrolled, else an email code.

    Someone with an authenticator is not offered email: it would let a
    stolen mailbox stand in for the phone. Recovery codes are the fallback
    for a lost phone, as at sign-in.
    """
    methods = [Method.TOTP] if TOTPDevice.objects.filter(user=user, confirmed=True).exists() else []
    if not methods and user.email:
        methods.append(Method.EMAIL)
    if recovery_codes_remaining(user=user):
        methods.append(Method.RECOVERY)
    return methods


def step_up_recent(*, request, minutes: int) -> StepUpCheck | None:
    """The step-up check this session passed within the last ``minutes``, if any.

    Later features store the returned check beside what it authorised (a
    rights request names the check it relied on). A check from another
    session of the same person does not count: it proves nothing about who
    sits at this browser.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    key_hash = session_key_hash(getattr(request.session, "session_key", None))
    if not key_hash:
        return None
    since = timezone.now() - timedelta(minutes=minutes)
    return (
        StepUpCheck.objects.filter(user=user, session_key_hash=key_hash, verified_at__gte=since)
        .order_by("-verified_at", "-id")
        .first()
    )
