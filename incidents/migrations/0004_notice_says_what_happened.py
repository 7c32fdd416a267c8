from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0003_fan_out_moves_to_notifications"),
    ]

    operations = [
        migrations.RenameField(model_name="incident", old_name="description", new_name="description_zh"),
        migrations.AlterField(
            model_name="incident",
            name="description_zh",
            field=models.TextField(verbose_name="what happened (Chinese)"),
        ),
        migrations.AddField(
            model_name="incident",
            name="description_en",
            field=models.TextField(blank=True, verbose_name="what happened (English)"),
        ),
        migrations.AddField(
            model_name="incident",
            name="occurred_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the incident began, as far as is known.",
                null=True,
                verbose_name="happened at",
            ),
        ),
        migrations.AddField(
            model_name="incident",
            name="consequences_zh",
            field=models.TextField(blank=True, verbose_name="likely consequences for people (Chinese)"),
        ),
        migrations.AddField(
            model_name="incident",
            name="consequences_en",
            field=models.TextField(blank=True, verbose_name="likely consequences for people (English)"),
        ),
        migrations.RenameField(model_name="incident", old_name="measures", new_name="measures_zh"),
        migrations.AlterField(
            model_name="incident",
            name="measures_zh",
            field=models.TextField(blank=True, verbose_name="measures taken (Chinese)"),
        ),
        migrations.AddField(
            model_name="incident",
            name="measures_en",
            field=models.TextField(blank=True, verbose_name="measures taken (English)"),
        ),
    ]
