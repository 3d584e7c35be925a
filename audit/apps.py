from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit history")

    def ready(self):
        # Celery tasks' ids become the request id of the entries they write (task signals).
        from prm import request_id  # noqa: F401
