"""On PostgreSQL the database refuses to change or remove consent events.

The single change allowed is forgetting who the subject was (retention sets
``subject_id`` to NULL when it anonymises a person): every hashed field stays
as it was, so the chain still verifies.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION consent_event_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.subject_id IS NULL
       AND (to_jsonb(NEW) - 'subject_id') = (to_jsonb(OLD) - 'subject_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'consent events are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER consent_event_append_only
    BEFORE UPDATE OR DELETE ON consents_consentevent
    FOR EACH ROW EXECUTE FUNCTION consent_event_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS consent_event_append_only ON consents_consentevent;
DROP FUNCTION IF EXISTS consent_event_refuse_change();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("consents", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
