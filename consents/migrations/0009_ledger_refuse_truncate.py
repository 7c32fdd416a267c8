"""On PostgreSQL the database refuses to empty the consent ledger with TRUNCATE.

The row trigger of 0002 does not fire on TRUNCATE. Someone who may disable
triggers can still empty the table; the signed checkpoints written outside
the database (``consents.checkpoints``) are what reveal it then.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION consent_event_refuse_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'consent events are append-only (TRUNCATE refused)'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER consent_event_no_truncate
    BEFORE TRUNCATE ON consents_consentevent
    FOR EACH STATEMENT EXECUTE FUNCTION consent_event_refuse_truncate();
"""

DROP = """
DROP TRIGGER IF EXISTS consent_event_no_truncate ON consents_consentevent;
DROP FUNCTION IF EXISTS consent_event_refuse_truncate();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("consents", "0008_disclosures")]

    operations = [migrations.RunPython(forwards, backwards)]
