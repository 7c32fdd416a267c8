"""The material-policy interstitial: only what rests on the new terms waits for acceptance.

Once a material policy version is in effect, a signed-in person who has not
accepted it (or who declined it) can still use every right they have:
requests of every kind, withdrawing consent, complaints, cancelling the
account, the inbox, the identity pages, export downloads, the policy pages
and signing out. Only the views in ``GATED_VIEWS`` — turning on an optional
use, whose terms are the new policy's — send them to the acceptance page;
the API answers those with 403 and the code ``policy_acceptance_required``.

The gate is an allow-list of view names on purpose: a page added later is
open unless someone decides it depends on the new terms, so a right can
never be blocked by forgetting an exemption. Staff are never sent to the
citizens' interstitial.

Cost: nothing on a page that is not gated (the resolved view's name is a set
lookup). On a gated view, the policy-version table comes from the process's
copy, and the ledger is asked unless the session knows the person accepted.
"""

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from core.navigation import return_path

from .selectors import ACCEPTED, policy_notices_for_request
from .standing import policy_standing


def _turning_on(request) -> bool:
    return request.method == "POST" and request.POST.get("choice") == "on"


# View names (namespace:name) that exist to turn on an optional use, with a
# test for views that also turn one off (which must always stay open).
GATED_VIEWS: dict[str, Callable | None] = {
    # The dashboard: giving consent to a purpose or a partner, for oneself or a ward.
    "consents:consent_grant": None,
    "consents:consent_confirm": None,
    "consents:partner_confirm": None,
    "consents:ward_consent_grant": None,
    "consents:ward_consent_confirm": None,
    "consents:ward_partner_confirm": None,
    # Enrolling in an optional service (leaving it stays open).
    "consents:service_enrol": None,
    # Location sharing on (off, and deleting the history, stay open).
    "consents:location_on": None,
    # Recommendations: "on" only; the same view turns them off.
    "consents:recommendations_choice": _turning_on,
    # The API's counterparts.
    "api-consents-grant": None,
    "api-consents-service-enrol": None,
}

API_PREFIX = "/api/"


def is_gated(request, view_name: str) -> bool:
    if view_name not in GATED_VIEWS:
        return False
    applies = GATED_VIEWS[view_name]
    return applies is None or applies(request)


def gated_path(path: str) -> bool:
    """Whether a GET of ``path`` would be sent to the acceptance page (a place not to return to)."""
    try:
        match = resolve(path.split("?", 1)[0])
    except Resolver404:
        return False
    return GATED_VIEWS.get(match.view_name, False) is None


class MaterialPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_staff:
            return None
        match = request.resolver_match
        if match is None or not is_gated(request, match.view_name):
            return None
        required = policy_notices_for_request(request).required
        if required is None or policy_standing(request, version=required, fresh=True) == ACCEPTED:
            return None
        return self._refuse(request, required)

    @staticmethod
    def _refuse(request, version):
        page = reverse("consents:policy_accept")
        if request.path_info.startswith(API_PREFIX):
            response = JsonResponse(
                {
                    "detail": _(
                        "The privacy policy has changed (version %(version)s). Read the changes and accept "
                        "the new policy first, then try again."
                    )
                    % {"version": version.version},
                    "code": "policy_acceptance_required",
                    "policy_version": version.version,
                    "changes_url": request.build_absolute_uri(reverse("policy_changes", args=[version.version])),
                    "accept_url": request.build_absolute_uri(reverse("api-consents-policy-accept")),
                    "request_id": getattr(request, "request_id", ""),
                },
                status=403,
            )
            add_never_cache_headers(response)
            return response
        next_path = return_path(request)
        return redirect(f"{page}?{urlencode({'next': next_path})}" if next_path else page)
