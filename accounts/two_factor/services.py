"""Changes to a person's second factors, and checking one-time codes.

Every code is checked against one named device, loaded ``FOR UPDATE`` in
its own transaction, so two requests cannot both spend the same code and
the device's failure counter (django-otp's throttling) is saved even when
the code is refused.
"""

import enum
import math

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import StepUpCheck, User
from accounts.notification_kinds import ONE_TIME_CODE
from audit.services import audit_record
from core.encryption import blind_index
from core.logging import security_log
from notifications.services import notification_send

from .selectors import (
    AUTHENTICATOR_DEVICE_NAME,
    EMAIL_DEVICE_NAME,
    RECOVERY_DEVICE_NAME,
    Method,
    login_methods_for,
    recovery_codes_remaining,
    session_key_hash,
    step_up_methods_for,
    totp_device_pending,
    two_factor_enabled_forget,
)

RECOVERY_CODE_COUNT = 10


class Purpose(enum.Enum):
    LOGIN = "login"  # the step after signing in; also turning two-factor off
    STEP_UP = "step_up"  # a fresh check before a sensitive action
    SETUP = "setup"  # proving the mailbox while turning email codes on


class TwoFactorError(Exception):
    """A refusal to show the person; ``message`` is translated."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class CodeRefused(TwoFactorError):
    pass


class CodeNotSent(TwoFactorError):
    pass


class ChangeRefused(TwoFactorError):
    pass


def _seconds_until(moment) -> int:
    return max(1, math.ceil((moment - timezone.now()).total_seconds()))


def _throttled_message(info: dict | None) -> str:
    locked_until = (info or {}).get("locked_until")
    if locked_until is None:
        return str(_("Too many wrong codes. Wait a moment and try again."))
    seconds = _seconds_until(locked_until)
    return ngettext(
        "Too many wrong codes. Wait %(seconds)d second and try again.",
        "Too many wrong codes. Wait %(seconds)d seconds and try again.",
        seconds,
    ) % {"seconds": seconds}


def _normalise(method: str, token: str) -> str:
    # People copy codes with spaces or dashes ("123 456", "abcd-efgh").
    token = "".join(ch for ch in (token or "") if ch not in " -\t")
    return token.lower() if method == Method.RECOVERY else token


def _locked_device(*, user: User, method: str, purpose: Purpose) -> Device | None:
    if method == Method.TOTP:
        return TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("-id").first()
    if method == Method.RECOVERY:
        return StaticDevice.objects.select_for_update().filter(user=user, name=RECOVERY_DEVICE_NAME).first()
    if method == Method.EMAIL:
        devices = EmailDevice.objects.select_for_update().filter(user=user)
        if purpose is Purpose.LOGIN:
            # Only email codes the person turned on open a signed-in session.
            devices = devices.filter(confirmed=True)
        return devices.order_by("-confirmed", "-id").first()
    return None


def _allowed_methods(*, user: User, purpose: Purpose) -> list[str]:
    if purpose is Purpose.STEP_UP:
        return step_up_methods_for(user=user)
    if purpose is Purpose.SETUP:
        return [Method.EMAIL]
    return login_methods_for(user=user)


def _email_code_digest(device: EmailDevice, code: str) -> str:
    """What the database keeps of an emailed code: a keyed hash, bound to the device.

    django-otp stores the code itself in ``token`` until it is used; a copy
    of the database would then hold every live code. The key is not in the
    database, and 16 hex characters fit django-otp's column.
    """
    return blind_index(f"one-time-code:{device.pk}:{code}")[:16]


def _check_on(device: Device, token: str) -> tuple[bool, dict | None]:
    allowed, info = device.verify_is_allowed()
    if not allowed:
        return False, info
    if isinstance(device, EmailDevice):
        token = _email_code_digest(device, token)
    return device.verify_token(token), None


def second_factor_check(*, user: User, method: str, token: str, purpose: Purpose) -> Device:
    """Spend ``token`` on the person's ``method`` device; return the device or raise ``CodeRefused``.

    A TOTP code is accepted once (the device remembers the last time step
    it accepted), a recovery code is deleted when used, an email code is
    cleared when used or when its ten minutes are over.
    """
    if method not in _allowed_methods(user=user, purpose=purpose):
        raise CodeRefused(_("This way of confirming is not available for your account."))
    token = _normalise(method, token)
    with transaction.atomic():
        device = _locked_device(user=user, method=method, purpose=purpose)
        if device is None:
            verified, throttle_info = False, None
        else:
            verified, throttle_info = _check_on(device, token)
    # Raised outside the transaction so the failure count stays saved.
    if throttle_info is not None:
        security_log.warning("second factor throttled: user_id=%s method=%s", user.pk, method)
        raise CodeRefused(_throttled_message(throttle_info))
    if not verified:
        security_log.warning("second factor refused: user_id=%s method=%s purpose=%s", user.pk, method, purpose.value)
        if method == Method.EMAIL:
            raise CodeRefused(_("The code is wrong or has expired. Ask for a new code and try again."))
        if method == Method.RECOVERY:
            raise CodeRefused(_("The recovery code is wrong or has already been used."))
        raise CodeRefused(
            _("The code is wrong or has already been used. Enter the next code your authenticator app shows.")
        )
    return device


def step_up_record(*, request, method: str) -> StepUpCheck:
    """Write down that this session just passed a one-time-code check."""
    return StepUpCheck.objects.create(
        user=request.user, method=method, session_key_hash=session_key_hash(request.session.session_key)
    )


def session_mark_verified(*, request, device: Device) -> None:
    """Mark this session as having passed the second factor with ``device``."""
    otp_login(request, device)


def second_factor_login(*, request, method: str, token: str) -> Device:
    """Pass the step after signing in: mark the session verified (django-otp).

    The code just entered is also a fresh check in this session, so it is
    recorded as a step-up check: a person who signed in a minute ago is not
    asked for a second code (and, with an authenticator, made to wait for
    the next one) before a sensitive action.
    """
    device = second_factor_check(user=request.user, method=method, token=token, purpose=Purpose.LOGIN)
    otp_login(request, device)
    step_up_record(request=request, method=method)
    return device


def step_up_pass(*, request, method: str, token: str) -> StepUpCheck:
    second_factor_check(user=request.user, method=method, token=token, purpose=Purpose.STEP_UP)
    return step_up_record(request=request, method=method)


def email_code_send(*, user: User, purpose: Purpose) -> EmailDevice:
    """Email the person a fresh one-time code, through the outbox.

    django-otp's ``EmailDevice`` makes and checks the code; only delivery is
    ours, so the mail is queued with the person's transaction, retried like
    every other email and written in their language.
    """
    if purpose is Purpose.SETUP:
        _refuse_email_setup(user=user)
    elif Method.EMAIL not in _allowed_methods(user=user, purpose=purpose):
        raise CodeNotSent(_("Codes by email are not available for your account."))
    if not user.email:
        raise CodeNotSent(_("Your account has no email address to send a code to."))
    validity = settings.OTP_EMAIL_TOKEN_VALIDITY
    with transaction.atomic():
        device = EmailDevice.objects.select_for_update().filter(user=user).order_by("-confirmed", "-id").first()
        if device is None:
            # Unconfirmed: a device made for a step-up check does not switch
            # the sign-in step on. Turning email codes on confirms it.
            device = EmailDevice.objects.create(user=user, name=EMAIL_DEVICE_NAME, confirmed=False)
        allowed, info = device.generate_is_allowed()
        if not allowed:
            seconds = _seconds_until(info["next_generation_at"]) if info and "next_generation_at" in info else 60
            raise CodeNotSent(
                ngettext(
                    "A code was sent a moment ago. You can ask for a new one in %(seconds)d second.",
                    "A code was sent a moment ago. You can ask for a new one in %(seconds)d seconds.",
                    seconds,
                )
                % {"seconds": seconds}
            )
        device.cooldown_set(commit=False)
        device.generate_token(valid_secs=validity, commit=False)
        code = device.token
        device.token = _email_code_digest(device, code)
        device.save()
        notification_send(recipient=user, kind=ONE_TIME_CODE, context={"code": code, "minutes": validity // 60})
    return device


def _refuse_email_setup(*, user: User) -> None:
    if user.is_staff:
        raise ChangeRefused(_("Staff accounts use an authenticator app; codes by email are not accepted for admin."))
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ChangeRefused(_("You already use an authenticator app, which is the stronger second factor."))


def _recovery_codes_replace(*, user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME)
    device.token_set.all().delete()
    codes: set[str] = set()
    while len(codes) < RECOVERY_CODE_COUNT:
        codes.add(StaticToken.random_token())
    ordered = sorted(codes)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in ordered)
    # bulk_create sends no signal for the receivers to forget the cached answer.
    two_factor_enabled_forget(user_id=user.pk)
    # A fresh set starts with a clean failure count.
    device.throttle_reset(commit=True)
    return ordered


def totp_device_start(*, user: User) -> TOTPDevice:
    """The authenticator being set up: the pending one, or a new one.

    Reusing the pending device keeps the QR code the same when the page is
    reloaded halfway through scanning.
    """
    device = totp_device_pending(user=user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_DEVICE_NAME, confirmed=False)
    return device


def totp_device_confirm(*, user: User, token: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending authenticator with its first code.

    Returns the device and, when the person had none, their new recovery
    codes (to be shown once). A confirmed authenticator replaces an older
    one and takes over from email codes as the sign-in step.
    """
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-id").first()
        verified, throttle_info = (False, None) if device is None else _check_on(device, _normalise(Method.TOTP, token))
    if device is None:
        raise CodeRefused(_("Start the set-up again: no authenticator is waiting for confirmation."))
    if throttle_info is not None:
        raise CodeRefused(_throttled_message(throttle_info))
    if not verified:
        security_log.warning("second factor refused: user_id=%s method=totp purpose=setup", user.pk)
        raise CodeRefused(_("The code is wrong. Check the time on your phone and enter the code the app shows now."))
    with transaction.atomic():
        replacing = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        EmailDevice.objects.filter(user=user, confirmed=True).update(confirmed=False)
        two_factor_enabled_forget(user_id=user.pk)  # update() sends no signal
        codes = [] if recovery_codes_remaining(user=user) else _recovery_codes_replace(user=user)
        audit_record(
            actor=user,
            action="two_factor.authenticator_replaced" if replacing else "two_factor.enabled",
            target=user,
            details={"method": Method.TOTP, "recovery_codes_created": len(codes)},
        )
    return device, codes


