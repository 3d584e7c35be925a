from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('deals', '0004_list_sort_indexes'),
        ('partners', '0007_user_mail_preferences'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='deal',
            index=models.Index(models.F('vendor'), models.OrderBy(models.Case(models.When(phase='information_gathering', then=models.Value(0)), models.When(phase='problem_definition', then=models.Value(1)), models.When(phase='evaluation', then=models.Value(2)), models.When(phase='proposal', then=models.Value(3)), models.When(phase='pre_approval', then=models.Value(4)), models.When(phase='approval', then=models.Value(5)), models.When(phase='informal_award', then=models.Value(6)), models.When(phase='won', then=models.Value(7)), models.When(phase='lost', then=models.Value(8)), models.When(phase='on_hold', then=models.Value(9)), output_field=models.IntegerField()), descending=True), models.OrderBy(models.F('id'), descending=True), name='deals_vendor_phase_rank'),
        ),
    ]
