"""Confirmations that belong to one row of the dashboard, shown beside its control.

A choice redirects back to the row's anchor; the message carries that anchor
in its tags, so the page can put the words where the person's eyes are rather
than at the top, some screens above.
"""

from dataclasses import dataclass

from django.contrib import messages

ANCHOR_TAG = "dashboard-row:"


@dataclass(frozen=True)
class Note:
    text: str
    level_tag: str
    anchor: str  # "purpose-<code>", or "" for a message of the whole page


def note_add(request, level: int, text: str, *, anchor: str) -> None:
    messages.add_message(request, level, text, extra_tags=f"{ANCHOR_TAG}{anchor}")


def notes_take(request) -> list[Note]:
    """Every pending message, each with the row it belongs to (if any); reading them uses them up."""
    notes = []
    for message in messages.get_messages(request):
        anchor = ""
        for tag in (message.extra_tags or "").split():
            if tag.startswith(ANCHOR_TAG):
                anchor = tag.removeprefix(ANCHOR_TAG)
        notes.append(Note(text=str(message), level_tag=message.level_tag, anchor=anchor))
    return notes
