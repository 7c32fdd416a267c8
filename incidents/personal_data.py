"""What the incidents app holds about a person, for export and erasure (personal_data.registry).

A fan-out keeps one record per person told, for incident notices and for
policy-change announcements alike; the messages themselves are exported
with the inbox and the emails.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from notifications.models import FanOutRecipient
from notifications.topics import notices_for
from personal_data.fields import moment, text
from personal_data.holds import is_held
from personal_data.registry import LegalBasis, register_personal_data

CHUNK = 2000


def export_bulk_notices(user):
    """Each security incident and policy change the person was told about, and when the telling began.

    What each fan-out was about comes from the app that started it (its
    topic in ``notifications.topics``); records of fan-outs no topic still
    knows about are left out.
    """
    told = FanOutRecipient.objects.filter(user=user).select_related("fan_out").order_by("fan_out__created_at", "id")
    records = list(told.iterator(chunk_size=CHUNK))
    notices = notices_for({record.fan_out_id: record.fan_out for record in records}.values())
    for record in records:
        if record.fan_out_id not in notices:
            continue
        topic, notice = notices[record.fan_out_id]
        yield {"notice": topic.label, "about": notice.about, "advice": notice.advice, "sent": record.fan_out.created_at}


def erase_bulk_notices(user) -> str:
    if is_held(user=user, category="incident_notices"):
        return "kept"
    FanOutRecipient.objects.filter(user=user).delete()
    return "deleted"


register_personal_data(
    "incident_notices",
    label=_("Security incidents and policy changes you were told about"),
    fields=(
        text("notice", pgettext_lazy("export column", "Notice")),
        text("about", pgettext_lazy("export column", "About")),
        text("advice", _("What we advised")),
        moment("sent", _("Sent")),
    ),
    purpose=_("The law requires us to tell you about security incidents and policy changes that affect you."),
    legal_basis=LegalBasis.STATUTORY_DUTY,
    models=[FanOutRecipient],
    exporter=export_bulk_notices,
    eraser=erase_bulk_notices,
)
