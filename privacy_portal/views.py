"""Site-wide pages: home, health, language switch and the error pages."""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language
from rest_framework import exceptions as api_exceptions

from accounts.services import user_set_language
from consents.selectors import consent_snapshot_active
from core.logging import security_log
from core.request_reference import request_reference_grouped

from .health import readiness
from .selectors import home_page_for


def home(request):
    if not request.user.is_authenticated:
        return render(request, "home.html", {"overview": None})
    overview, snapshot = home_page_for(user=request.user)
    with consent_snapshot_active(snapshot):
        return render(request, "home.html", {"overview": overview})


@require_GET
@never_cache
def healthz(request):
    """Liveness: the process answers. Nothing else is asked (privacy_portal.health)."""
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request):
    """Readiness: 503 while the database is unreachable or lacks migrations; the broker is only reported."""
    ready, checks = readiness()
    return JsonResponse({"status": "ok" if ready else "unavailable", **checks}, status=200 if ready else 503)


@require_POST
def switch_language(request):
    """Django's ``set_language``, remembering the choice on the account too.

    Emails and in-portal messages are rendered in the recipient's language,
    so a signed-in person's choice must outlive the cookie.
    """
    response = set_language(request)
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=request.POST.get("language", ""))
    return response


# What an API client reads for an error outside any API view (no route, a
# failure before DRF): the same words DRF uses, translated by DRF's catalogue.
API_ERROR_DETAIL = {
    400: api_exceptions.ParseError.default_detail,
    403: api_exceptions.PermissionDenied.default_detail,
    404: api_exceptions.NotFound.default_detail,
    500: api_exceptions.APIException.default_detail,
    503: _("The service is temporarily unavailable. Please try again in a few minutes."),
}


def _error(request, status, template):
    request_id = getattr(request, "request_id", "")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(API_ERROR_DETAIL[status]), "request_id": request_id}, status=status)
    # Error pages render without context processors: a 500 may come from the
    # database being down, and the page must still appear.
    context = {"request_id": request_id, "reference": request_reference_grouped(request_id)}
    return HttpResponse(loader.render_to_string(template, context), status=status)


def bad_request(request, exception=None):
    return _error(request, 400, "errors/400.html")


def permission_denied(request, exception=None):
    security_log.warning(
        "access denied: path=%s user_id=%s",
        request.path,
        getattr(getattr(request, "user", None), "pk", None),
    )
    return _error(request, 403, "errors/403.html")


def api_not_found(request):
    """No API operation here. A path missing only its trailing slash is sent to it, as pages are."""
    if settings.APPEND_SLASH and not request.path_info.endswith("/"):
        try:
            resolve(request.path_info + "/")
        except Resolver404:
            pass
        else:
            return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
    return _error(request, 404, "errors/404.html")


def page_not_found(request, exception=None):
    return _error(request, 404, "errors/404.html")


def server_error(request):
    # Django calls this inside its ``except`` block, so the exception is at hand. A database that
    # does not answer (restart, failover) is an outage to wait out, not a fault: 503, and a page
    # that says so. Proxies and clients retry a 503.
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        response = _error(request, 503, "errors/503.html")
        response["Retry-After"] = "30"
        return response
    return _error(request, 500, "errors/500.html")


def csrf_failure(request, reason=""):
    security_log.warning("csrf check failed: path=%s", request.path)
    return _error(request, 403, "errors/403_csrf.html")
