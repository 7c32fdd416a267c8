"""The events the portal pushes to service clients, and who may receive each.

An endpoint may subscribe only to the events its client's scopes allow, and
a delivery is written only for endpoints whose client still holds one of
them when the event happens (a scope taken away stops the pushes at once).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.service_clients.scopes import CONSENT_EVENTS, ERASURE


class EventType(models.TextChoices):
    CONSENT_CHANGED = "consent.changed", _("Consent granted or withdrawn")
    REQUEST_COMPLETED = "request.completed", _("Deletion or account cancellation carried out")
    ERASURE_REQUESTED = "erasure.requested", _("Erasure instruction")


# event type -> the scopes, any one of which lets a client receive it.
EVENT_SCOPES: dict[str, frozenset[str]] = {
    EventType.CONSENT_CHANGED: frozenset({CONSENT_EVENTS}),
    # A service that holds copies must learn that the person's data is gone,
    # whether it follows consents or carries out erasures.
    EventType.REQUEST_COMPLETED: frozenset({CONSENT_EVENTS, ERASURE}),
    EventType.ERASURE_REQUESTED: frozenset({ERASURE}),
}


def events_allowed_for(scopes) -> list[str]:
    """The event types a client holding ``scopes`` may subscribe to."""
    held = set(scopes or ())
    return [event for event, needed in EVENT_SCOPES.items() if held & needed]
