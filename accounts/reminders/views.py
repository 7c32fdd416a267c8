"""The reminder setting (signed in) and the one-click "stop" page (signed link, no sign-in)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ..models import User
from . import links, services


@login_required
@require_http_methods(["GET", "POST"])
def reminder_settings(request):
    if request.method == "POST":
        enabled = request.POST.get("reminders") == "on"
        services.reminders_set(user=request.user, enabled=enabled)
        messages.success(request, _("Reminders are on.") if enabled else _("Reminders are off."))
        return redirect("accounts:reminders")
    return render(request, "accounts/reminders/settings.html", {"enabled": request.user.reminders_enabled})


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def reminders_stop(request, token):
    """GET asks (mail scanners follow links), POST turns reminders off; a replay only shows they are off."""
    try:
        user_id = links.stop_link_read(token)
    except links.LinkInvalid:
        return render(request, "accounts/reminders/link_invalid.html", status=400)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return render(request, "accounts/reminders/link_invalid.html", status=400)
    if request.method == "POST":
        services.reminders_set(user=user, enabled=False)
        return render(request, "accounts/reminders/stopped.html")
    if not user.reminders_enabled:
        return render(request, "accounts/reminders/stopped.html", {"already": True})
    return render(request, "accounts/reminders/stop_confirm.html")
