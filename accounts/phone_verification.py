"""The "enter the text-message code" page after sign-up, alike whether or not the address was taken."""

from allauth.account.views._phone import _VerifyPhoneChangeView, _VerifyPhoneSignupView
from django.contrib.auth.decorators import login_not_required

from .pending_phone import PendingPhoneProcess


class VerifyPhoneSignupView(_VerifyPhoneSignupView):
    """allauth's page, with its process swapped for ours when the sign-up's address was taken.

    allauth resumes the process inside ``dispatch`` and uses it at once, so
    the swap happens as it is assigned.
    """

    @property
    def process(self):
        return self.__dict__["_portal_process"]

    @process.setter
    def process(self, process) -> None:
        self.__dict__["_portal_process"] = PendingPhoneProcess.adopt(process)


@login_not_required
def verify_phone(request):
    if request.user.is_authenticated:
        return _VerifyPhoneChangeView.as_view()(request)
    return VerifyPhoneSignupView.as_view()(request)
