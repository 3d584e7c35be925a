from django.contrib import admin

from audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the history is append-only, even for platform staff."""

    list_display = [
        "at",
        "vendor",
        "actor_email",
        "action",
        "subject_type",
        "subject_id",
        "deal_id",
        "request_id",
    ]
    list_filter = ["vendor", "action"]
    search_fields = ["actor_email", "action", "=request_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
