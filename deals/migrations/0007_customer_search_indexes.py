from django.db import migrations, models

# The deal list's customer search (``deals.filters.DealFilter.filter_customer``) looks for the text anywhere in
# the name (case-insensitive) or in the normalised name: trigram indexes answer both for texts of three
# characters or more, instead of reading every deal of the vendor. PostgreSQL only (pg_trgm is a trusted
# extension: the database owner may create it).
INDEXES = {
    "deals_customer_name_trgm": "UPPER(customer_name::text) gin_trgm_ops",
    "deals_customer_key_trgm": "customer_key gin_trgm_ops",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON deals_deal USING gin ({expression})")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("deals", "0006_phase_changes_index")]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes),
        # Covering on PostgreSQL: a search that matches most deals counts and pages them from the index alone.
        migrations.RemoveIndex(model_name="deal", name="deals_vendor_customer"),
        migrations.AddIndex(
            model_name="deal",
            index=models.Index(
                fields=["vendor", "customer_name", "id"],
                include=["customer_key", "registration_status", "updated_at"],
                name="deals_vendor_customer",
            ),
        ),
    ]
