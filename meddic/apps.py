from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeddicConfig(AppConfig):
    name = "meddic"
    verbose_name = _("MEDDIC qualification")
