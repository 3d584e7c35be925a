"""Vendor staff: funnels per content and per partner, the recipients of a content, and reminders."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import ListView, TemplateView

from enablement import selectors, services
from enablement.filters import partners_filtered, recipients_filtered
from enablement.models import ContentKind, Delivery
from enablement.selectors import Funnel
from enablement.tables import (
    content_header,
    content_row,
    export,
    partner_funnel_header,
    partner_funnel_row,
    recipient_header,
    recipient_row,
)
from enablement.views_staff import PAGE_SIZE
from partners.models import Tier
from prm.mixins import LastPageMixin, VendorStaffMixin


def _partner_rows(rows) -> list[dict]:
    return [
        {
            "id": row["partner"],
            "name": row["partner__name"],
            "tier": row["partner__tier"],
            "tier_label": Tier(row["partner__tier"]).label if row["partner__tier"] in Tier.values else "",
            "funnel": Funnel.of(row),
        }
        for row in rows
    ]


class ContentDetailView(VendorStaffMixin, TemplateView):
    """The content with its funnel, and the funnel of each partner it reached (paginated)."""

    template_name = "enablement/content_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        content = selectors.content_get_for_staff(self.access, self.kwargs["content_id"])
        page = Paginator(selectors.funnel_by_partner(content), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        page.object_list = _partner_rows(page.object_list)
        context.update(
            content=content,
            funnel=selectors.content_funnel(content),
            questions=list(content.questions.all()),
            page_obj=page,
            partner_rows=page.object_list,
            is_file=content.kind == ContentKind.FILE,
        )
        return context


class ContentPartnersExportView(VendorStaffMixin, View):
    """The per-partner funnel of one content, every partner."""

    def get(self, request, vendor_slug, content_id):
        content = selectors.content_get_for_staff(self.access, content_id)
        rows = (
            partner_funnel_row(row["name"], row["tier"], row["funnel"])
            for row in _partner_rows(selectors.funnel_by_partner(content))
        )
        return export(self.vendor, f"content-{content.pk}-partners", partner_funnel_header(), rows)


class RecipientListView(VendorStaffMixin, LastPageMixin, ListView):
    """Who got the content and how far they are; the ones who have not opened it can be reminded."""

    template_name = "enablement/recipients.html"
    paginate_by = PAGE_SIZE
    context_object_name = "deliveries"

    def get_queryset(self):
        self.content = selectors.content_get_for_staff(self.access, self.kwargs["content_id"])
        self.form, qs = recipients_filtered(self.access, self.content, self.request.GET)
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cleaned = getattr(self.form, "cleaned_data", {})
        context.update(
            content=self.content,
            form=self.form,
            funnel=selectors.content_funnel(self.content),
            filtered=any(value for value in cleaned.values()) or bool(self.form.errors),
            next_url=self.request.get_full_path(),
        )
        return context


class RecipientExportView(VendorStaffMixin, View):
    def get(self, request, vendor_slug, content_id):
        content = selectors.content_get_for_staff(self.access, content_id)
        _form, qs = recipients_filtered(self.access, content, request.GET)
        zone = self.vendor.time_zone
        rows = (recipient_row(delivery, zone) for delivery in qs.iterator(chunk_size=500))
        return export(self.vendor, f"content-{content.pk}-recipients", recipient_header(), rows)


class ContentRemindView(VendorStaffMixin, View):
    """POST: remind the checked recipients (``delivery``), or everyone who has not opened it (``all``)."""

    http_method_names = ["post"]

    def back(self, request, content):
        fallback = reverse(
            "content_detail", kwargs={"vendor_slug": self.vendor.slug, "content_id": content.pk}
        )
        target = request.POST.get("next", "")
        prefix = reverse("content_list", kwargs={"vendor_slug": self.vendor.slug})
        safe = url_has_allowed_host_and_scheme(target, allowed_hosts=None) and target.startswith(prefix)
        return redirect(target if safe else fallback)

    def post(self, request, vendor_slug, content_id):
        content = selectors.content_get_for_staff(self.access, content_id)
        ids = None
        if not request.POST.get("all"):
            ids = [int(value) for value in request.POST.getlist("delivery") if value.isdigit()]
            if not ids:
                messages.error(request, _("Check at least one person who has not opened the content."))
                return self.back(request, content)
        try:
            result = services.reminders_send(access=self.access, content=content, delivery_ids=ids)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return self.back(request, content)
        if result.sent:
            messages.success(
                request,
                ngettext(
                    "A reminder is on its way to %(count)d person.",
                    "Reminders are on their way to %(count)d people.",
                    result.sent,
                )
                % {"count": result.sent},
            )
        if result.recent:
            messages.info(
                request,
                ngettext(
                    "%(count)d person was already reminded in the last 24 hours and was left out.",
                    "%(count)d people were already reminded in the last 24 hours and were left out.",
                    result.recent,
                )
                % {"count": result.recent},
            )
        if not result.sent and not result.recent:
            messages.info(request, _("Nobody to remind: everyone checked has opened the content."))
        return self.back(request, content)


class PartnerFunnelListView(VendorStaffMixin, LastPageMixin, ListView):
    """Each partner's funnel over all the content it received."""

    template_name = "enablement/partner_funnels.html"
    paginate_by = PAGE_SIZE
    context_object_name = "partners"

    def get_queryset(self):
        self.form, qs = partners_filtered(self.access, self.request.GET)
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for partner in context["partners"]:
            partner.funnel = Funnel.of(partner)
        cleaned = getattr(self.form, "cleaned_data", {})
        context.update(form=self.form, filtered=any(cleaned.values()) or bool(self.form.errors))
        return context


