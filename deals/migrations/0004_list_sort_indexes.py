from django.conf import settings
from django.db import migrations, models

REGISTERED_DESC = "deals_vendor_registered_desc"


def registered_desc_index(apps, schema_editor):
    """Newest registration first, drafts (no date) last, as the list sorts: PostgreSQL only (SQLite has no
    NULLS LAST in an index)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {REGISTERED_DESC} ON deals_deal "
            "(vendor_id, registered_at DESC NULLS LAST, id DESC)"
        )


def drop_registered_desc_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {REGISTERED_DESC}")


class Migration(migrations.Migration):
    dependencies = [
        ("deals", "0003_deal_field_validators"),
        ("partners", "0007_user_mail_preferences"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="deal",
            index=models.Index(fields=["vendor", "updated_at", "id"], name="deals_vendor_updated"),
        ),
        migrations.AddIndex(
            model_name="deal",
            index=models.Index(fields=["vendor", "amount", "id"], name="deals_vendor_amount"),
        ),
        migrations.AddIndex(
            model_name="deal",
            index=models.Index(fields=["vendor", "close_date", "id"], name="deals_vendor_close_date"),
        ),
        migrations.AddIndex(
            model_name="deal",
            index=models.Index(fields=["vendor", "customer_name", "id"], name="deals_vendor_customer"),
        ),
        migrations.RunPython(registered_desc_index, drop_registered_desc_index),
    ]
