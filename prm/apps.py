from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PrmConfig(AppConfig):
    name = "prm"
    verbose_name = "Partner MEDDIC"

    def ready(self):
        from prm.rls import apply_policies

        # After every migrate (all apps' migrations are applied by then), so new tenant tables are covered.
        post_migrate.connect(apply_policies, sender=self, dispatch_uid="prm.rls.apply_policies")
