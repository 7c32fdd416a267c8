"""The fan-out models now live in ``notifications`` (its 0002): forget them here, keep the tables.

The incident's link to its fan-out is pointed at the moved model first;
the column and its foreign key stay as they are, since the table does.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0002_policy_announcements_on_fan_out"),
        ("notifications", "0002_fan_out"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="incident",
                    name="fan_out",
                    field=models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="notifications.fanout",
                        verbose_name="notification",
                    ),
                ),
                migrations.DeleteModel(name="FanOutRecipient"),
                migrations.DeleteModel(name="FanOut"),
            ],
            database_operations=[],
        ),
    ]
