"""Messages on a request: staff waiting for the citizen pause the clock, the citizen's reply resumes it."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notification_send

from ..models import PrivacyRequest, RequestMessage
from ..state_machine import OPEN_STATES
from .clock import _settle_pause
from .notices import KIND_MESSAGE, KIND_STAFF_REPLY, _context, _tell_citizen
from .transitions import TransitionNotAllowed, _audit, _event, _lock, _not_allowed, _refresh_into, _require_staff


def privacy_request_message(
    *, request: PrivacyRequest, author, body: str, from_staff: bool, waits_for_citizen: bool = False
) -> RequestMessage:
    """A message on a request. Staff waiting for an answer pause the clock; the citizen's reply resumes it."""
    body = (body or "").strip()
    if not body:
        raise TransitionNotAllowed(_("Write a message."))
    if from_staff:
        _require_staff(author)
    elif author is None or author.pk != request.requester_id:
        raise TransitionNotAllowed(_("Only the person who made the request can reply to it."))
    with transaction.atomic():
        locked = _lock(request)
        if locked.state not in OPEN_STATES:
            raise _not_allowed(locked)
        message = RequestMessage.objects.create(request=locked, author=author, from_staff=from_staff, body=body)
        _event(locked, action="message_staff" if from_staff else "message_citizen", actor=author)
        _audit(author, "message", locked, from_staff=from_staff, message=message.pk)
        if from_staff:
            if waits_for_citizen and locked.paused_since is None:
                locked.paused_since = timezone.now()
                locked.save(update_fields=["paused_since"])
                _event(locked, action="paused", actor=author)
                _audit(author, "pause", locked)
            _tell_citizen(locked, KIND_MESSAGE, message=message, waiting=locked.paused_since is not None)
        else:
            update: set = set()
            waited = _settle_pause(locked, update)
            if update:
                locked.save(update_fields=sorted(update))
                _event(locked, action="resumed", actor=author, note=str(waited))
                _audit(author, "resume", locked, waited_working_days=waited)
            if locked.assigned_to_id:
                notification_send(recipient=locked.assigned_to, kind=KIND_STAFF_REPLY, context=_context(locked))
    _refresh_into(request, locked)
    return message
