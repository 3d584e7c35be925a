from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('deals', '0004_list_sort_indexes'),
        ('meddic', '0006_nightly_rescore'),
        ('partners', '0007_user_mail_preferences'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='dealscore',
            index=models.Index(fields=['vendor', 'computed_at'], name='meddic_score_computed'),
        ),
    ]
