"""The vendor's audit trail for its admins: every recorded change and refused request, filtered, paged and as
CSV. Channel managers and partners get 403 (``VendorAdminMixin``); another vendor's admin gets 404."""

from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from audit import display
from audit.forms import AuditFilterForm
from audit.models import AuditEntry
from prm.chunks import batches
from prm.clock import vendor_today
from prm.csv_export import csv_response
from prm.mixins import LastPageMixin, VendorAdminMixin


def filtered_entries(access, data):
    form = AuditFilterForm(data, access=access)
    qs = AuditEntry.objects.filter(vendor=access.vendor).select_related("actor").order_by("-at", "-pk")
    return form, form.filter(qs)


def _rows_in_batches(qs, size: int = 2000):
    """Every entry as a row, a batch at a time (one query for the deal names of each batch)."""
    for batch in batches(qs, size):
        yield from display.audit_rows(batch)


class AuditListView(VendorAdminMixin, LastPageMixin, ListView):
    template_name = "audit/list.html"
    paginate_by = 50
    context_object_name = "entries"

    def get_queryset(self):
        self.form, qs = filtered_entries(self.access, self.request.GET)
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            form=self.form,
            rows=display.audit_rows(context["entries"]),
            filtered=self.form.is_filtered,
        )
        return context


class AuditExportView(VendorAdminMixin, View):
    def get(self, request, vendor_slug):
        _form, qs = filtered_entries(self.access, request.GET)
        tz = ZoneInfo(self.vendor.time_zone)
        header = [
            _("When"),
            _("Who"),
            _("Action"),
            _("Action code"),
            _("Subject"),
            _("Deal"),
            _("Deal ID"),
            _("Changes"),
            _("Reason"),
            _("Request id"),
        ]
        rows = (
            [
                timezone.localtime(row.at, tz).strftime("%Y-%m-%d %H:%M:%S"),
                row.actor,
                row.action,
                row.entry.action,
                row.subject,
                row.deal,
                row.entry.deal_id or "",
                display.changes_text(row),
                row.entry.reason,
                row.entry.request_id,
            ]
            for row in _rows_in_batches(qs)
        )
        return csv_response(f"audit-{self.vendor.slug}-{vendor_today(self.vendor):%Y%m%d}.csv", header, rows)
