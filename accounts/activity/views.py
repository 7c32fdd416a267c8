"""The citizen's own sign-in history and signed-in devices."""

from allauth.account.adapter import get_adapter as get_account_adapter
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .devices import device_name

PAGE_SIZE = 20


@login_required
def activity_list(request):
    page = Paginator(selectors.login_activity_for(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page.object_list:
        row.method_label = selectors.login_method_label(row.method)
        row.device = device_name(row.user_agent)
    return render(request, "accounts/activity/activity.html", {"page": page, "rows": page.object_list})


@login_required
def session_list(request):
    sessions = selectors.sessions_for(user=request.user, current_session_key=request.session.session_key)
    has_others = any(not session.current for session in sessions)
    return render(request, "accounts/activity/sessions.html", {"sessions": sessions, "has_others": has_others})


@login_required
@require_POST
def session_end(request, session_id: int):
    session = selectors.access_user_session(user=request.user, session_id=session_id)
    is_current = session.session_key == request.session.session_key
    services.user_session_end(user=request.user, session=session)
    if is_current:
        # The session's data is gone; sign out properly so this response
        # does not write it back.
        get_account_adapter(request).logout(request)
        return redirect("account_login")
    messages.success(request, _("That session is signed out."))
    return redirect("accounts:activity_sessions")


@login_required
@require_POST
def sessions_end_others(request):
    count = services.user_sessions_end_others(
        user=request.user, keep_session_key=request.session.session_key, reason="signed_out_by_person"
    )
    if count:
        messages.success(request, _("Every other device is signed out."))
    return redirect("accounts:activity_sessions")
