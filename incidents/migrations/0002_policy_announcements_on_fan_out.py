"""Policy announcements move onto the fan-out: record who was already told.

Before, "already told about version V" was an inbox message of kind
``policy_changed`` whose body links to V's changes page. From now on it is a
``FanOutRecipient`` of the fan-out ``policy:<V's pk>``. Without this step a
re-run of an announcement made before the move would tell everyone again.
"""

from django.db import migrations
from django.utils import timezone

KIND = "policy_changed"
CHUNK = 5000


def record_earlier_announcements(apps, schema_editor):
    PolicyVersion = apps.get_model("consents", "PolicyVersion")
    InboxMessage = apps.get_model("notifications", "InboxMessage")
    OutboxEmail = apps.get_model("notifications", "OutboxEmail")
    FanOut = apps.get_model("incidents", "FanOut")
    FanOutRecipient = apps.get_model("incidents", "FanOutRecipient")
    for version in PolicyVersion.objects.filter(published_at__isnull=False).order_by("pk"):
        # The one place the old body match is still needed: reading history.
        link = f"/policy/{version.version}/changes/"
        told = (
            InboxMessage.objects.filter(kind=KIND, body__contains=link)
            .order_by("recipient_id")
            .values_list("recipient_id", flat=True)
            .distinct()
        )
        people = list(told)
        if not people or FanOut.objects.filter(key=f"policy:{version.pk}").exists():
            continue
        emails = dict(
            OutboxEmail.objects.filter(kind=KIND, body__contains=link, recipient_id__isnull=False)
            .order_by("recipient_id", "pk")
            .values_list("recipient_id", "pk")
        )
        fan_out = FanOut.objects.create(
            key=f"policy:{version.pk}", kind=KIND, total=len(people), cursor=people[-1], finished_at=timezone.now()
        )
        for start in range(0, len(people), CHUNK):
            FanOutRecipient.objects.bulk_create(
                [
                    FanOutRecipient(fan_out=fan_out, user_id=user_id, outbox_email_id=emails.get(user_id))
                    for user_id in people[start : start + CHUNK]
                ]
            )


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(record_earlier_announcements, migrations.RunPython.noop),
    ]
