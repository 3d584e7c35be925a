from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from partners.models import (
    ApiToken,
    AuthEvent,
    Invitation,
    Membership,
    PartnerCompany,
    User,
    UserSession,
    Vendor,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_active", "is_superuser", "date_joined"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password", "name"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    list_filter = ["is_active", "is_superuser"]
    filter_horizontal = []


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "require_mfa_for_admins", "is_active", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(PartnerCompany)
class PartnerCompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "vendor", "tier", "status", "channel_manager"]
    list_filter = ["vendor", "tier", "status"]
    search_fields = ["name"]
    raw_id_fields = ["channel_manager"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "vendor", "role", "partner", "is_active"]
    list_filter = ["vendor", "role", "is_active"]
    search_fields = ["user__email"]
    raw_id_fields = ["user", "partner"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "vendor", "role", "partner", "created_at", "expires_at", "accepted_at"]
    list_filter = ["vendor", "role"]
    readonly_fields = ["token_digest"]
    raw_id_fields = ["partner", "invited_by", "accepted_by"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "last_used_at"]
    readonly_fields = ["key_digest"]
    raw_id_fields = ["user"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuthEvent)
class AuthEventAdmin(ReadOnlyAdmin):
    """Logins, failures, password and two-factor changes, API tokens, ended sessions: append-only."""

    list_display = ["at", "event", "email", "user_id", "ip", "request_id"]
    list_filter = ["event"]
    search_fields = ["email", "ip", "request_id"]
    date_hierarchy = "at"
    fields = ["at", "event", "user_id", "email", "ip", "user_agent", "request_id", "detail"]
    readonly_fields = fields
    show_full_result_count = False


@admin.register(UserSession)
class UserSessionAdmin(ReadOnlyAdmin):
    """Who is logged in where. Deactivating the user ends all of their sessions."""

    list_display = ["user", "created_at", "last_seen_at", "ip"]
    search_fields = ["user__email", "ip"]
    list_select_related = ["user"]
    fields = ["user", "created_at", "last_seen_at", "ip", "user_agent"]
    readonly_fields = fields