def email_codes_enable(*, user: User, token: str) -> tuple[EmailDevice, list[str]]:
    """Turn on codes by email as the sign-in step, for people without an authenticator app."""
    _refuse_email_setup(user=user)
    device = second_factor_check(user=user, method=Method.EMAIL, token=token, purpose=Purpose.SETUP)
    with transaction.atomic():
        EmailDevice.objects.filter(pk=device.pk).update(confirmed=True)
        device.confirmed = True
        two_factor_enabled_forget(user_id=user.pk)  # update() sends no signal
        codes = [] if recovery_codes_remaining(user=user) else _recovery_codes_replace(user=user)
        audit_record(
            actor=user,
            action="two_factor.enabled",
            target=user,
            details={"method": Method.EMAIL, "recovery_codes_created": len(codes)},
        )
    return device, codes


def recovery_codes_regenerate(*, user: User) -> list[str]:
    """Replace the person's recovery codes with ten new ones; the old ones stop working."""
    if not (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or EmailDevice.objects.filter(user=user, confirmed=True).exists()
    ):
        raise ChangeRefused(_("Turn on two-factor sign-in first; recovery codes come with it."))
    with transaction.atomic():
        codes = _recovery_codes_replace(user=user)
        audit_record(
            actor=user, action="two_factor.recovery_codes_replaced", target=user, details={"count": len(codes)}
        )
    return codes


def two_factor_disable(*, user: User, method: str, token: str) -> None:
    """Turn two-factor sign-in off, after a current code proves it is the person.

    Staff keep it: admin opens only after the authenticator step.
    """
    if user.is_staff:
        raise ChangeRefused(_("Staff accounts must keep two-factor sign-in on."))
    second_factor_check(user=user, method=method, token=token, purpose=Purpose.LOGIN)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE_NAME).delete()
        # Email devices go too; a step-up check makes a new, unconfirmed one.
        EmailDevice.objects.filter(user=user).delete()
        audit_record(actor=user, action="two_factor.disabled", target=user, details={"method": method})
