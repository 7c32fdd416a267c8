"""``LegalHold`` now belongs to the personal_data app (``personal_data.0001_initial``).

Only Django's state forgets it here: the table ``retention_legalhold`` and
its rows stay, now owned by ``personal_data.LegalHold``.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("retention", "0004_seed_delivery_rules"),
        ("personal_data", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="LegalHold")],
            database_operations=[],
        ),
    ]
