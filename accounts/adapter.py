"""The portal's hooks into allauth.

Kept thin: mail goes to the outbox, text messages to ``accounts.sms``, phone
numbers to ``accounts.phones``. The rules live in those modules.
"""

import secrets

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.fields import PhoneField
from allauth.account.stages import PhoneVerificationStage
from allauth.core.internal.httpkit import headed_redirect_response
from django import forms
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.middleware import saved_language
from core.site import rebase_on_site, site_domain, site_url
from notifications.services import email_enqueue

from . import phones, sms
from .models import User
from .pending_phone import PendingPhoneProcess, is_pending_phone_step
from .validators import clean_mobile

# Every way a sign-in can fail reads the same, so the message never tells
# whether the email address or number has an account.
_SIGN_IN_FAILED = _("The email address or mobile number, or the password, is not correct.")


class SignUpPhoneVerificationStage(PhoneVerificationStage):
    """Ask for the text-message code right after sign-up only.

    allauth's stage asks at every sign-in while the number is unconfirmed. A
    number added later (in the identity profile) is confirmed from the phone
    page instead, so a mistyped number never stops anyone signing in by email.
    """

    def handle(self):
        if not self.login.signup:
            return None, True
        if is_pending_phone_step(login=self.login):
            PendingPhoneProcess.initiate(stage=self, phone=self.login.phone)
            return headed_redirect_response("account_verify_phone"), True
        return super().handle()


