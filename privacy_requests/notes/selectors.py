"""Reading internal notes: for the staff request page only."""

from dataclasses import dataclass
from datetime import datetime

from core.logging import mask_personal_data

from ..models import PrivacyRequest


@dataclass(frozen=True)
class NoteRow:
    author: str
    created_at: datetime
    body: str


def notes_for_staff(*, request: PrivacyRequest) -> list[NoteRow]:
    """The request's notes, oldest first, numbers in them masked as in the messages; one query."""
    return [
        NoteRow(
            author=note.author.get_username() if note.author else "-",
            created_at=note.created_at,
            body=mask_personal_data(note.body),
        )
        for note in request.internal_notes.select_related("author")
    ]
