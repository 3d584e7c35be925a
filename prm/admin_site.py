from django.contrib import admin, messages
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


def _mfa_enabled(user) -> bool:
    from allauth.mfa.utils import is_mfa_enabled

    return is_mfa_enabled(user)


class PlatformAdminSite(admin.AdminSite):
    """The Django admin is for platform staff (superusers) only; it works across vendors, explicitly unscoped.

    Platform staff sign in through the product's own login (allauth: the same rate limits, the same second
    factor) and must have a second factor: Django's admin login form is never shown.
    """

    site_header = "Partner MEDDIC platform admin"
    site_title = "Partner MEDDIC admin"

    def has_permission(self, request):
        user = request.user
        return user.is_active and user.is_superuser and _mfa_enabled(user)

    def login(self, request, extra_context=None):
        """Send everyone to the product's login; a superuser without a second factor to set one up first."""
        from django.contrib.auth.views import (
            redirect_to_login,  # not at import: the admin loads with the apps
        )

        target = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = ""
        target = target or reverse("admin:index")
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(target, login_url=reverse("account_login"))
        if self.has_permission(request):
            return redirect(target)
        if user.is_active and user.is_superuser:
            messages.warning(request, _("Set up two-factor authentication to use the platform admin."))
            return redirect("mfa_activate_totp")
        raise PermissionDenied


class PlatformAdminConfig(AdminConfig):
    default_site = "prm.admin_site.PlatformAdminSite"
