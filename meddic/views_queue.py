"""The channel managers' review queue, its CSV export, the Q × V matrix and the queue's bulk review change."""

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import ListView, TemplateView

from meddic import queue
from meddic.models import ForecastCategory, ReviewState
from meddic.reviews import NOTE_MAX, reviews_set
from prm.chunks import in_chunks
from prm.clock import vendor_today
from prm.csv_export import csv_response
from prm.mixins import LastPageMixin, VendorStaffMixin


def _local_date(value, zone) -> str:
    return timezone.localtime(value, zone).date().isoformat() if value else ""


class ReviewQueueView(VendorStaffMixin, LastPageMixin, ListView):
    template_name = "meddic/queue.html"
    paginate_by = queue.PAGE_SIZE
    context_object_name = "deals"

    def get_queryset(self):
        self.form = queue.QueueFilterForm(self.request.GET, access=self.access)
        queue.queue_remember(self.request)
        return queue.review_queue(self.access, self.form)

    def columns(self) -> list[dict]:
        link = self.form.sort_link
        return [
            {"key": "customer", "label": _("Customer / deal title")},
            {"key": "partner", "label": _("Partner")},
            {"key": "amount", "label": _("Amount"), "css": "num", "sort": link("amount")},
            {"key": "quality", "label": _("Quality"), "css": "num", "sort": link("quality")},
            {"key": "visibility", "label": _("Visibility"), "css": "num", "sort": link("visibility")},
            {"key": "flags", "label": _("Flags"), "sort": link("flags")},
            {"key": "forecast", "label": _("Forecast")},
            {"key": "review", "label": _("Review")},
            {"key": "requests", "label": _("Requests"), "title": _("Open info requests"), "css": "num"},
            {
                "key": "age",
                "label": _("Age"),
                "title": _("Days since registration"),
                "css": "num",
                "sort": link("age"),
            },
            {"key": "close_date", "label": _("Close date"), "sort": link("close_date")},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        zone = ZoneInfo(self.vendor.time_zone)
        today = vendor_today(self.vendor)
        for deal in context["deals"]:
            deal.age_days = queue.age_in_days(deal, today, zone)
            deal.flag_list = queue.flag_labels(deal)
            deal.review_label = ReviewState(deal.review_state).label
        context.update(
            form=self.form,
            columns=(columns := self.columns()),
            labels={column["key"]: column["label"] for column in columns},
            today=today,
            review_states=ReviewState.choices,
            note_max=NOTE_MAX,
            next_url=self.request.get_full_path(),
            filters_open=self.form.active_count > 0 or bool(self.form.errors),
        )
        return context


def export_header() -> list[str]:
    return [
        _("ID"),
        _("Customer"),
        _("Deal title"),
        _("Partner"),
        _("Owner"),
        _("Phase"),
        _("Amount"),
        _("Quality"),
        _("Visibility"),
        _("Quadrant"),
        _("Flag count"),
        _("Flags"),
        _("Forecast category"),
        _("Review state"),
        _("Open info requests"),
        _("Registered"),
        _("Age (days)"),
        _("Close date"),
    ]


def export_row(deal, today, zone) -> list:
    scored = getattr(deal, "score", None) is not None
    return [
        deal.pk,
        deal.customer_name,
        deal.title,
        deal.partner.name,
        deal.owner.email,
        deal.get_phase_display(),
        deal.amount,
        deal.q if scored else "",
        deal.v if scored else "",
        str(queue.quadrant_for(deal.q, deal.v).label),
        deal.flags,
        "; ".join(str(flag.label) for flag in queue.flag_labels(deal)),
        str(ForecastCategory(deal.forecast).label) if scored else "",
        str(ReviewState(deal.review_state).label),
        deal.open_requests,
        _local_date(deal.registered_at, zone),
        queue.age_in_days(deal, today, zone),
        deal.close_date.isoformat() if deal.close_date else "",
    ]


class ReviewExportView(VendorStaffMixin, View):
    """Every deal of the queue with its filters and order, all pages."""

    def get(self, request, vendor_slug):
        form = queue.QueueFilterForm(request.GET, access=self.access)
        deals = queue.review_queue(self.access, form)
        zone = ZoneInfo(self.vendor.time_zone)
        today = vendor_today(self.vendor)
        rows = (export_row(deal, today, zone) for deal in in_chunks(deals))
        return csv_response(f"review-{self.vendor.slug}-{today:%Y%m%d}.csv", export_header(), rows)


class ReviewMatrixView(VendorStaffMixin, TemplateView):
    template_name = "meddic/matrix.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = queue.QueueFilterForm(self.request.GET, access=self.access, matrix=True)
        deals = queue.queue_filtered(self.access, form)
        totals = queue.quadrant_totals(deals)
        top = queue.quadrant_top(deals)
        params = self.request.GET.copy()
        params.pop("page", None)
        params.pop("sort", None)
        params["scope"] = form.current_scope

        def cell(code):
            link = params.copy()
            link["quadrant"] = code
            return {
                "quadrant": queue.QUADRANTS[code],
                "top": top[code],
                "query": link.urlencode(),
                **totals[code],
            }

        context.update(
            form=form,
            # Rows from high Q to low Q, columns from low V to high V (Q up the side, V along the bottom).
            rows=[
                [cell("high_q_low_v"), cell("high_q_high_v")],
                [cell("low_q_low_v"), cell("low_q_high_v")],
            ],
            total_count=sum(t["count"] for t in totals.values()),
            total_amount=sum(t["amount"] for t in totals.values()),
            quality_threshold=queue.QUALITY_THRESHOLD,
            visibility_threshold=queue.VISIBILITY_THRESHOLD,
            filters_open=form.active_count > 0 or bool(form.errors),
        )
        return context


class ReviewBulkView(VendorStaffMixin, View):
    """POST: set the review state of the checked deals, then back to the queue as it was."""

    http_method_names = ["post"]

    def back(self, request):
        queue_url = reverse("review_queue", kwargs={"vendor_slug": self.vendor.slug})
        target = request.POST.get("next", "")
        safe = url_has_allowed_host_and_scheme(target, allowed_hosts=None) and target.startswith(queue_url)
        return redirect(target if safe else queue_url)

    def post(self, request, vendor_slug):
        deals = list(queue.deals_for_review(self.access, request.POST.getlist("deal")))
        state = request.POST.get("state", "")
        if not deals:
            messages.error(request, _("Select at least one deal to change its review state."))
            return self.back(request)
        try:
            changed = reviews_set(
                access=self.access, deals=deals, state=state, note=request.POST.get("note", "")
            )
        except ValidationError as error:
            details = error.message_dict
            messages.error(request, " ".join(str(m) for messages_ in details.values() for m in messages_))
            return self.back(request)
        label = ReviewState(state).label
        if changed:
            messages.success(
                request,
                ngettext(
                    "%(count)d deal marked “%(state)s”.",
                    "%(count)d deals marked “%(state)s”.",
                    changed,
                )
                % {"count": changed, "state": label},
            )
        else:
            messages.info(
                request, _("Nothing changed: the selected deals were already “%(state)s”.") % {"state": label}
            )
        return self.back(request)


urlpatterns = [
    path("review/", ReviewQueueView.as_view(), name="review_queue"),
    path("review/export.csv", ReviewExportView.as_view(), name="review_export"),
    path("review/matrix/", ReviewMatrixView.as_view(), name="review_matrix"),
    path("review/bulk/", ReviewBulkView.as_view(), name="review_bulk"),
]
