"""Partner CSV import: upload, preview with line-numbered errors, then import everything or nothing."""

from django.views.generic import TemplateView

from prm.mixins import VendorAdminMixin


class PartnerImportView(VendorAdminMixin, TemplateView):
    template_name = "partners/partner_import.html"
