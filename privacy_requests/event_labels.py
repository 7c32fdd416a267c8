"""What each step in a request's timeline is called, for the citizen (request page, export summary)."""

from django.utils.translation import gettext_lazy

EVENT_LABELS = {
    "submitted": gettext_lazy("Request received"),
    "verify": gettext_lazy("Identity confirmed; the deadline starts"),
    "start_review": gettext_lazy("Our staff started reviewing it"),
    "complete": gettext_lazy("Completed"),
    "refuse": gettext_lazy("Refused"),
    "withdraw": gettext_lazy("Withdrawn by you"),
    "lapse": gettext_lazy("Lapsed: identity not confirmed within 7 days"),
    "extended": gettext_lazy("Deadline extended"),
    "message_staff": gettext_lazy("Message from our staff"),
    "message_citizen": gettext_lazy("Your reply"),
    "paused": gettext_lazy("Waiting for your answer: the deadline is paused"),
    "resumed": gettext_lazy("Your answer arrived: the deadline runs again"),
    "erasure_instructed": gettext_lazy("The services holding copies of your data were told to erase them"),
    "propagation_confirmed": gettext_lazy("Every service confirmed the erasure: the request is fully done"),
    "propagation_closed": gettext_lazy("Fully done: a privacy officer closed the confirmations still missing"),
}

# Steps the request page leaves out (how staff organise themselves: ``selectors.INTERNAL_EVENTS``) but the
# export includes, since the timeline is the person's data; in the person's words, not staff's.
STAFF_STEP_LABELS = {
    "assigned": gettext_lazy("A staff member took on your request"),
    "proposed_refuse": gettext_lazy("A refusal was proposed, for a second staff member to check"),
    "proposed_delete": gettext_lazy("The deletion was proposed, for a second staff member to check"),
    "confirmed_refuse": gettext_lazy("A second staff member confirmed the refusal"),
    "confirmed_delete": gettext_lazy("A second staff member confirmed the deletion"),
    "rejected_refuse": gettext_lazy("A second staff member turned down the proposed refusal"),
    "rejected_delete": gettext_lazy("A second staff member turned down the proposed deletion"),
    "proposed_complete": gettext_lazy("An answer was proposed, for a second staff member to check"),
    "confirmed_complete": gettext_lazy("A second staff member confirmed the answer"),
    "rejected_complete": gettext_lazy("A second staff member turned down the proposed answer"),
    "propagation_closed_by_officer": gettext_lazy("A privacy officer closed the erasure confirmations still missing"),
    "escalated": gettext_lazy("Overdue: passed to the privacy officers"),
}
EXPORT_EVENT_LABELS = {**EVENT_LABELS, **STAFF_STEP_LABELS}
