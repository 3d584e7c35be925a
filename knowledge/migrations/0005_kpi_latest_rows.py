import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Exists, Max, OuterRef

KEY = ("vendor", "group_type", "group_key", "granularity", "period")


def mark_latest(apps, schema_editor):
    """Only the newest row of each group and period stays the current one."""
    KpiSnapshot = apps.get_model("knowledge", "KpiSnapshot")
    newer = KpiSnapshot.objects.filter(
        **{name: OuterRef(name) for name in KEY}, snapshot_date__gt=OuterRef("snapshot_date")
    )
    KpiSnapshot.objects.filter(Exists(newer)).update(is_latest=False)


def record_checks(apps, schema_editor):
    """Each period was last checked when its newest row was computed."""
    KpiSnapshot = apps.get_model("knowledge", "KpiSnapshot")
    KpiCheck = apps.get_model("knowledge", "KpiCheck")
    checks = (
        KpiSnapshot.objects.values("vendor_id", "granularity", "period")
        .annotate(checked_at=Max("computed_at"))
        .order_by()
    )
    KpiCheck.objects.bulk_create((KpiCheck(**check) for check in checks.iterator()), batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0004_kpi_computed_index"),
        ("partners", "0007_user_mail_preferences"),
    ]

    operations = [
        migrations.CreateModel(
            name="KpiCheck",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "granularity",
                    models.CharField(
                        choices=[
                            ("month", "Month"),
                            ("quarter", "Fiscal quarter"),
                            ("fiscal_year", "Fiscal year"),
                        ],
                        max_length=16,
                    ),
                ),
                ("period", models.CharField(max_length=16)),
                ("checked_at", models.DateTimeField()),
            ],
            options={
                "verbose_name": "KPI check",
                "verbose_name_plural": "KPI checks",
            },
        ),
        migrations.RemoveIndex(
            model_name="kpisnapshot",
            name="knowledge_kpi_latest",
        ),
        migrations.AddField(
            model_name="kpisnapshot",
            name="is_latest",
            field=models.BooleanField(default=True),
        ),
        migrations.RunPython(mark_latest, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="kpisnapshot",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_latest", True)),
                fields=("vendor", "granularity", "group_type", "period", "group_key"),
                name="knowledge_kpisnapshot_one_latest",
            ),
        ),
        migrations.AddField(
            model_name="kpicheck",
            name="vendor",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="partners.vendor"
            ),
        ),
        migrations.AddConstraint(
            model_name="kpicheck",
            constraint=models.UniqueConstraint(
                fields=("vendor", "granularity", "period"), name="knowledge_kpicheck_unique"
            ),
        ),
        migrations.RunPython(record_checks, migrations.RunPython.noop, elidable=True),
    ]
