"""What the citizen is told about their request: notification kinds, links and the message context."""

import json

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from core.site import site_url
from notifications.services import email_enqueue, notification_send

from .. import notification_kinds
from ..models import PrivacyRequest, RequestKind, RequestState

# The kinds a request's notices use, under the names the services know them by.
KIND_RECEIVED = notification_kinds.REQUEST_RECEIVED
KIND_STATUS = notification_kinds.REQUEST_STATUS_CHANGED
KIND_MESSAGE = notification_kinds.REQUEST_MESSAGE
KIND_EXTENDED = notification_kinds.REQUEST_EXTENDED
KIND_STAFF_REPLY = notification_kinds.REQUEST_CITIZEN_REPLIED


def request_url(request: PrivacyRequest) -> str:
    # A plain path rather than reverse(): notifications render in workers
    # and tests that may not include the requests' URLconf.
    return site_url(f"/requests/{request.pk}/")


def _details(request: PrivacyRequest) -> dict:
    try:
        value = json.loads(request.details or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def request_details(request: PrivacyRequest) -> dict:
    """The request's details (decrypted JSON) as a dict."""
    return _details(request)


def _context(request: PrivacyRequest, **extra) -> dict:
    return {
        "request": request,
        "reference": request.reference,
        # Lazy labels: the notification renders them in the recipient's language.
        "kind_label": RequestKind(request.kind).label,
        "state_label": RequestState(request.state).label,
        "due_date": request.due_date,
        "request_url": request_url(request),
        **extra,
    }


def _tell_citizen(request: PrivacyRequest, kind: str, **extra) -> None:
    """Notify the requester; an anonymous complainant gets an email at their contact address."""
    context = _context(request, **extra)
    if request.requester_id:
        notification_send(recipient=request.requester, kind=kind, context=context)
    elif request.contact_email:
        language = _details(request).get("language") or settings.LANGUAGE_CODE
        with translation.override(language):
            subject = render_to_string(f"notifications/{kind}/subject.txt", {**context, "anonymous": True})
            body = render_to_string(f"notifications/{kind}/body.txt", {**context, "anonymous": True})
        email_enqueue(
            to_address=request.contact_email, kind=kind, language=language, subject=subject.strip(), body=body.strip()
        )
