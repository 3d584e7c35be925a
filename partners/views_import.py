"""Partner CSV import: upload, preview with line-numbered errors, then import everything or nothing.

The uploaded bytes wait in the session between the preview and the confirmation, under a random id, so the
user never uploads twice and a failed confirmation keeps the file. A session holds at most
:data:`MAX_PENDING` uploads, each within ``PARTNER_IMPORT_MAX_BYTES``.
"""

import base64
import secrets
import zlib
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import TemplateView

from partners.csv_import import (
    CHOICE_ALIASES,
    COLUMNS,
    PartnerImportRejected,
    partner_import,
    partner_import_preview,
)
from partners.models import PartnerStatus, Tier
from prm.csv_export import csv_response
from prm.csv_import import read_upload, template_header
from prm.mixins import VendorAdminMixin

SESSION_KEY = "partner_import"
MAX_PENDING = 2


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv", "class": "form-control"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.data_bytes = read_upload(upload, max_bytes=settings.PARTNER_IMPORT_MAX_BYTES)
        return upload


@dataclass
class PendingUpload:
    id: str
    filename: str
    data: bytes


def _pending(session, key: str) -> dict:
    return session.get(key, {})


def pending_save(session, *, vendor_id: int, filename: str, data: bytes, key: str = SESSION_KEY) -> str:
    """Keep an upload for the preview and the confirmation; the oldest ones make room for it.

    ``key`` is the session slot of one kind of import (other imports reuse these helpers with their own key).
    """
    uploads = _pending(session, key)
    while len(uploads) >= MAX_PENDING:
        uploads.pop(next(iter(uploads)))
    upload_id = secrets.token_urlsafe(16)
    uploads[upload_id] = {
        "vendor": vendor_id,
        "filename": filename,
        "data": base64.b64encode(zlib.compress(data)).decode("ascii"),
    }
    session[key] = uploads
    return upload_id


def pending_get(session, *, vendor_id: int, upload_id: str, key: str = SESSION_KEY) -> PendingUpload | None:
    stored = _pending(session, key).get(upload_id or "")
    if stored is None or stored["vendor"] != vendor_id:
        return None
    data = zlib.decompress(base64.b64decode(stored["data"]))
    return PendingUpload(id=upload_id, filename=stored["filename"], data=data)


def pending_discard(session, upload_id: str, *, key: str = SESSION_KEY) -> None:
    uploads = _pending(session, key)
    if uploads.pop(upload_id, None) is not None:
        session[key] = uploads


def _choices_help(choices) -> list[tuple[str, str, tuple[str, ...]]]:
    """(code, label, other accepted names) for the column help; the label itself is not repeated."""
    return [
        (value, label, tuple(alias for alias in CHOICE_ALIASES.get(value, ()) if alias != str(label)))
        for value, label in choices.choices
    ]


class PartnerImportView(VendorAdminMixin, TemplateView):
    """Step 1 (GET): upload. Step 2 (GET ?upload=<id>): preview. Step 3 (POST upload_id): import."""

    upload_max_bytes_setting = "PARTNER_IMPORT_MAX_BYTES"  # the body may be this big (prm.body_limit)

    template_name = "partners/partner_import.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            columns=[column for column in COLUMNS if not column.ignored],
            tiers=_choices_help(Tier),
            statuses=_choices_help(PartnerStatus),
            max_bytes=settings.PARTNER_IMPORT_MAX_BYTES,
            max_rows=settings.PARTNER_IMPORT_MAX_ROWS,
            **kwargs,
        )

    def get(self, request, vendor_slug):
        upload_id = request.GET.get("upload")
        if not upload_id:
            return self.render_to_response(self.get_context_data(step=1, form=UploadForm()))
        pending = pending_get(request.session, vendor_id=self.vendor.pk, upload_id=upload_id)
        if pending is None:
            messages.warning(request, _("This upload is no longer available. Please upload the file again."))
            return redirect("partner_import", vendor_slug)
        preview = partner_import_preview(access=self.access, data=pending.data)
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
        )
        return redirect(f"{reverse('partner_import', args=[vendor_slug])}?upload={upload_id}")

    def confirm(self, request, upload_id):
        pending = pending_get(request.session, vendor_id=self.vendor.pk, upload_id=upload_id)
        if pending is None:
            messages.warning(request, _("This upload is no longer available. Please upload the file again."))
            return redirect("partner_import", self.vendor.slug)
        try:
            created = partner_import(access=self.access, data=pending.data)
        except PartnerImportRejected as rejected:
            messages.error(request, _("Nothing was imported. Fix the lines below and upload the file again."))
            return self.render_preview(pending, rejected.preview, status=400)
        pending_discard(request.session, pending.id)
        count = len(created)
        messages.success(
            request,
            ngettext("%(count)s partner imported.", "%(count)s partners imported.", count) % {"count": count},
        )
        return redirect("partner_list", self.vendor.slug)

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


class PartnerImportTemplateView(VendorAdminMixin, View):
    """A blank import file with the header row, UTF-8 with a byte-order mark so Excel opens it correctly."""

    def get(self, request, vendor_slug):
        return csv_response("partner-import-template.csv", template_header(COLUMNS), [])


# A module-level view so the route stays on one line next to ``partner_import``.
import_template = PartnerImportTemplateView.as_view()
