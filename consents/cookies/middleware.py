from dataclasses import replace

from django.utils.cache import patch_vary_headers

from .selectors import REFUSE, cookie_choice_for, gpc_signal
from .services import cookie_choice_gpc_record


class GlobalPrivacyControlMiddleware:
    """Record a signed-in person's Global Privacy Control signal in the consent ledger when it changes their choice.

    The header is read first: a request without it costs no query (not even
    the session's user). With it, the choice this request applies is read
    once (the banner reuses it); only an acceptance or no choice yet leads
    to a write, and after that write the ledger says "refuse", so later
    requests find nothing to change.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The header first: without it, not even the session's user is loaded.
        signalled = gpc_signal(request=request) and request.user.is_authenticated
        if (
            signalled
            and cookie_choice_for(request=request).choice != REFUSE
            and cookie_choice_gpc_record(subject=request.user)
        ):
            # The cached choice predates the write: read it again, and let this page say what happened.
            del request._cookie_choice
            request._cookie_choice = replace(cookie_choice_for(request=request), gpc_recorded=True)
        return self.get_response(request)


class CookieChoiceVaryMiddleware:
    """Tell caches that a page showing the cookie banner depends on the privacy signal and cookies.

    The banner, and whether the analytics script is included, follow the
    ``Sec-GPC`` header and the choice cookie; a shared cache must never hand
    a page with the script to a browser that refused it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "_cookie_choice", None) is not None:
            patch_vary_headers(response, ("Sec-GPC", "Cookie"))
        return response
