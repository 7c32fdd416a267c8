"""``LegalHold`` moves here from the retention app: its table, rows, index and constraint stay as they are.

The database is not touched: this migration only tells Django's state that
the model now belongs to ``personal_data`` (with ``db_table`` naming the
old table), and moves its content type so that the permissions already
granted (``add_legalhold`` and the rest, held by the staff groups) follow
it. ``retention.0005_legalhold_moved`` removes it from retention's state
afterwards.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def _relabel(apps, *, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    # Drop a stray row under the new label (e.g. one made by a half-applied run), then move the original.
    if ContentType.objects.filter(app_label=old, model="legalhold").exists():
        ContentType.objects.filter(app_label=new, model="legalhold").delete()
        ContentType.objects.filter(app_label=old, model="legalhold").update(app_label=new)


def content_type_forward(apps, schema_editor):
    _relabel(apps, old="retention", new="personal_data")


def content_type_backward(apps, schema_editor):
    _relabel(apps, old="personal_data", new="retention")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("retention", "0004_seed_delivery_rules"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(content_type_forward, content_type_backward),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="LegalHold",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "category",
                            models.CharField(
                                blank=True,
                                default="",
                                help_text="Empty: every category.",
                                max_length=64,
                                verbose_name="data category",
                            ),
                        ),
                        ("reason", models.CharField(max_length=300, verbose_name="reason")),
                        ("placed_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="placed")),
                        ("review_date", models.DateField(verbose_name="review date")),
                        ("lifted_at", models.DateTimeField(blank=True, null=True, verbose_name="lifted")),
                        (
                            "lifted_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="lifted by",
                            ),
                        ),
                        (
                            "placed_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="placed by",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="legal_holds",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="person",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "legal hold",
                        "verbose_name_plural": "legal holds",
                        "db_table": "retention_legalhold",
                        "ordering": ["-placed_at", "-id"],
                        "indexes": [
                            models.Index(
                                condition=models.Q(("lifted_at", None)),
                                fields=["user", "category"],
                                name="legalhold_active",
                            )
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("category", ""), ("user", None), _negated=True),
                                name="legalhold_person_or_category",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
