"""Interest tags the person can see and delete, and the recommendations switch."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from consents.cookies.acting import acting_subject, channel_for
from consents.services import ConsentError
from core.navigation import safe_next

from . import services
from .selectors import access_interest_tag, interest_tags_for, recommendations_allowed, recommendations_for


def _back(request) -> str:
    return safe_next(request, default=reverse("consents:interests"))


@login_required
def interests_overview(request):
    return render(
        request,
        "consents/personalisation/overview.html",
        {
            "tags": interest_tags_for(user=request.user),
            "recommendations_on": recommendations_allowed(user=request.user),
            "suggestions": recommendations_for(user=request.user),
        },
    )


@require_POST
@login_required
def interest_tag_delete(request, tag_id: int):
    subject = acting_subject(request=request)
    tag = access_interest_tag(user=subject, tag_id=tag_id)
    services.interest_tag_delete(tag=tag, actor=request.user)
    messages.success(request, _("The interest was deleted."))
    return redirect(_back(request))


@require_POST
@login_required
def interest_tags_delete_all(request):
    subject = acting_subject(request=request)
    deleted = services.interest_tags_delete_all(user=subject, actor=request.user)
    messages.success(
        request,
        ngettext("%(count)d interest was deleted.", "%(count)d interests were deleted.", deleted) % {"count": deleted},
    )
    return redirect(_back(request))


@require_POST
@login_required
def recommendations_choice(request):
    """One click either way: personalised recommendations on, or off (which also deletes the tags)."""
    subject = acting_subject(request=request)
    choice = request.POST.get("choice")
    channel = channel_for(request=request, subject=subject)
    try:
        if choice == "off":
            services.recommendations_opt_out(subject=subject, actor=request.user, channel=channel)
            messages.success(
                request, _("Personalised recommendations are off, and the interests kept for them were deleted.")
            )
        elif choice == "on":
            services.recommendations_opt_in(subject=subject, actor=request.user, channel=channel)
            messages.success(request, _("Personalised recommendations are on. They are always labelled as such."))
        else:
            messages.error(request, _("Choose whether to turn personalised recommendations on or off."))
    except ConsentError as exc:
        messages.error(request, str(exc))
    return redirect(_back(request))
