"""The "enter the code" page after sign-up, alike whether or not the address was taken."""

from allauth.account import app_settings
from allauth.account.views import ConfirmEmailVerificationCodeView, email_verification_sent
from django.contrib.auth.decorators import login_not_required

from .pending_signup import PendingSignupProcess


class ConfirmEmailCodeView(ConfirmEmailVerificationCodeView):
    """allauth's page, with its process swapped for ours when a sign-up's address was taken.

    allauth resumes the process inside ``dispatch`` and uses it at once, so
    the swap happens as it is assigned.
    """

    @property
    def _process(self):
        return self.__dict__["_portal_process"]

    @_process.setter
    def _process(self, process) -> None:
        self.__dict__["_portal_process"] = PendingSignupProcess.adopt(process)


@login_not_required
def confirm_email_code(request):
    if not app_settings.EMAIL_VERIFICATION_BY_CODE_ENABLED:
        return email_verification_sent(request)
    return ConfirmEmailCodeView.as_view()(request)
