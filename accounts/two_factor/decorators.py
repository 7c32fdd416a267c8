"""The step-up check: a fresh one-time code before a sensitive action.

Three ways to put a view behind it, all with the same rule (this session
passed a check within the last ``minutes``):

- function views: ``@require_recent_verification(minutes=10)``
- class views: ``RecentVerificationRequiredMixin`` (``step_up_minutes = 10``)
- DRF views: ``permission_classes = [IsAuthenticated, RecentVerificationPermission]``
  or ``recent_verification_permission(minutes=5)`` for another window.

A page view without a recent check sends the person to the step-up page
and back: a GET comes back to the same address, a POST to the page the form
was on (its data is not kept, so the person submits it again). The API
answers 403 with the address of the step-up page. The check a view relied
on is ``selectors.step_up_recent(request=request, minutes=...)``.
"""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from core.navigation import return_path

from .selectors import step_up_recent

STEP_UP_MINUTES = 10


def step_up_url(next_url: str = "", *, resubmit: bool = False) -> str:
    """The step-up page's address, coming back to ``next_url`` afterwards."""
    query = {}
    if next_url:
        query["next"] = next_url
    if resubmit:
        query["resubmit"] = "1"
    url = reverse("accounts:two_factor_step_up")
    return f"{url}?{urlencode(query)}" if query else url


def step_up_required_response(request, *, minutes: int = STEP_UP_MINUTES):
    """The redirect a page view answers with when the check is missing, else None."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if step_up_recent(request=request, minutes=minutes) is not None:
        return None
    return redirect(
        step_up_url(return_path(request, fallback=request.path), resubmit=request.method not in ("GET", "HEAD"))
    )


def require_recent_verification(minutes: int | Callable = STEP_UP_MINUTES):
    """Put a function view behind a step-up check passed within ``minutes``.

    Use as ``@require_recent_verification(minutes=10)``; the bare
    ``@require_recent_verification`` means the default ten minutes.
    """
    if callable(minutes):
        return require_recent_verification()(minutes)

    def decorator(view_func):
        @wraps(view_func)
        def wrapped(request, *args, **kwargs):
            response = step_up_required_response(request, minutes=minutes)
            if response is not None:
                return response
            return view_func(request, *args, **kwargs)

        return wrapped

    return decorator


class RecentVerificationRequiredMixin:
    """The class-view form of ``require_recent_verification``."""

    step_up_minutes = STEP_UP_MINUTES

    def dispatch(self, request, *args, **kwargs):
        response = step_up_required_response(request, minutes=self.step_up_minutes)
        if response is not None:
            return response
        return super().dispatch(request, *args, **kwargs)


class RecentVerificationPermission(BasePermission):
    """DRF: the caller's session passed a step-up check within ``minutes``.

    Service clients (OAuth2 bearer tokens) are not a person and so never
    pass: a citizen's sensitive action needs the citizen at a browser.
    """

    minutes = STEP_UP_MINUTES

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if step_up_recent(request=request, minutes=self.minutes) is not None:
            return True
        url = request.build_absolute_uri(step_up_url())
        raise PermissionDenied(
            {
                "detail": _(
                    "Confirm it is you with a one-time code first: open %(url)s, enter the code, "
                    "then try again within %(minutes)d minutes."
                )
                % {"url": url, "minutes": self.minutes},
                "code": "step_up_required",
                "step_up_url": url,
            }
        )


def recent_verification_permission(minutes: int = STEP_UP_MINUTES) -> type[RecentVerificationPermission]:
    """``RecentVerificationPermission`` with another window, for ``permission_classes``."""
    return type(f"RecentVerificationPermission{minutes}", (RecentVerificationPermission,), {"minutes": minutes})
