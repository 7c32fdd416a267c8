"""Writing an internal note: a staff member who may see the request, a text, an audit record."""

from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record

from ..models import PrivacyRequest
from .models import RequestNote

MAX_NOTE_LENGTH = 5000


class NoteRefused(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def privacy_request_note_add(*, request: PrivacyRequest, author, body: str) -> RequestNote:
    """Add ``body`` as an internal note on ``request``.

    Whether ``author`` may see the request is the caller's check (the admin's
    object permission); here only staff may write at all, because a note
    must never come from, or be read back to, the citizen.
    """
    if author is None or not getattr(author, "is_staff", False):
        raise NoteRefused(_("Only a staff member can do this."))
    body = (body or "").strip()
    if not body:
        raise NoteRefused(_("Write the note."))
    if len(body) > MAX_NOTE_LENGTH:
        raise NoteRefused(_("A note is at most %(max)d characters.") % {"max": MAX_NOTE_LENGTH})
    with transaction.atomic():
        note = RequestNote.objects.create(request=request, author=author, body=body)
        # The text may quote personal data: the audit event holds the ids only.
        audit_record(
            actor=author,
            action="privacy_request.note_add",
            target=request,
            details={"kind": request.kind, "state": request.state, "note": note.pk},
        )
    return note
