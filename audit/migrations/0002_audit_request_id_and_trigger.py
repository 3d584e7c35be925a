"""Request ids and the actor's email on audit entries; on PostgreSQL a trigger that refuses UPDATE and DELETE.

The actor link no longer cascades (a deleted user must not rewrite the history) and a vendor with entries can
no longer be deleted. Existing entries get their actor's email before the trigger makes them unchangeable.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION audit_auditentry_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_auditentry_append_only
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_auditentry_append_only();
"""

DROP_TRIGGER_SQL = """
DROP TRIGGER IF EXISTS audit_auditentry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_auditentry_append_only();
"""


def backfill_actor_email(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    AuditEntry.objects.using(schema_editor.connection.alias).filter(actor__isnull=False).update(
        actor_email=Subquery(User.objects.filter(pk=OuterRef("actor_id")).values("email")[:1])
    )


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # params=None: sent as written; with parameters the "%" of the RAISE message would be read as one.
        schema_editor.execute(TRIGGER_SQL, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("partners", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="actor_email",
            field=models.CharField(blank=True, max_length=254, verbose_name="who (email)"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="request_id",
            field=models.CharField(blank=True, max_length=64, verbose_name="request id"),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="actor",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="who",
            ),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="vendor",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="partners.vendor"
            ),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="subject_type",
            field=models.CharField(blank=True, max_length=32, verbose_name="subject type"),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="subject_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["vendor", "action", "at"], name="audit_audit_vendor__eb168a_idx"),
        ),
        migrations.RunPython(backfill_actor_email, migrations.RunPython.noop),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
