"""What the incidents app holds about a person, for export and erasure (personal_data.registry).

A fan-out keeps one record per person told, for incident notices and for
policy-change announcements alike; the messages themselves are exported
with the inbox and the emails.
"""

from django.utils.translation import gettext_lazy as _

from consents.models import PolicyVersion
from consents.policy_acceptance.services import ANNOUNCEMENT_KEY_PREFIX
from personal_data.holds import is_held
from personal_data.registry import register_personal_data

from .models import FanOutRecipient, Incident

CHUNK = 2000


def _policy_version_numbers(keys: list[str]) -> dict[str, str]:
    ids = [key.removeprefix(ANNOUNCEMENT_KEY_PREFIX) for key in keys if key.startswith(ANNOUNCEMENT_KEY_PREFIX)]
    versions = PolicyVersion.objects.filter(pk__in=[int(i) for i in ids if i.isdigit()])
    return {f"{ANNOUNCEMENT_KEY_PREFIX}{pk}": number for pk, number in versions.values_list("pk", "version")}


def export_bulk_notices(user):
    """Each security incident and policy change the person was told about, and when the telling began."""
    told = FanOutRecipient.objects.filter(user=user).select_related("fan_out").order_by("fan_out__created_at", "id")
    records = list(told.iterator(chunk_size=CHUNK))
    fan_out_ids = [record.fan_out_id for record in records]
    incidents = {incident.fan_out_id: incident for incident in Incident.objects.filter(fan_out_id__in=fan_out_ids)}
    versions = _policy_version_numbers([record.fan_out.key for record in records])
    for record in records:
        incident = incidents.get(record.fan_out_id)
        if incident is not None:
            yield {
                "notice": "security incident",
                "about": incident.title,
                "advice": incident.advice,
                "sent": record.fan_out.created_at,
            }
        elif record.fan_out.key in versions:
            yield {
                "notice": "privacy policy change",
                "about": versions[record.fan_out.key],
                "advice": "",
                "sent": record.fan_out.created_at,
            }


def erase_bulk_notices(user) -> str:
    if is_held(user=user, category="incident_notices"):
        return "kept"
    FanOutRecipient.objects.filter(user=user).delete()
    return "deleted"


register_personal_data(
    "incident_notices",
    label=_("Security incidents and policy changes you were told about"),
    models=[FanOutRecipient],
    exporter=export_bulk_notices,
    eraser=erase_bulk_notices,
)
