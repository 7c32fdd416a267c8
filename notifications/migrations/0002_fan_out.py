"""The fan-out models move here from ``incidents`` (issue #10), keeping their tables and rows.

Only Django's idea of where the models live changes: the tables stay
``incidents_fanout`` and ``incidents_fanoutrecipient`` (``db_table``), so no
row is copied. Their content types move with them first, so the permissions
attached to them (and the groups and people holding those) carry over.
``incidents`` 0003 then forgets the models on its side.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ("fanout", "fanoutrecipient")


def _relabel(apps, schema_editor, *, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    alias = schema_editor.connection.alias
    for model in MOVED:
        # A content type already made under the new label (a database that
        # ran post_migrate in between) would clash: the old one carries the
        # grants, so it wins.
        if ContentType.objects.using(alias).filter(app_label=old, model=model).exists():
            ContentType.objects.using(alias).filter(app_label=new, model=model).delete()
            ContentType.objects.using(alias).filter(app_label=old, model=model).update(app_label=new)


def content_types_forward(apps, schema_editor):
    _relabel(apps, schema_editor, old="incidents", new="notifications")


def content_types_backward(apps, schema_editor):
    _relabel(apps, schema_editor, old="notifications", new="incidents")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("notifications", "0001_initial"),
        # The tables are made (and policy announcements recorded in them) there.
        ("incidents", "0002_policy_announcements_on_fan_out"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(content_types_forward, content_types_backward),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="FanOut",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("key", models.CharField(max_length=100, unique=True, verbose_name="key")),
                        ("kind", models.CharField(max_length=64, verbose_name="notification kind")),
                        ("total", models.PositiveIntegerField(default=0, verbose_name="people")),
                        ("cursor", models.BigIntegerField(default=0, verbose_name="last user id written")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="started")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="last batch")),
                        ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="all queued")),
                    ],
                    options={
                        "verbose_name": "notification fan-out",
                        "verbose_name_plural": "notification fan-outs",
                        "db_table": "incidents_fanout",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="FanOutRecipient",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "fan_out",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="recipients",
                                to="notifications.fanout",
                            ),
                        ),
                        (
                            "outbox_email",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="notifications.outboxemail",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "fan-out recipient",
                        "verbose_name_plural": "fan-out recipients",
                        "db_table": "incidents_fanoutrecipient",
                        "constraints": [
                            models.UniqueConstraint(fields=("fan_out", "user"), name="fanout_recipient_once")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
