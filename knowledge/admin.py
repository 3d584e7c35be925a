from django.contrib import admin

from knowledge.models import KpiSnapshot


@admin.register(KpiSnapshot)
class KpiSnapshotAdmin(admin.ModelAdmin):
    """Read-only: snapshots are derived data, written only by ``knowledge.kpis.kpis_recompute``."""

    list_display = [
        "snapshot_date",
        "vendor",
        "granularity",
        "period",
        "group_type",
        "group_name",
        "proposals",
    ]
    list_filter = ["vendor", "granularity", "group_type"]
    search_fields = ["period", "group_name"]
    list_select_related = ["vendor"]
    date_hierarchy = "snapshot_date"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
