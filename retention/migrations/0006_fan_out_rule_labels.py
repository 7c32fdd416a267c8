"""Rules naming a fan-out model by its old label follow it to ``notifications`` (issue #10).

The seeded rules name neither model, but an officer may have added one in
admin (``model`` is free text, ``app_label.model``); left as it was, the
sweep could no longer find its model. Only the label changes.
"""

from django.db import migrations

MOVED = ("fanout", "fanoutrecipient")


def _relabel(apps, schema_editor, *, old: str, new: str) -> None:
    RetentionRule = apps.get_model("retention", "RetentionRule")
    rules = RetentionRule.objects.using(schema_editor.connection.alias)
    for model in MOVED:
        for rule in rules.filter(model__iexact=f"{old}.{model}"):
            rule.model = f"{new}.{model}"
            rule.save(update_fields=["model"])


def forward(apps, schema_editor):
    _relabel(apps, schema_editor, old="incidents", new="notifications")


def backward(apps, schema_editor):
    _relabel(apps, schema_editor, old="notifications", new="incidents")


class Migration(migrations.Migration):
    dependencies = [
        ("retention", "0004_seed_delivery_rules"),
        ("notifications", "0002_fan_out"),
    ]

    operations = [migrations.RunPython(forward, backward)]
