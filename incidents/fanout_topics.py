"""Incident notices, as the fan-out engine and a person's export know them."""

from django.utils.translation import gettext_lazy as _

from notifications.topics import FanOutTopic, Notice, topic_register

from .models import Incident
from .notification_kinds import SECURITY_INCIDENT


def describe_incident_notices(fan_outs) -> dict[int, Notice]:
    """The incident behind each fan-out: its title and advice in the reader's language."""
    incidents = Incident.objects.filter(fan_out_id__in=[fan_out.pk for fan_out in fan_outs])
    return {incident.fan_out_id: Notice(about=incident.title, advice=incident.advice) for incident in incidents}


INCIDENT_NOTICES = topic_register(
    FanOutTopic(
        prefix="incident",
        kind=SECURITY_INCIDENT,
        label="security incident",
        audience=_("The people the incident affects, as its record selects them"),
        describe=describe_incident_notices,
        # Whoever may see incidents sees how far their notices have got.
        view_permission="incidents.view_incident",
    )
)
