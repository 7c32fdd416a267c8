"""DRF's authtoken app is gone (issue #13: services use OAuth2 client credentials).

Its table held every service account's key in plain text; left behind, it
would keep live-looking secrets nobody reads. Dropped with its migration
records, so adding the app again would start from an empty table.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_service_client")]

    operations = [
        migrations.RunSQL(
            sql=[
                "DROP TABLE IF EXISTS authtoken_token CASCADE",
                "DELETE FROM django_migrations WHERE app = 'authtoken'",
            ],
            reverse_sql=migrations.RunSQL.noop,
        )
    ]
