"""The audit log becomes several hash chains, one head row per partition (issue #13).

Every existing event joins partition 0 with its sequence number unchanged,
and the one head row becomes partition 0's head: the chain written so far
is partition 0's chain and verifies as before (its links, and the new links
of partition 0, do not name a partition; see ``audit.hashing``). Adding a
column with a constant default rewrites no row, so the append-only triggers
are not involved. The other partitions' heads are created by their first
event; their ids come from the table's sequence, which the single head row,
written with an explicit ``pk=1``, never advanced, so it is moved past it.
"""

from django.conf import settings
from django.core.management.color import no_style
from django.db import migrations, models


def sequence_past_the_legacy_head(apps, schema_editor):
    connection = schema_editor.connection
    for statement in connection.ops.sequence_reset_sql(no_style(), [apps.get_model("audit", "AuditChainHead")]):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_chain_verification"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="auditevent",
            options={
                "ordering": ["-id"],
                "verbose_name": "audit event",
                "verbose_name_plural": "audit events",
            },
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="partition",
            field=models.PositiveSmallIntegerField(default=0, unique=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="partition",
            field=models.PositiveSmallIntegerField(db_default=0, default=0, editable=False, verbose_name="partition"),
        ),
        migrations.AddField(
            model_name="chainverification",
            name="full",
            field=models.BooleanField(default=True, verbose_name="full verification"),
        ),
        migrations.AddField(
            model_name="chainverification",
            name="partitions",
            field=models.PositiveIntegerField(default=0, verbose_name="partitions"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False, verbose_name="sequence"),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("partition", "seq"), name="audit_event_partition_seq"),
        ),
        migrations.RunPython(sequence_past_the_legacy_head, migrations.RunPython.noop),
    ]
