"""Seed the delivery-address rules (retention.rules.DEFAULT_RULES) in databases migrated before they existed.

A fresh database already has them from 0002, which loads every default rule;
``get_or_create`` leaves those, and any rule an officer has edited, alone.
"""

from django.db import migrations

from retention.rules import DEFAULT_RULES

CODES = ("delivery_addresses", "delivery_addresses_cancelled")


def _alias(schema_editor) -> str:
    # privacy_portal.reference_data calls seed() without a schema editor after a flush.
    return schema_editor.connection.alias if schema_editor is not None else "default"


def seed(apps, schema_editor):
    RetentionRule = apps.get_model("retention", "RetentionRule")
    for rule in DEFAULT_RULES:
        if rule["code"] in CODES:
            values = dict(rule)
            code = values.pop("code")
            RetentionRule.objects.using(_alias(schema_editor)).get_or_create(code=code, defaults=values)


def unseed(apps, schema_editor):
    RetentionRule = apps.get_model("retention", "RetentionRule")
    RetentionRule.objects.using(_alias(schema_editor)).filter(code__in=CODES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("retention", "0003_processing_register_permission"),
        # The rules name accounts.delivery: its table exists before a sweep can read them.
        ("accounts", "0004_delivery"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
