from django.contrib import admin

from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: notifications are written by ``notifications.services.notify`` and read by their recipient."""

    list_display = ["created_at", "vendor", "recipient", "kind", "deal", "read_at"]
    list_filter = ["vendor", "kind"]
    search_fields = ["recipient__email"]
    list_select_related = ["vendor", "recipient", "deal"]
    readonly_fields = ["vendor", "recipient", "kind", "deal", "actor", "params", "created_at", "read_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
