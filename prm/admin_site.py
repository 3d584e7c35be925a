from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class PlatformAdminSite(admin.AdminSite):
    """The Django admin is for platform staff (superusers) only; it works across vendors, explicitly unscoped."""

    site_header = "Partner MEDDIC platform admin"
    site_title = "Partner MEDDIC admin"

    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser


class PlatformAdminConfig(AdminConfig):
    default_site = "prm.admin_site.PlatformAdminSite"
