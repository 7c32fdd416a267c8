"""Seed the optional services the policy names (clause 2.3)."""

from django.db import migrations

from consents import catalogue


def seed(apps, schema_editor):
    OptionalService = apps.get_model("consents", "OptionalService")
    Purpose = apps.get_model("consents", "Purpose")
    for code, purpose_code, name_zh, name_en, fields in catalogue.OPTIONAL_SERVICES:
        OptionalService.objects.update_or_create(
            code=code,
            defaults={
                "purpose": Purpose.objects.get(code=purpose_code),
                "name_zh": name_zh,
                "name_en": name_en,
                "required_fields": [
                    {"name": name, "label_zh": label_zh, "label_en": label_en} for name, label_zh, label_en in fields
                ],
            },
        )


class Migration(migrations.Migration):
    dependencies = [("consents", "0005_location_interests_services_strong_verification")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
