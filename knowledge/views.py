"""KPI pages: vendor staff compare partners; partner users see their company's scorecard. Both export CSV."""

from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from knowledge.dashboard import vendor_comparison
from knowledge.exports import partner_export, vendor_export
from knowledge.permissions import can_recompute_kpis, compares_partners
from knowledge.scorecard import partner_scorecard
from partners.models import ALL_ROLES
from prm.mixins import VendorPageMixin

# Stands for the task id in the progress URL handed to the page's script.
TASK_PLACEHOLDER = "__task__"


class KpiDashboardView(VendorPageMixin, TemplateView):
    roles = ALL_ROLES

    def get_template_names(self):
        if compares_partners(self.access):
            return ["knowledge/kpis_vendor.html"]
        return ["knowledge/kpis_partner.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if compares_partners(self.access):
            context.update(vendor_comparison(self.access, self.request.GET))
        else:
            context.update(partner_scorecard(self.access, self.request.GET))
        if can_recompute_kpis(self.access):
            slug = self.vendor.slug
            context["recompute_url"] = reverse("api_kpis_recompute", kwargs={"vendor_slug": slug})
            context["task_url"] = reverse("api_task", kwargs={"task_id": TASK_PLACEHOLDER})
        return context


class KpiExportView(VendorPageMixin, View):
    roles = ALL_ROLES

    def get(self, request, vendor_slug):
        if compares_partners(self.access):
            return vendor_export(self.access, request.GET)
        return partner_export(self.access, request.GET)
