"""Whom a consent page acts for: the signed-in person, or a minor they are guardian of.

The dashboard shows a ward's panels to their guardian (its context holds
``subject``); the panels' forms then carry the ward's id in a hidden
``subject`` field. Any id that is not the actor's confirmed ward is a 404.
Shared by the cookie, location and interests pages.
"""

from django.http import Http404

from consents.dashboard.selectors import access_ward
from consents.models import ConsentChannel


def acting_subject(*, request):
    """The person whose choices this request changes."""
    raw = request.POST.get("subject") or request.GET.get("subject") or ""
    if not raw or raw == str(request.user.pk):
        return request.user
    try:
        minor_id = int(raw)
    except ValueError:
        raise Http404 from None
    return access_ward(guardian=request.user, minor_id=minor_id)


def channel_for(*, request, subject, default: str = ConsentChannel.WEB) -> str:
    """The ledger channel of a choice made on a page: a guardian's choice says so."""
    return ConsentChannel.GUARDIAN if subject.pk != request.user.pk else default


def subject_context(*, context) -> dict:
    """For panel tags: the viewer, the person shown, and whether they differ."""
    request = context["request"]
    viewer = request.user
    subject = context.get("subject") or viewer
    return {
        "request": request,
        "viewer": viewer,
        "subject": subject,
        "acting_for": subject.pk != viewer.pk,
        "csrf_token": context.get("csrf_token"),
    }
