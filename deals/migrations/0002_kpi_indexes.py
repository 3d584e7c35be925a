"""Indexes that hold every column the KPI aggregates read, and (PostgreSQL) statistics on vendor × partner.

Without the statistics the planner multiplies the distinct vendors and partners of a grouping over many vendors
(tens of thousands of groups instead of a few thousand) and sorts on disk.
"""

from django.db import migrations, models

STATISTICS = "deals_deal_vendor_partner_stats"


def create_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {STATISTICS} (ndistinct) ON vendor_id, partner_id FROM deals_deal"
        )


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")


class Migration(migrations.Migration):
    dependencies = [
        ("deals", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="deal",
            name="deals_deal_vendor__cba4fa_idx",
        ),
        migrations.RemoveIndex(
            model_name="deal",
            name="deals_deal_vendor__e4d125_idx",
        ),
        migrations.AddIndex(
            model_name="deal",
            index=models.Index(
                fields=["vendor", "close_date", "phase", "partner", "registration_status", "amount"],
                name="deals_vendor_closed_kpi",
            ),
        ),
        migrations.AddIndex(
            model_name="deal",
            index=models.Index(
                fields=["vendor", "registered_at", "partner", "phase", "registration_status", "amount", "id"],
                name="deals_vendor_registered_kpi",
            ),
        ),
        migrations.RunPython(create_statistics, drop_statistics, elidable=True),
    ]
