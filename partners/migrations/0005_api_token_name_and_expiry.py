from datetime import timedelta

import django.utils.timezone
from django.db import migrations, models

import prm.validators

# Tokens issued before expiry existed run for the default lifetime from when they were issued.
DEFAULT_TTL = timedelta(days=90)


def expire_existing(apps, schema_editor):
    ApiToken = apps.get_model("partners", "ApiToken")
    for token in ApiToken.objects.all().only("pk", "created_at"):
        ApiToken.objects.filter(pk=token.pk).update(expires_at=token.created_at + DEFAULT_TTL)


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0004_membership_deactivated_by_vendor"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="name",
            field=models.CharField(
                blank=True, max_length=100, validators=[prm.validators.validate_single_line], verbose_name="name"
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="expires"),
            preserve_default=False,
        ),
        migrations.RunPython(expire_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="created"),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="last_used_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="last used"),
        ),
    ]
