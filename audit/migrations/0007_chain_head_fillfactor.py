"""Chain heads on pages mostly empty (PostgreSQL's fillfactor 10), so that moving a head is a HOT update.

Every audited write updates its partition's head row while holding its lock.
With the 64 heads packed on one page, an update finds no room beside the old
version and must write a new index entry too; with 90% of each page kept free
the new version goes on the same page (a heap-only tuple): less WAL, no index
write, a shorter hold of the lock. The table is rewritten so that the heads
already there spread out. PostgreSQL only: other databases have no fillfactor.
"""

from django.db import migrations

TABLE = "audit_auditchainhead"


def _spread_out(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(TABLE)
    schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = 10)")
    # VACUUM FULL rewrites the table under the new fillfactor; it cannot run inside a transaction.
    schema_editor.execute(f"VACUUM FULL {table}")


def _pack(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(TABLE)} RESET (fillfactor)")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("audit", "0006_partitioned_chain"),
    ]

    operations = [
        migrations.RunPython(_spread_out, _pack, elidable=False),
    ]
