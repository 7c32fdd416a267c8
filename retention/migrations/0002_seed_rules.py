"""Load the default retention rules (retention.rules.DEFAULT_RULES); existing rules are left as they are."""

from django.db import migrations

from retention.rules import DEFAULT_RULES


def seed(apps, schema_editor):
    RetentionRule = apps.get_model("retention", "RetentionRule")
    for rule in DEFAULT_RULES:
        values = dict(rule)
        code = values.pop("code")
        RetentionRule.objects.using(schema_editor.connection.alias).get_or_create(code=code, defaults=values)


def unseed(apps, schema_editor):
    RetentionRule = apps.get_model("retention", "RetentionRule")
    codes = [rule["code"] for rule in DEFAULT_RULES]
    RetentionRule.objects.using(schema_editor.connection.alias).filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
