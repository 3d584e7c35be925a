from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners and accounts")

    def ready(self):
        from partners import auth_events

        # Authentication events, the session record, and sessions ending with a deactivated account.
        auth_events.connect()
