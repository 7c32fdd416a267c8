"""Load the default retention rules (retention.rules.DEFAULT_RULES); existing rules are left as they are."""

from django.db import migrations

from retention.rules import DEFAULT_RULES


def _alias(schema_editor) -> str:
    # privacy_portal.reference_data calls seed() without a schema editor after a flush.
    return schema_editor.connection.alias if schema_editor is not None else "default"


def seed(apps, schema_editor):
    RetentionRule = apps.get_model("retention", "RetentionRule")
    for rule in DEFAULT_RULES:
        values = dict(rule)
        code = values.pop("code")
        RetentionRule.objects.using(_alias(schema_editor)).get_or_create(code=code, defaults=values)


def unseed(apps, schema_editor):
    RetentionRule = apps.get_model("retention", "RetentionRule")
    codes = [rule["code"] for rule in DEFAULT_RULES]
    RetentionRule.objects.using(_alias(schema_editor)).filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
