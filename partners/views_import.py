"""Partner CSV import: upload, preview with line-numbered errors, then import everything or nothing.

The upload waits in the database (``prm.pending_imports``) between the preview and the confirmation, so the
user never uploads twice and a failed confirmation keeps the file; each is within ``PARTNER_IMPORT_MAX_BYTES``.
"""

from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from partners.csv_import import (
    CHOICE_ALIASES,
    COLUMNS,
    partner_import,
    partner_import_preview,
)
from partners.models import PartnerStatus, Tier
from prm.csv_export import csv_response
from prm.csv_import import read_upload, template_header
from prm.import_flow import CsvImportView
from prm.mixins import VendorAdminMixin


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv", "class": "form-control"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.data_bytes = read_upload(upload, max_bytes=settings.PARTNER_IMPORT_MAX_BYTES)
        return upload


def _choices_help(choices) -> list[tuple[str, str, tuple[str, ...]]]:
    """(code, label, other accepted names) for the column help; the label itself is not repeated."""
    return [
        (value, label, tuple(alias for alias in CHOICE_ALIASES.get(value, ()) if alias != str(label)))
        for value, label in choices.choices
    ]


class PartnerImportView(VendorAdminMixin, CsvImportView):
    """Partners from a CSV file (``prm.import_flow``): upload, stored preview, then everything or nothing."""

    upload_max_bytes_setting = "PARTNER_IMPORT_MAX_BYTES"  # the body may be this big (prm.body_limit)
    template_name = "partners/partner_import.html"
    kind = "partners"
    url_name = "partner_import"
    upload_form_class = UploadForm
    preview_function = staticmethod(partner_import_preview)
    import_function = staticmethod(partner_import)

    check_task = "partners.tasks.partner_import_check"
    import_task = "partners.tasks.partner_import_run"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            columns=[column for column in COLUMNS if not column.ignored],
            tiers=_choices_help(Tier),
            statuses=_choices_help(PartnerStatus),
            max_bytes=settings.PARTNER_IMPORT_MAX_BYTES,
            max_rows=settings.PARTNER_IMPORT_MAX_ROWS,
            **kwargs,
        )

    def done_message(self, count: int) -> str:
        return ngettext("%(count)s partner imported.", "%(count)s partners imported.", count) % {
            "count": count
        }

    def done_url(self) -> str:
        return reverse("partner_list", args=[self.vendor.slug])


class PartnerImportTemplateView(VendorAdminMixin, View):
    """A blank import file with the header row, UTF-8 with a byte-order mark so Excel opens it correctly."""

    def get(self, request, vendor_slug):
        return csv_response("partner-import-template.csv", template_header(COLUMNS), [])


# A module-level view so the route stays on one line next to ``partner_import``.
import_template = PartnerImportTemplateView.as_view()
