"""Deal CSV import for partner admins: upload, preview with line-numbered problems, then everything or nothing.

Works like the partner import: the upload waits in the database (``prm.pending_imports``) between the
preview and the confirmation.
"""

from django import forms
from django.conf import settings
from django.urls import path, reverse
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from deals.csv_import import (
    COLUMNS,
    choices_help,
    deal_import,
    deal_import_preview,
)
from deals.models import CustomerSize, Industry, LossType, Phase
from meddic.models import ElementCode, Evidence, Level
from partners.models import Role
from prm.csv_export import csv_response
from prm.csv_import import read_upload, template_header
from prm.import_flow import CsvImportView
from prm.mixins import VendorPageMixin


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv", "class": "form-control"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.data_bytes = read_upload(upload, max_bytes=settings.DEAL_IMPORT_MAX_BYTES)
        return upload


class PartnerAdminMixin(VendorPageMixin):
    roles = (Role.PARTNER_ADMIN,)


class DealImportView(PartnerAdminMixin, CsvImportView):
    """Deals from a CSV file (``prm.import_flow``): upload, stored preview, then everything or nothing."""

    upload_max_bytes_setting = "DEAL_IMPORT_MAX_BYTES"  # the body may be this big (prm.body_limit)
    template_name = "deals/deal_import.html"
    kind = "deals"
    url_name = "deal_import"
    upload_form_class = UploadForm
    preview_function = staticmethod(deal_import_preview)
    import_function = staticmethod(deal_import)

    check_task = "deals.tasks.deal_import_check"
    import_task = "deals.tasks.deal_import_run"

    def get_context_data(self, **kwargs):
        element_keys = {f"{code}_{axis}" for code in ElementCode.values for axis in ("level", "evidence")}
        return super().get_context_data(
            columns=[c for c in COLUMNS if not c.ignored and c.key not in element_keys],
            element_columns=[
                (label, f"{code}_level", f"{code}_evidence") for code, label in ElementCode.choices
            ],
            choices={
                "phase": choices_help(Phase),
                "loss_type": choices_help(LossType),
                "customer_industry": choices_help(Industry),
                "customer_size": choices_help(CustomerSize),
            },
            levels=choices_help(Level),
            evidences=[item for item in choices_help(Evidence) if item[0] != Evidence.VERIFIED],
            max_bytes=settings.DEAL_IMPORT_MAX_BYTES,
            max_rows=settings.DEAL_IMPORT_MAX_ROWS,
            **kwargs,
        )

    def done_message(self, count: int) -> str:
        return ngettext(
            "%(count)s deal imported as a draft. Submit it for registration from its page.",
            "%(count)s deals imported as drafts. Submit each for registration from its page.",
            count,
        ) % {"count": count}

    def done_url(self) -> str:
        return f"{reverse('deal_list', args=[self.vendor.slug])}?scope=all&registration_status=draft"


class DealImportTemplateView(PartnerAdminMixin, View):
    """A blank import file with the header row (UTF-8 with a byte-order mark, so Excel opens it correctly)."""

    def get(self, request, vendor_slug):
        return csv_response("deal-import-template.csv", template_header(COLUMNS), [])


urlpatterns = [
    path("deals/import/", DealImportView.as_view(), name="deal_import"),
    path("deals/import/template.csv", DealImportTemplateView.as_view(), name="deal_import_template"),
]
