from django.contrib import admin

from deals.models import ChampionActivity, Deal, PhaseChange, RegistrationConflict, RegistrationEvent
from meddic.models import MeddicElement


class ElementInline(admin.TabularInline):
    model = MeddicElement
    fields = ["code", "level", "evidence", "note", "last_confirmed_at"]
    readonly_fields = ["code", "last_confirmed_at"]
    extra = 0
    can_delete = False


class ChampionActivityInline(admin.TabularInline):
    model = ChampionActivity
    fields = ["date", "actor", "activity_type", "target", "outcome", "next_step", "logged_by"]
    raw_id_fields = ["logged_by"]
    extra = 0


class PhaseChangeInline(admin.TabularInline):
    model = PhaseChange
    fields = ["changed_at", "from_phase", "to_phase", "changed_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    list_display = ["customer_name", "title", "vendor", "partner", "phase", "registration_status", "amount"]
    list_filter = ["vendor", "phase", "registration_status"]
    search_fields = ["customer_name", "title", "customer_corporate_number"]
    raw_id_fields = ["partner", "owner"]
    readonly_fields = ["customer_key", "version", "registered_at", "closed_at", "created_at", "updated_at"]
    inlines = [ElementInline, ChampionActivityInline, PhaseChangeInline]


@admin.register(RegistrationConflict)
class RegistrationConflictAdmin(admin.ModelAdmin):
    list_display = ["deal", "other", "vendor", "match", "detected_at", "resolved_at"]
    list_filter = ["vendor", "match"]
    raw_id_fields = ["deal", "other", "kept", "resolved_by"]


@admin.register(RegistrationEvent)
class RegistrationEventAdmin(admin.ModelAdmin):
    list_display = ["deal", "from_status", "to_status", "actor", "at"]
    list_filter = ["vendor", "to_status"]
    raw_id_fields = ["deal", "actor"]
