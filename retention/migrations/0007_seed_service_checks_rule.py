"""Seed the rule for the counts of consent checks (retention.rules.DEFAULT_RULES) in databases migrated before it.

A fresh database already has it from 0002, which loads every default rule;
``get_or_create`` leaves that, and a rule an officer has edited, alone.
"""

from django.db import migrations

from retention.rules import DEFAULT_RULES

CODES = ("service_checks",)


def _alias(schema_editor) -> str:
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
        ("retention", "0006_fan_out_rule_labels"),
        # The rule names consents.servicecheckday: its table exists before a sweep can read it.
        ("consents", "0011_service_check_days"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
