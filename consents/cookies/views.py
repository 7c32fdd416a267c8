"""The cookie pages: details and settings, the banner's choice, and the page-view beacon.

All of them work for anonymous visitors: the banner is for them first.
"""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consents.models import ConsentChannel, Purpose
from consents.services import ConsentError
from core.navigation import safe_next

from .acting import acting_subject, channel_for
from .browser import browser_analytics_set, browser_choice_set
from .selectors import (
    ACCEPT,
    ANALYTICS_COOKIE,
    CHOICE_COOKIE,
    CHOICES,
    PURPOSE_CODE,
    REFUSE,
    cookie_choice_for,
    gpc_signal,
)
from .services import analytics_pageview_count, cookie_choice_record

SOURCE_BANNER = "banner"


def necessary_cookies() -> list[dict]:
    """The strictly necessary cookies, named as the browser shows them."""
    return [
        {
            "name": settings.SESSION_COOKIE_NAME,
            "purpose": _("Keeps you signed in while you use the portal."),
            "lifetime": _("Until you sign out, at most %(hours)d hours")
            % {"hours": settings.SESSION_COOKIE_AGE // 3600},
        },
        {
            "name": settings.CSRF_COOKIE_NAME,
            "purpose": _("Protects your forms from being sent by another website in your name."),
            "lifetime": _("One year"),
        },
        {
            "name": settings.LANGUAGE_COOKIE_NAME,
            "purpose": _("Remembers the language you chose."),
            "lifetime": _("Until you close the browser"),
        },
        {
            "name": CHOICE_COOKIE,
            "purpose": _("Remembers your cookie choice, including a refusal, so we do not ask on every page."),
            "lifetime": _("180 days"),
        },
        {
            "name": "messages",
            "purpose": _("Carries a confirmation such as this one to the next page, then is removed."),
            "lifetime": _("Until the next page"),
        },
    ]


def cookie_settings(request):
    """What each cookie is for, and the choice, for anyone."""
    choice = cookie_choice_for(request=request)
    return render(
        request,
        "consents/cookies/settings.html",
        {
            "choice": choice,
            "necessary": necessary_cookies(),
            "analytics_cookie": ANALYTICS_COOKIE,
            "purpose": Purpose.objects.filter(code=PURPOSE_CODE).first(),
        },
    )


@require_POST
def cookie_choose(request):
    """Accept or refuse the optional cookies: from the banner, the settings page or the dashboard."""
    choice = request.POST.get("choice", "")
    from_banner = request.POST.get("source") == SOURCE_BANNER
    next_url = safe_next(request, default=reverse("consents:cookies"))
    if choice not in CHOICES:
        messages.error(request, _("Choose whether to accept or refuse the analytics cookies."))
        return redirect(next_url)
    subject = request.user
    if request.user.is_authenticated:
        subject = acting_subject(request=request)
        channel = ConsentChannel.COOKIE_BANNER if from_banner else ConsentChannel.WEB
        try:
            cookie_choice_record(
                subject=subject,
                accept=choice == ACCEPT,
                channel=channel_for(request=request, subject=subject, default=channel),
                actor=request.user,
            )
        except ConsentError as exc:
            # A minor's refusal needs nobody's consent: the browser keeps it.
            # Anything else the rules refuse is explained and not applied.
            if not (choice == REFUSE and subject.pk == request.user.pk):
                messages.error(request, str(exc))
                return redirect(next_url)
    response = redirect(next_url)
    if subject.pk == request.user.pk or not request.user.is_authenticated:
        # Only the person's own browser follows their choice, not the guardian's.
        browser_choice_set(response, choice=choice)
    if choice == REFUSE:
        messages.success(request, _("Analytics cookies refused: only strictly necessary cookies are used."))
    elif gpc_signal(request=request):
        messages.warning(
            request,
            _(
                "Your choice is saved, but your browser sends a Global Privacy Control signal. We honour it: "
                "while it is on, no analytics cookies are used in this browser."
            ),
        )
    else:
        messages.success(request, _("Analytics cookies accepted. You can refuse them at any time on the cookies page."))
    return response


@require_POST
def analytics_pageview(request):
    """Count one page view, for ``analytics.js``. Only with consent; nothing personal is kept."""
    if not cookie_choice_for(request=request).analytics_allowed:
        return HttpResponseForbidden()
    new_browser = ANALYTICS_COOKIE not in request.COOKIES
    analytics_pageview_count(new_browser=new_browser)
    response = HttpResponse(status=204)
    if new_browser:
        browser_analytics_set(response)
    return response
