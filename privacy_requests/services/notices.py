"""What the citizen is told about their request: notification kinds, links and the message context."""

import json

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from core.site import site_url
from notifications.services import email_enqueue, notification_send

from ..models import PrivacyRequest, RequestKind, RequestState

# Notification kinds (registered in notifications/kinds.py).
KIND_RECEIVED = "request_received"
KIND_STATUS = "request_status_changed"
KIND_MESSAGE = "request_message"
KIND_EXTENDED = "request_extended"
KIND_STAFF_REPLY = "request_citizen_replied"


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