class _PortalSite:
    """Stands in for the ``Site`` record in allauth's mail context: the portal's name and SITE_URL's host."""

    @property
    def name(self) -> str:
        return str(settings.PORTAL_NAME)

    @property
    def domain(self) -> str:
        return site_domain()


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": _SIGN_IN_FAILED,
        "phone_password_mismatch": _SIGN_IN_FAILED,
        "username_password_mismatch": _SIGN_IN_FAILED,
    }

    def populate_username(self, request, user):
        # An internal handle: one derived from the email would undo the
        # email's mask wherever staff see usernames.
        user.username = f"u{secrets.token_hex(8)}"

    # -- Mail: allauth's templates, sent through the transactional outbox.

    def format_email_subject(self, subject: str) -> str:
        return gettext("[%(portal)s] %(subject)s") % {"portal": settings.PORTAL_NAME, "subject": subject}

    def get_reset_password_from_key_url(self, key: str) -> str:
        # allauth builds it from the request's Host (or the Site record without
        # a request); the portal's links start from SITE_URL alone (core.site).
        return rebase_on_site(super().get_reset_password_from_key_url(key))

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return site_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render as allauth does, then queue through the outbox (sent after commit)."""
        # allauth's flows put links they built from the request into the
        # context (signup_url, password_reset_url for the "account exists" and
        # "unknown account" mails), past any adapter hook: each is moved onto
        # SITE_URL here, so no mail links to whatever Host a request claimed.
        context = {
            key: rebase_on_site(value) if key.endswith("_url") and isinstance(value, str) and "://" in value else value
            for key, value in context.items()
        }
        ctx = {
            "request": self.request,
            "email": email,
            "current_site": _PortalSite(),
            "portal_name": settings.PORTAL_NAME,
            "portal_hotline": settings.PORTAL_HOTLINE,
            "code_valid_minutes": account_settings.EMAIL_VERIFICATION_BY_CODE_TIMEOUT // 60,
            "link_valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
        }
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        user = ctx.get("user")
        email_enqueue(
            to_address=email,
            kind="account",
            language=translation.get_language() or settings.LANGUAGE_CODE,
            subject=message.subject,
            body=message.body,
            recipient=user if isinstance(user, User) and user.pk else None,
            # Verification codes, password-reset links and the like: sealed until sent.
            sealed=True,
        )

    def send_notification_mail(self, template_prefix, user, context=None, email=None) -> None:
        # allauth leaves the user out of a notice's context; the outbox row
        # should still say whose it is.
        super().send_notification_mail(template_prefix, user, {"user": user, **(context or {})}, email)

    # -- Sign-in

    def add_message(self, request, level, message_template=None, message_context=None, extra_tags="", message=None):
        # The sign-in message is written on the sign-in request, which is still
        # anonymous and so in the browser's language, but shown on the next
        # page, which is in the person's saved language when they chose no
        # other (core.middleware.AccountLanguageMiddleware).
        user = (message_context or {}).get("user")
        language = saved_language(request=request, user=user) or translation.get_language()
        with translation.override(language):
            super().add_message(request, level, message_template, message_context, extra_tags, message)

    def get_login_stages(self) -> list[str]:
        return [
            f"{__name__}.SignUpPhoneVerificationStage"
            if path == "allauth.account.stages.PhoneVerificationStage"
            else path
            for path in super().get_login_stages()
        ]

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        by_phone = credentials.get("phone") and not credentials.get("email") and not credentials.get("username")
        if user is not None and by_phone and not phones.phone_may_sign_in(user=user):
            self.authentication_failed(request, **credentials)
            return None
        return user

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """Failed sign-ins count per account *and* client address.

        allauth keys them by email or username alone, so five wrong passwords
        from anywhere locked the owner out for five minutes: anyone who knew
        an address could keep its owner from signing in. With the client
        address in the key an attacker only slows their own attempts; the
        per-address limit ("login_failed" in ACCOUNT_RATE_LIMITS) still caps
        how fast one client guesses across accounts. The address is the
        trusted hop's view of the client (TRUSTED_PROXY_COUNT), not a header
        a client can forge. By mobile number every attempt would share one
        empty key in allauth's scheme; the number's keyed hash names it.
        """
        if credentials.get("phone") and not credentials.get("email") and not credentials.get("username"):
            account = f"phone:{phones.phone_lookup_key(credentials['phone'])}"
        else:
            account = str(credentials.get("email") or credentials.get("username") or "").lower()
        return f"{get_current_site(request).domain}:{account}:{self.get_client_ip(request)}"

    # -- Phone numbers (allauth's phone support), stored on the user.

    def phone_form_field(self, **kwargs) -> forms.Field:
        # allauth passes its own label ("Phone") on some forms; ours says which numbers work.
        kwargs["label"] = _("Mobile number")
        kwargs.setdefault(
            "help_text", _("A mainland mobile number, 11 digits starting with 1. A code is sent to confirm it.")
        )
        widget = forms.TextInput(attrs={"type": "tel", "autocomplete": "tel-national", "inputmode": "tel"})
        # No E.164 validator: citizens type 11 digits; clean_phone() checks them.
        return PhoneField(validators=[], widget=widget, **kwargs)

    def clean_phone(self, phone: str) -> str:
        return clean_mobile(phone)

    def get_phone(self, user) -> tuple[str, bool] | None:
        return phones.user_phone(user=user)

    def set_phone(self, user, phone: str, verified: bool) -> None:
        phones.user_phone_set(user=user, phone=phone, verified=verified)

    def set_phone_verified(self, user, phone: str) -> None:
        # Changing the number stores it only once its code is confirmed, so
        # this both stores and confirms it.
        phones.user_phone_set(user=user, phone=phone, verified=True)

    def get_user_by_phone(self, phone: str):
        return phones.user_by_phone(phone=phone)

    def send_verification_code_sms(self, user, phone: str, code: str, **kwargs) -> None:
        minutes = account_settings.PHONE_VERIFICATION_TIMEOUT // 60
        body = gettext(
            "[%(portal)s] Your verification code is %(code)s. It expires in %(minutes)d minutes. "
            "Do not tell it to anyone, including staff."
        ) % {"portal": settings.PORTAL_NAME, "code": code, "minutes": minutes}
        sms.send_sms(to=phone, body=body)

    def send_account_already_exists_sms(self, phone: str) -> None:
        body = gettext(
            "[%(portal)s] Someone tried to sign up with this number, which already has an account. "
            "If it was you, sign in or reset your password."
        ) % {"portal": settings.PORTAL_NAME}
        sms.send_sms(to=phone, body=body)

    def send_unknown_account_sms(self, phone: str, **kwargs) -> None:
        body = gettext(
            "[%(portal)s] Someone asked for a sign-in code for this number, which has no account. "
            "If it was not you, ignore this message."
        ) % {"portal": settings.PORTAL_NAME}
        sms.send_sms(to=phone, body=body)
