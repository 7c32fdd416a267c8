"""The one-click withdrawal page an invitation's link opens; no sign-in, the signed link speaks for the person."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import links, services

_PAGES = {
    services.LinkOutcome.READY: ("consents/surveys/confirm.html", 200),
    services.LinkOutcome.WITHDRAWN: ("consents/surveys/withdrawn.html", 200),
    services.LinkOutcome.ALREADY: ("consents/surveys/already.html", 200),
    # The link was used, or the person consented again since: it no longer speaks for them.
    services.LinkOutcome.SUPERSEDED: ("consents/surveys/link_invalid.html", 410),
}


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def survey_withdraw(request, token):
    """GET asks for confirmation (mail scanners follow links; only a person presses the button), POST withdraws."""
    try:
        link = links.withdraw_link_read(token)
        if request.method == "POST":
            outcome = services.survey_link_withdraw(link=link)
        else:
            outcome = services.survey_link_check(link=link)
    except links.LinkExpired:
        return render(request, "consents/surveys/link_invalid.html", {"expired": True}, status=410)
    except links.LinkInvalid:
        return render(request, "consents/surveys/link_invalid.html", {}, status=400)
    template, status = _PAGES[outcome]
    return render(request, template, {"token": token}, status=status)
