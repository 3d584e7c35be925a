"""Vendor staff: the content list and its export, the content form (with its quiz), publishing.

Funnels, recipients and reminders are in ``views_funnel``; what partner users see is in ``views_partner``.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import ListView, TemplateView

from enablement import selectors, services, uploads
from enablement.filters import contents_filtered
from enablement.forms import ContentForm, quiz_formset
from enablement.models import Content, ContentKind
from enablement.permissions import can_manage_content
from enablement.tables import content_header, content_row, export
from partners.models import ALL_ROLES
from prm.mixins import LastPageMixin, VendorStaffMixin

PAGE_SIZE = 50


class ContentListView(VendorStaffMixin, LastPageMixin, ListView):
    template_name = "enablement/content_list.html"
    paginate_by = PAGE_SIZE
    context_object_name = "contents"
    roles = ALL_ROLES  # partner users asking for the content list land on their inbox

    def get(self, request, *args, **kwargs):
        if not can_manage_content(self.access):
            return redirect("content_inbox", vendor_slug=self.vendor.slug)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        self.form, qs = contents_filtered(self.access, self.request.GET)
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for content in context["contents"]:
            content.funnel = selectors.Funnel.of(content)
        cleaned = getattr(self.form, "cleaned_data", {})
        context.update(form=self.form, filtered=any(cleaned.values()) or bool(self.form.errors))
        return context


class ContentExportView(VendorStaffMixin, View):
    """Every content the list shows, with the same filters and order, all pages."""

    def get(self, request, vendor_slug):
        _form, qs = contents_filtered(self.access, request.GET)
        zone = self.vendor.time_zone
        rows = (content_row(content, zone) for content in qs.iterator(chunk_size=500))
        return export(self.vendor, "content", content_header(), rows)


class ContentFormView(VendorStaffMixin, TemplateView):
    """New content (no ``content_id``) or an edit. "Save draft" keeps it unpublished; "Publish" delivers it."""

    upload_max_bytes_setting = "CONTENT_MAX_BYTES"  # the body may be this big (prm.body_limit)

    template_name = "enablement/content_form.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(max_bytes=settings.CONTENT_MAX_BYTES, **kwargs)

    def get_content(self) -> Content | None:
        content_id = self.kwargs.get("content_id")
        return selectors.content_get_for_staff(self.access, content_id) if content_id else None

    def get(self, request, vendor_slug, content_id=None):
        content = self.get_content()
        form = ContentForm(instance=content or Content(vendor=self.vendor, kind=ContentKind.TEXT))
        return self.render_to_response(
            self.get_context_data(form=form, quiz=quiz_formset(content=content), content=content)
        )

    def post(self, request, vendor_slug, content_id=None):
        content = self.get_content()
        instance = content or Content(vendor=self.vendor)
        token = request.POST.get("pending_file") or None
        pending = uploads.pending_get(request.session, vendor_id=self.vendor.pk, token=token)
        form = ContentForm(request.POST, request.FILES, instance=instance, pending=pending)
        quiz = quiz_formset(request.POST, content=content)
        publish = request.POST.get("action") == "publish"
        if form.is_valid() and quiz.is_valid():
            return self.save(form, quiz, publish, pending)
        if form.upload_type and "upload" not in form.errors:
            # The file itself was fine: keep it, so the corrected form needs no second upload.
            if pending:
                uploads.pending_release(request.session, pending["token"], delete=True)
            token = uploads.pending_keep(
                request.session,
                vendor_id=self.vendor.pk,
                upload=form.cleaned_data["upload"],
                file_type=form.upload_type,
            )
            form.data = form.data.copy()
            form.data["pending_file"] = token
            form.pending = uploads.pending_get(request.session, vendor_id=self.vendor.pk, token=token)
        messages.error(request, _("The content was not saved. Correct the marked fields and save again."))
        return self.render_to_response(self.get_context_data(form=form, quiz=quiz, content=content))

    def save(self, form, quiz, publish, pending):
        was_published = form.instance.published_at is not None
        delivered = form.save_content(access=self.access, questions=quiz.questions, publish=publish)
        content = form.instance
        if pending and not form.cleaned_data.get("upload"):
            uploads.pending_release(self.request.session, pending["token"], delete=False)
        if content.published_at is None:
            messages.success(self.request, _("Draft saved. Partners see it once you publish it."))
        elif not was_published:
            messages.success(
                self.request,
                ngettext(
                    "Published and delivered to %(count)d person.",
                    "Published and delivered to %(count)d people.",
                    delivered,
                )
                % {"count": delivered},
            )
        elif delivered:
            messages.success(
                self.request,
                ngettext(
                    "Saved, and delivered to %(count)d more person.",
                    "Saved, and delivered to %(count)d more people.",
                    delivered,
                )
                % {"count": delivered},
            )
        else:
            messages.success(self.request, _("Saved."))
        return redirect("content_detail", vendor_slug=self.vendor.slug, content_id=content.pk)


class ContentPublishView(VendorStaffMixin, View):
    http_method_names = ["post"]

    def post(self, request, vendor_slug, content_id):
        content = selectors.content_get_for_staff(self.access, content_id)
        if content.published_at is not None:
            messages.info(request, _("This content is already published."))
        else:
            try:
                delivered = services.content_publish(access=self.access, content=content)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    ngettext(
                        "Published and delivered to %(count)d person.",
                        "Published and delivered to %(count)d people.",
                        delivered,
                    )
                    % {"count": delivered},
                )
        return redirect("content_detail", vendor_slug=vendor_slug, content_id=content.pk)


urlpatterns = [
    path("content/", ContentListView.as_view(), name="content_list"),
    path("content/export.csv", ContentExportView.as_view(), name="content_export"),
    path("content/new/", ContentFormView.as_view(), name="content_create"),
    path("content/<int:content_id>/edit/", ContentFormView.as_view(), name="content_update"),
    path("content/<int:content_id>/publish/", ContentPublishView.as_view(), name="content_publish"),
]
