"""Support log pages: the list (filters, pages, CSV), logging an activity, removing one."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView

from knowledge import support
from knowledge.forms_support import SupportFilterForm, SupportForm
from knowledge.models import SupportActivity
from prm.clock import vendor_today
from prm.csv_export import csv_response
from prm.mixins import LastPageMixin, VendorStaffMixin

PAGE_SIZE = 50


class SupportListView(VendorStaffMixin, LastPageMixin, ListView):
    template_name = "knowledge/support_list.html"
    paginate_by = PAGE_SIZE
    context_object_name = "activities"

    def get_queryset(self):
        self.form = SupportFilterForm(self.request.GET, vendor=self.vendor)
        return self.form.filter(support.support_activities(self.access))

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=self.form, **kwargs)


class SupportExportView(VendorStaffMixin, View):
    def get(self, request, vendor_slug):
        form = SupportFilterForm(request.GET, vendor=self.vendor)
        activities = form.filter(support.support_activities(self.access))
        header = [
            _("Date"),
            _("Partner"),
            _("Support"),
            _("Hours"),
            _("Deal number"),
            _("Deal"),
            _("Note"),
            _("Logged by"),
        ]
        rows = (
            [
                a.date.isoformat(),
                a.partner.name,
                a.get_support_type_display(),
                a.hours,
                a.deal_id or "",
                a.deal.title if a.deal else "",
                a.note,
                a.logged_by.email if a.logged_by else "",
            ]
            for a in activities.iterator(chunk_size=500)
        )
        return csv_response(
            f"support-{self.vendor.slug}-{vendor_today(self.vendor):%Y%m%d}.csv", header, rows
        )


class SupportCreateView(VendorStaffMixin, FormView):
    template_name = "knowledge/support_form.html"
    form_class = SupportForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "vendor": self.vendor}

    def get_initial(self):
        initial = {"date": vendor_today(self.vendor), "hours": 1}
        for name in ("partner", "deal_id", "support_type"):
            if self.request.GET.get(name):
                initial[name] = self.request.GET[name]
        return initial

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            support.support_log(
                access=self.access,
                partner=data["partner"],
                support_type=data["support_type"],
                date=data["date"],
                hours=data["hours"],
                note=data["note"],
                deal=data["deal"],
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error("deal_id" if field == "deal" else field, problems)
            return self.form_invalid(form)
        messages.success(self.request, _("Support logged."))
        if self.request.POST.get("another"):
            return redirect(f"{self.request.path}?partner={data['partner'].pk}")
        return redirect("support_list", self.vendor.slug)


class SupportRemoveView(VendorStaffMixin, View):
    def post(self, request, vendor_slug, activity_id):
        activity = get_object_or_404(SupportActivity, vendor=self.vendor, pk=activity_id)
        support.support_remove(access=self.access, activity=activity)
        messages.success(request, _("The support entry was removed."))
        return redirect("support_list", self.vendor.slug)
