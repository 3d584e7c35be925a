"""The deal list for every role, with its filter bar, and the same list as a CSV file."""

from zoneinfo import ZoneInfo

from django.urls import path
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from deals.csv_import import COLUMNS
from deals.export import export_rows
from deals.filters import DealFilter
from deals.flags import flags_of
from deals.permissions import can_import_deals
from partners.models import ALL_ROLES
from prm.clock import vendor_today
from prm.csv_export import csv_response
from prm.mixins import KeysFirstMixin, VendorPageMixin


class DealListView(VendorPageMixin, KeysFirstMixin, ListView):
    roles = ALL_ROLES
    template_name = "deals/deal_list.html"
    paginate_by = 25
    context_object_name = "deals"

    def get_queryset(self):
        self.filterset = DealFilter(self.request.GET, access=self.access)
        return self.filterset.qs

    def count_queryset(self):
        return getattr(self.filterset, "unsorted", None)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for deal in context["deals"]:
            deal.flags = flags_of(deal)
        filterset = self.filterset
        context.update(
            filterset=filterset,
            form=filterset.form,
            columns=(columns := self.columns(filterset.sort_links)),
            # Each cell's heading, shown beside it where rows stack into cards (phones).
            labels={column["key"]: column["label"] for column in columns},
            today=vendor_today(self.vendor),
            can_import=can_import_deals(self.access),
            # For the empty state: nothing at all yet, or nothing that matches.
            any_deals=bool(context["deals"]) or filterset.queryset.exists(),
            filtered=filterset.active_count > 0 or bool(self.request.GET.get("q")),
            filters_open=filterset.active_count > 0 or self.request.GET.get("filters") == "open",
        )
        return context

    def columns(self, sort_links: dict) -> list[dict]:
        """The table's header: label, the sort a click applies (sortable columns) and alignment.

        Vendor staff see each deal's partner with its owner under it; partner users see the owner, except on
        their own deals where it would only repeat their name.
        """
        if self.access.is_vendor_staff:
            people = {"key": "partner", "label": _("Partner / owner")}
        elif not self.filterset.is_mine:
            people = {"key": "owner", "label": _("Owner")}
        else:
            people = None
        columns = [
            {"key": "customer", "label": _("Customer / deal title")},
            people,
            {"key": "phase", "label": _("Phase")},
            {"key": "registered", "label": _("Registration")},
            {"key": "quality", "label": _("Quality"), "css": "num"},
            {"key": "visibility", "label": _("Visibility"), "css": "num"},
            {"key": "flags", "label": _("Flags")},
            {"key": "amount", "label": _("Amount"), "css": "num"},
            {"key": "close_date", "label": _("Close date")},
        ]
        return [{**column, "sort": sort_links.get(column["key"])} for column in columns if column]


class DealExportView(VendorPageMixin, View):
    """The deals the list shows with the same filters and order, every page, with every template field.

    The header is in the user's language and the deal import reads it back as it is.
    """

    roles = ALL_ROLES

    def get(self, request, vendor_slug):
        filterset = DealFilter(request.GET, access=self.access)
        deals = filterset.qs
        tz = ZoneInfo(self.vendor.time_zone)
        header = [str(column.label) for column in COLUMNS]
        rows = ([row[column.key] for column in COLUMNS] for row in export_rows(deals, tz))
        filename = f"deals-{self.vendor.slug}-{vendor_today(self.vendor):%Y%m%d}.csv"
        return csv_response(filename, header, rows)


urlpatterns = [
    path("deals/", DealListView.as_view(), name="deal_list"),
    path("deals/export.csv", DealExportView.as_view(), name="deal_export"),
]
