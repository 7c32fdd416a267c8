"""DRF's authtoken app is gone (issue #13: services use OAuth2 client credentials).

Its table held every service account's key in plain text; left behind, it
would keep live-looking secrets nobody reads. Dropped with its migration
records, so adding the app again would start from an empty table.
"""

from django.db import migrations


def drop_drf_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if "authtoken_token" in connection.introspection.table_names():
        cascade = " CASCADE" if connection.vendor == "postgresql" else ""
        schema_editor.execute(f"DROP TABLE authtoken_token{cascade}")
    schema_editor.execute("DELETE FROM django_migrations WHERE app = 'authtoken'")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_service_client")]

    operations = [migrations.RunPython(drop_drf_tokens, migrations.RunPython.noop)]
