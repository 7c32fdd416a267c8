"""The key that signed each link (issue #11): consent events written from now on are HMAC-signed.

Existing rows get the empty key id, which means plain SHA-256, as they were
hashed; the verifier keeps accepting them before the first keyed link.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("consents", "0009_ledger_refuse_truncate"),
    ]

    operations = [
        migrations.AddField(
            model_name="consentevent",
            name="key_id",
            field=models.CharField(blank=True, default="", editable=False, max_length=16, verbose_name="hash key"),
        ),
    ]
