import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0005_kpi_latest_rows"),
        ("partners", "0007_user_mail_preferences"),
    ]

    operations = [
        migrations.CreateModel(
            name="InsightResult",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("report", models.CharField(max_length=32)),
                ("filter_key", models.CharField(max_length=64)),
                ("filters", models.JSONField(default=dict)),
                ("version", models.CharField(max_length=64)),
                ("payload", models.BinaryField()),
                ("computed_at", models.DateTimeField()),
                ("used_on", models.DateField()),
                (
                    "vendor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="partners.vendor"
                    ),
                ),
            ],
            options={
                "verbose_name": "insight result",
                "verbose_name_plural": "insight results",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("vendor", "report", "filter_key"), name="knowledge_insightresult_unique"
                    )
                ],
            },
        ),
    ]
