"""Seed the holiday calendar for the current and next year."""

import datetime

from django.db import migrations

from privacy_requests.holidays import DAYS


def seed(apps, schema_editor):
    CalendarDay = apps.get_model("privacy_requests", "CalendarDay")
    for date, kind, name_zh, name_en in DAYS:
        CalendarDay.objects.update_or_create(
            date=datetime.date.fromisoformat(date), defaults={"kind": kind, "name_zh": name_zh, "name_en": name_en}
        )


class Migration(migrations.Migration):
    dependencies = [("privacy_requests", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