class PartnerFunnelExportView(VendorStaffMixin, View):
    def get(self, request, vendor_slug):
        _form, qs = partners_filtered(self.access, request.GET)
        rows = (partner_funnel_row(p.name, p.tier, Funnel.of(p)) for p in qs.iterator(chunk_size=500))
        return export(self.vendor, "content-partners", partner_funnel_header(), rows)


class PartnerFunnelDetailView(VendorStaffMixin, LastPageMixin, ListView):
    """One partner: its funnel for each content it received."""

    template_name = "enablement/partner_funnel.html"
    paginate_by = PAGE_SIZE
    context_object_name = "contents"

    def get_queryset(self):
        self.partner = selectors.partner_get_for_staff(self.access, self.kwargs["partner_id"])
        return selectors.partner_content_funnels(self.access, self.partner).order_by("-published_at", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for content in context["contents"]:
            content.funnel = Funnel.of(content)
        total = Delivery.objects.filter(partner=self.partner).aggregate(**selectors.funnel_counts())
        context.update(partner=self.partner, funnel=Funnel.of(total))
        return context


class PartnerFunnelDetailExportView(VendorStaffMixin, View):
    def get(self, request, vendor_slug, partner_id):
        partner = selectors.partner_get_for_staff(self.access, partner_id)
        qs = (
            selectors.partner_content_funnels(self.access, partner)
            .prefetch_related(selectors.audience_prefetch())
            .annotate(question_total=selectors.question_count())
            .order_by("-published_at", "-pk")
        )
        zone = self.vendor.time_zone
        rows = (content_row(content, zone) for content in qs)
        return export(self.vendor, f"content-partner-{partner.pk}", content_header(), rows)


urlpatterns = [
    path("content/<int:content_id>/", ContentDetailView.as_view(), name="content_detail"),
    path(
        "content/<int:content_id>/partners.csv",
        ContentPartnersExportView.as_view(),
        name="content_partners_export",
    ),
    path("content/<int:content_id>/recipients/", RecipientListView.as_view(), name="content_recipients"),
    path(
        "content/<int:content_id>/recipients/export.csv",
        RecipientExportView.as_view(),
        name="content_recipients_export",
    ),
    path("content/<int:content_id>/remind/", ContentRemindView.as_view(), name="content_remind"),
    path("content/partners/", PartnerFunnelListView.as_view(), name="content_partner_funnels"),
    path(
        "content/partners/export.csv",
        PartnerFunnelExportView.as_view(),
        name="content_partner_funnels_export",
    ),
    path(
        "content/partners/<int:partner_id>/",
        PartnerFunnelDetailView.as_view(),
        name="content_partner_funnel",
    ),
    path(
        "content/partners/<int:partner_id>/export.csv",
        PartnerFunnelDetailExportView.as_view(),
        name="content_partner_funnel_export",
    ),
]
