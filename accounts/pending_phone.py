"""The text-message step of a sign-up whose email address was taken but whose number is free.

allauth runs that step without a user: it texted the number "this number
already has an account" and sent no code, so the step could never be passed,
while the same sign-up with a new address got a code and went on to the
email step. Whoever typed their own number learnt that the address is
registered. Here the number gets a real code, as for a new address, and a
confirmed number is remembered with the kept sign-up (``pending_signup``), so
changing to a free address on the email step creates the account with the
number already confirmed.
"""

from allauth.account import app_settings
from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.phone_verification import PhoneVerificationStageProcess
from allauth.account.internal.userkit import did_user_login
from django.contrib import messages

from .pending_signup import pending_signup_phone

# Set in the step's state when it was opened for such a sign-up.
PENDING_PHONE_KEY = "portal_pending_phone"


def is_pending_phone_step(*, login) -> bool:
    """A sign-up turned away for its address (no user) that brought a number nobody has."""
    return bool(login.signup and login.user is None and login.phone) and (
        get_adapter().get_user_by_phone(login.phone) is None
    )


class PendingPhoneProcess(PhoneVerificationStageProcess):
    """allauth's sign-up step for a number, working without a user until the account exists."""

    @classmethod
    def initiate(cls, *, stage, phone: str) -> "PendingPhoneProcess":
        stage.state.update(cls.initial_state(user=None, phone=phone))
        process = cls(stage=stage)
        process.state["signup"] = True
        process.state[PENDING_PHONE_KEY] = True
        process.send(skip_enumeration_sms=False)
        return process

    @classmethod
    def adopt(cls, process):
        if process is None or process.user is not None or not process.state.get(PENDING_PHONE_KEY):
            return process
        return cls(stage=process.stage)

    def send_sms(self, skip_enumeration_sms: bool) -> None:
        if self.state.get("account_already_exists"):
            # Changed to a number that has an account: its owner is told, as allauth does.
            super().send_sms(skip_enumeration_sms)
            return
        # allauth leaves the code empty without a user; this step needs a real one.
        adapter = get_adapter()
        self.state["code"] = adapter._generate_phone_verification_code_compat(user=None, phone=self.phone)
        adapter.send_verification_code_sms(user=None, phone=self.phone, code=self.code)

    @property
    def can_change(self) -> bool:
        # As for a sign-up with a new address: a typo in the number can be put right.
        return not self.is_change_quota_reached(app_settings.PHONE_VERIFICATION_MAX_CHANGE_COUNT) and not (
            self.user and did_user_login(self.user)
        )

    def change_to(self, phone: str, account_already_exists: bool) -> None:
        self.state["account_already_exists"] = account_already_exists
        self.record_change(phone=phone)
        self.send(skip_enumeration_sms=False)
        self.persist()

    def finish(self) -> None:
        # No account yet: the confirmed number waits with the kept sign-up.
        pending_signup_phone(request=self.stage.request, phone=self.phone)
        get_adapter().add_message(
            self.stage.request, messages.SUCCESS, "account/messages/phone_verified.txt", {"phone": self.phone}
        )
