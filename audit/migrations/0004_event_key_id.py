"""The key that signed each link (issue #11): audit events written from now on are HMAC-signed.

Existing rows get the empty key id, which means plain SHA-256, as they were
hashed; the verifier keeps accepting them before the first keyed link.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_refuse_truncate"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(blank=True, default="", editable=False, max_length=16, verbose_name="hash key"),
        ),
    ]
