"""What the incidents app holds about a person, for export and erasure (privacy_requests.registry)."""

from django.utils.translation import gettext_lazy as _

from privacy_requests.holds import is_held
from privacy_requests.registry import register_personal_data

from .models import FanOutRecipient, Incident

CHUNK = 2000


def export_incident_notices(user):
    """The security incidents the person was told about (the messages themselves are in the inbox and emails)."""
    notified = Incident.objects.filter(fan_out__recipients__user=user).order_by("discovered_at", "id")
    for incident in notified.iterator(chunk_size=CHUNK):
        yield {
            "incident": incident.title,
            "discovered": incident.discovered_at,
            "advice": incident.advice,
        }


def erase_incident_notices(user) -> str:
    if is_held(user=user, category="incident_notices"):
        return "kept"
    FanOutRecipient.objects.filter(user=user).delete()
    return "deleted"


register_personal_data(
    "incident_notices",
    label=_("Security incidents you were told about"),
    models=[FanOutRecipient],
    exporter=export_incident_notices,
    eraser=erase_incident_notices,
)
