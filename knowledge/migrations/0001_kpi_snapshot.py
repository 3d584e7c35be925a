import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('partners', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='KpiSnapshot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('group_type', models.CharField(choices=[('vendor', 'Vendor'), ('partner', 'Partner'), ('tier', 'Tier'), ('channel_manager', 'Channel manager')], max_length=16, verbose_name='group')),
                ('group_key', models.CharField(blank=True, max_length=64)),
                ('group_name', models.CharField(blank=True, max_length=200, verbose_name='name')),
                ('granularity', models.CharField(choices=[('month', 'Month'), ('quarter', 'Fiscal quarter'), ('fiscal_year', 'Fiscal year')], max_length=16, verbose_name='granularity')),
                ('period', models.CharField(max_length=16, verbose_name='period')),
                ('snapshot_date', models.DateField(verbose_name='snapshot date')),
                ('proposals', models.PositiveIntegerField(default=0, verbose_name='proposals')),
                ('won', models.PositiveIntegerField(default=0, verbose_name='won')),
                ('lost', models.PositiveIntegerField(default=0, verbose_name='lost')),
                ('win_rate', models.DecimalField(decimal_places=6, max_digits=7, null=True, verbose_name='win rate')),
                ('avg_unit_price', models.DecimalField(decimal_places=2, max_digits=24, null=True, verbose_name='average unit price')),
                ('expected_value', models.DecimalField(decimal_places=2, max_digits=28, null=True, verbose_name='expected value')),
                ('won_amount', models.BigIntegerField(default=0, verbose_name='won amount')),
                ('status_distribution', models.JSONField(default=dict, verbose_name='status distribution')),
                ('open_pipeline_amount', models.BigIntegerField(default=0, verbose_name='open pipeline amount')),
                ('avg_quality', models.DecimalField(decimal_places=2, max_digits=5, null=True, verbose_name='average quality')),
                ('avg_visibility', models.DecimalField(decimal_places=2, max_digits=5, null=True, verbose_name='average visibility')),
                ('computed_at', models.DateTimeField(verbose_name='computed')),
                ('vendor', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='partners.vendor')),
            ],
            options={
                'verbose_name': 'KPI snapshot',
                'verbose_name_plural': 'KPI snapshots',
                'indexes': [models.Index(fields=['vendor', 'granularity', 'period', 'group_type', '-snapshot_date'], name='knowledge_kpi_latest')],
                'constraints': [models.UniqueConstraint(fields=('vendor', 'group_type', 'group_key', 'granularity', 'period', 'snapshot_date'), name='knowledge_kpisnapshot_unique_row')],
            },
        ),
    ]
