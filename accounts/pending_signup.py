"""A sign-up with a registered address, kept so that changing the address can still create the account.

allauth answers a sign-up with a known address with the same "enter the code"
page as a new one, but without a user behind it the page could not offer "use
a different address", and that missing form told the visitor the address was
taken. So the sign-up's data waits in the verification state in the session
(the password only as its hash), and changing to a free address creates the
account from it as the sign-up form would have.
"""

from typing import Any

from allauth.account import app_settings
from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.email_verification_by_code import (
    EMAIL_VERIFICATION_CODE_SESSION_KEY,
    EmailVerificationProcess,
)
from allauth.account.internal.flows.signup import complete_signup
from allauth.account.models import EmailAddress
from allauth.account.utils import setup_user_email, user_email
from django.db import transaction
from django.http import HttpRequest

from .models import User
from .registration import account_register

# Inside allauth's verification state, so it lives and ends with it (a code
# that expires or is given up on takes the sign-up's data along). A sign-up
# that brought a mobile number first passes the text-message step, before
# any email state exists: until then the data waits under the same key in
# the session, named for its address.
PENDING_SIGNUP_KEY = "portal_pending_signup"


def pending_signup_keep(
    *, request: HttpRequest, email: str, password_hash: str, kind: str, business: dict, phone: str
) -> None:
    """Keep the sign-up's data for the code step(s) allauth just opened for a known address."""
    request.session.pop(PENDING_SIGNUP_KEY, None)
    pending = {
        "email": email,
        "password": password_hash,
        "kind": kind,
        "business": business,
        "phone": phone,
        "phone_verified": False,
    }
    state = request.session.get(EMAIL_VERIFICATION_CODE_SESSION_KEY)
    if state and "user_id" not in state and state.get("email") == email:
        state[PENDING_SIGNUP_KEY] = pending
        request.session[EMAIL_VERIFICATION_CODE_SESSION_KEY] = state
    else:
        request.session[PENDING_SIGNUP_KEY] = pending


def pending_signup_phone(*, request: HttpRequest, phone: str) -> None:
    """The kept sign-up's number was confirmed by text message (accounts.pending_phone)."""
    pending = request.session.get(PENDING_SIGNUP_KEY)
    if pending:
        pending.update(phone=phone, phone_verified=True)
        request.session[PENDING_SIGNUP_KEY] = pending


class PendingSignupProcess(EmailVerificationProcess):
    """The code step of a sign-up whose address was taken: it may change address like a real one."""

    @classmethod
    def adopt(cls, process: EmailVerificationProcess | None) -> EmailVerificationProcess | None:
        if process is None or "user_id" in process.state:
            return process
        if PENDING_SIGNUP_KEY not in process.state:
            # Opened after the text-message step: the sign-up's data joins it now.
            session = process.request.session
            pending = session.get(PENDING_SIGNUP_KEY)
            if not pending or pending.get("email") != process.state.get("email"):
                return process
            process.state[PENDING_SIGNUP_KEY] = session.pop(PENDING_SIGNUP_KEY)
            session[EMAIL_VERIFICATION_CODE_SESSION_KEY] = process.state
        return cls(request=process.request, state=process.state)

    @property
    def can_change(self) -> bool:
        # allauth's rule for a user who has never signed in: a quota only.
        return not self.is_change_quota_reached(app_settings.EMAIL_VERIFICATION_MAX_CHANGE_COUNT)

    def change_to(self, email: str, account_already_exists: bool) -> None:
        if account_already_exists:
            # allauth's own handling without a user: the owner is told, nothing is stored.
            super().change_to(email, account_already_exists)
            return
        user = _register(request=self.request, email=email, pending=self.state[PENDING_SIGNUP_KEY])
        carried = {key: self.state[key] for key in ("at", "resend_count", "change_count")}
        # From here on it is an ordinary sign-up: allauth sends the code to
        # the new address and keeps the login waiting for it.
        complete_signup(self.request, user=user)
        state = self.request.session.get(EMAIL_VERIFICATION_CODE_SESSION_KEY)
        if state and state.get("user_id"):
            # The change counts as one, as it does for a real sign-up, and the
            # clock keeps running from the first code.
            state.update(carried, change_count=carried["change_count"] + 1)
            self.request.session[EMAIL_VERIFICATION_CODE_SESSION_KEY] = state


def _register(*, request: HttpRequest, email: str, pending: dict[str, Any]) -> User:
    """Create the account as the sign-up form does, with the kept password hash."""
    adapter = get_adapter(request)
    with transaction.atomic():
        user = adapter.new_user(request)
        user_email(user, email)
        user.password = pending["password"]
        adapter.populate_username(request, user)
        user.save()
        phone = pending.get("phone")
        # A number that meanwhile belongs to someone else is left out, as the
        # form would have refused to store it.
        if phone and adapter.get_user_by_phone(phone) is None:
            adapter.set_phone(user, phone, bool(pending.get("phone_verified")))
        account_register(user=user, kind=pending["kind"], **pending["business"])
        setup_user_email(request, user, [EmailAddress(email=email)])
    return user
