"""Account cancellation pages: confirm (with its consequences), done, reverse. Thin: rules live in services."""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.two_factor.decorators import STEP_UP_MINUTES, require_recent_verification
from accounts.two_factor.selectors import step_up_recent
from personal_data import holds
from personal_data.registry import personal_data_categories
from privacy_requests.fulfilment.cancellation import outcome_rows
from privacy_requests.working_days import DEADLINE_WORKING_DAYS, add_working_days

from . import outcome_links, services
from .selectors import cancellation_in_cooling_off, cancellation_open_for

# What the "done" page shows after the person was signed out (their session is new by then).
DONE_SESSION_KEY = "privacy_cancellation_filed"


@login_required
@require_recent_verification(minutes=STEP_UP_MINUTES)
@require_http_methods(["GET", "POST"])
def cancellation_confirm(request):
    """The consequences, then one button. No other conditions (clause 8.5)."""
    user = request.user
    if request.method == "POST":
        from privacy_requests.services import DuplicateRequest

        check = step_up_recent(request=request, minutes=STEP_UP_MINUTES)
        try:
            filed = services.cancellation_request(user=user, identity_check=check)
        except DuplicateRequest:
            return redirect("privacy_requests:cancellation:reverse")
        # Every other session ended in the service; this one ends here.
        logout(request)
        request.session[DONE_SESSION_KEY] = {
            "reference": filed.reference,
            "cooling_off_until": filed.cooling_off_until.isoformat(),
            "due_date": filed.due_date.isoformat(),
        }
        return redirect("privacy_requests:cancellation:done")

    now = timezone.now()
    due_date = add_working_days(timezone.localdate(now), DEADLINE_WORKING_DAYS)
    categories = personal_data_categories()
    deleted = [entry.label for entry in categories if not holds.is_held(user=user, category=entry.code)]
    kept = [entry.label for entry in categories if holds.is_held(user=user, category=entry.code)]
    return render(
        request,
        "privacy_requests/cancellation/confirm.html",
        {
            "deleted": deleted,
            "kept": kept,
            "due_date": due_date,
            "deadline_working_days": DEADLINE_WORKING_DAYS,
            "cooling_off_until": services.cancellation_cooling_off_end(start=now, due_date=due_date),
            "cooling_off_days": services.cooling_off_days(),
            "outcome_link_days": outcome_links.outcome_link_days(),
        },
    )


def cancellation_done(request):
    """After confirming: the person is signed out; say what happens next."""
    filed = request.session.get(DONE_SESSION_KEY)
    context = {}
    if filed:
        cooling_off_until = parse_datetime(filed.get("cooling_off_until", ""))
        context = {
            "reference": filed.get("reference", ""),
            "cooling_off_until": cooling_off_until if isinstance(cooling_off_until, datetime) else None,
            "due_date": parse_date(filed.get("due_date", "")),
        }
    return render(request, "privacy_requests/cancellation/done.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def cancellation_reverse(request):
    """The one page open to a person whose account is being cancelled."""
    pending = cancellation_open_for(user=request.user)
    if pending is None:
        return redirect("home")
    in_cooling_off = cancellation_in_cooling_off(request=pending)
    if request.method == "POST":
        from privacy_requests.services import TransitionNotAllowed

        try:
            services.cancellation_reverse(request=pending, actor=request.user)
        except TransitionNotAllowed as error:
            messages.error(request, error.message)
            return redirect("privacy_requests:cancellation:reverse")
        messages.success(request, _("The cancellation is reversed: your account is yours to use again."))
        return redirect("home")
    return render(
        request,
        "privacy_requests/cancellation/reverse.html",
        {"pending": pending, "in_cooling_off": in_cooling_off},
    )


@require_http_methods(["GET"])
def cancellation_outcome(request, token: str):
    """The outcome of a completed cancellation, from the signed link in the final email; no sign-in (there is none)."""
    try:
        cancelled = outcome_links.outcome_request(token=token)
    except outcome_links.OutcomeLinkExpired:
        response = render(request, "privacy_requests/cancellation/outcome_invalid.html", {"expired": True}, status=410)
    except outcome_links.OutcomeLinkInvalid:
        response = render(request, "privacy_requests/cancellation/outcome_invalid.html", {"expired": False}, status=404)
    else:
        response = render(
            request,
            "privacy_requests/cancellation/outcome.html",
            {"cancelled": cancelled, "outcomes": outcome_rows(request=cancelled)},
        )
    # The link is the key to the page: never cached, never sent on as a referrer, never indexed.
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True, private=True)
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
