"""Deal CSV import for partner admins: upload, preview with line-numbered problems, then everything or nothing.

Works like the partner import (``partners.views_import``): the uploaded bytes wait in the session, under
their own key, between the preview and the confirmation.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import TemplateView

from deals.csv_import import (
    COLUMNS,
    DealImportRejected,
    choices_help,
    deal_import,
    deal_import_preview,
)
from deals.models import CustomerSize, Industry, LossType, Phase
from meddic.models import ElementCode, Evidence, Level
from partners.models import Role
from partners.views_import import pending_discard, pending_get, pending_save
from prm.csv_export import csv_response
from prm.csv_import import read_upload, template_header
from prm.mixins import VendorPageMixin

SESSION_KEY = "deal_import"


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


class DealImportView(PartnerAdminMixin, TemplateView):
    """Step 1 (GET): upload. Step 2 (GET ?upload=<id>): preview. Step 3 (POST upload_id): import."""

    upload_max_bytes_setting = "DEAL_IMPORT_MAX_BYTES"  # the body may be this big (prm.body_limit)

    template_name = "deals/deal_import.html"

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

    def get(self, request, vendor_slug):
        upload_id = request.GET.get("upload")
        if not upload_id:
            return self.render_to_response(self.get_context_data(step=1, form=UploadForm()))
        pending = pending_get(request.session, vendor_id=self.vendor.pk, upload_id=upload_id, key=SESSION_KEY)
        if pending is None:
            messages.warning(request, _("This upload is no longer available. Please upload the file again."))
            return redirect("deal_import", vendor_slug)
        preview = deal_import_preview(access=self.access, data=pending.data)
        return self.render_preview(pending, preview)

    def post(self, request, vendor_slug):
        if "upload_id" in request.POST:
            return self.confirm(request, request.POST["upload_id"])
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(step=1, form=form), status=400)
        upload_id = pending_save(
            request.session,
            vendor_id=self.vendor.pk,
            filename=form.cleaned_data["file"].name,
            data=form.data_bytes,
            key=SESSION_KEY,
        )
        return redirect(f"{reverse('deal_import', args=[vendor_slug])}?upload={upload_id}")

    def confirm(self, request, upload_id):
        pending = pending_get(request.session, vendor_id=self.vendor.pk, upload_id=upload_id, key=SESSION_KEY)
        if pending is None:
            messages.warning(request, _("This upload is no longer available. Please upload the file again."))
            return redirect("deal_import", self.vendor.slug)
        try:
            created = deal_import(access=self.access, data=pending.data)
        except DealImportRejected as rejected:
            messages.error(request, _("Nothing was imported. Fix the lines below and upload the file again."))
            return self.render_preview(pending, rejected.preview, status=400)
        pending_discard(request.session, pending.id, key=SESSION_KEY)
        count = len(created)
        messages.success(
            request,
            ngettext(
                "%(count)s deal imported as a draft. Submit it for registration from its page.",
                "%(count)s deals imported as drafts. Submit each for registration from its page.",
                count,
            )
            % {"count": count},
        )
        return redirect(
            f"{reverse('deal_list', args=[self.vendor.slug])}?scope=all&registration_status=draft"
        )

    def render_preview(self, pending, preview, status=200):
        only_problems = self.request.GET.get("show") == "problems" and bool(preview.rows_with_errors)
        context = self.get_context_data(
            step=2,
            pending=pending,
            preview=preview,
            rows=preview.rows_with_errors if only_problems else preview.rows,
            only_problems=only_problems,
            form=UploadForm(),
        )
        return self.render_to_response(context, status=status)


class DealImportTemplateView(PartnerAdminMixin, View):
    """A blank import file with the header row (UTF-8 with a byte-order mark, so Excel opens it correctly)."""

    def get(self, request, vendor_slug):
        return csv_response("deal-import-template.csv", template_header(COLUMNS), [])


urlpatterns = [
    path("deals/import/", DealImportView.as_view(), name="deal_import"),
    path("deals/import/template.csv", DealImportTemplateView.as_view(), name="deal_import_template"),
]
