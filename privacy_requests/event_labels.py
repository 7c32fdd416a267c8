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
