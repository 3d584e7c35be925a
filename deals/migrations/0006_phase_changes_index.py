from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('deals', '0005_phase_rank_index'),
        ('partners', '0007_user_mail_preferences'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='deal',
            index=models.Index(fields=['vendor', 'phase', 'registration_status', 'updated_at'], name='deals_vendor_phase_changes'),
        ),
    ]
