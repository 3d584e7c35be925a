"""The high-performer playbook page and its CSV (vendor staff)."""

from django import forms
from django.core.paginator import Paginator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from knowledge import playbook
from knowledge.insights.reports import playbook_for
from knowledge.models import SupportType
from partners.models import PartnerCompany, Tier
from prm.clock import vendor_today
from prm.csv_export import csv_response
from prm.mixins import VendorStaffMixin

PAGE_SIZE = 50


class PartnerFilterForm(forms.Form):
    tier = forms.ChoiceField(
        choices=[("", gettext_lazy("All")), *Tier.choices], required=False, label=gettext_lazy("Tier")
    )
    q = forms.CharField(required=False, max_length=100, label=gettext_lazy("Partner name"))

    def partner_ids(self, vendor) -> list[int] | None:
        if not self.is_valid() or not any(self.cleaned_data.values()):
            return None
        partners = PartnerCompany.objects.filter(vendor=vendor)
        if self.cleaned_data["tier"]:
            partners = partners.filter(tier=self.cleaned_data["tier"])
        if self.cleaned_data["q"]:
            partners = partners.filter(name__icontains=self.cleaned_data["q"])
        return list(partners.values_list("pk", flat=True))


def _labels() -> dict[str, str]:
    return dict(SupportType.choices)


class PlaybookView(VendorStaffMixin, TemplateView):
    template_name = "knowledge/playbook.html"

    def get_context_data(self, **kwargs):
        form = PartnerFilterForm(self.request.GET)
        book = playbook_for(self.access, form.partner_ids(self.vendor))
        labels = _labels()
        for comparison in book.comparisons:
            comparison.label = labels[comparison.support_type]
        page = Paginator(book.recommendations, PAGE_SIZE).get_page(self.request.GET.get("page"))
        for recommendation in page:
            recommendation.labelled = [(kind, labels[kind], gap) for kind, gap in recommendation.next]
        strongest = max(
            (c for c in book.comparisons if c.enough_data and (c.difference or 0) > 0),
            key=lambda c: c.difference,
            default=None,
        )
        return super().get_context_data(
            book=book,
            labels=labels,
            form=form,
            page_obj=page,
            strongest=strongest,
            partner_days=playbook.PARTNER_SUPPORT_DAYS,
            min_closed=playbook.MIN_CLOSED,
            min_group=playbook.MIN_GROUP,
            **kwargs,
        )


class PlaybookExportView(VendorStaffMixin, View):
    """Two blocks in one file: the comparison per kind of support, then each partner's next support."""

    def get(self, request, vendor_slug):
        form = PartnerFilterForm(request.GET)
        book = playbook_for(self.access, form.partner_ids(self.vendor))
        labels = _labels()
        header = [
            _("Support"),
            _("High performers: deals"),
            _("High performers: received"),
            _("High performers: share"),
            _("Others: deals"),
            _("Others: received"),
            _("Others: share"),
            _("Difference"),
            _("Difference low (95%)"),
            _("Difference high (95%)"),
            _("Lift"),
            _("Fisher p"),
            _("Enough data"),
        ]
        rows = [
            [
                labels[c.support_type],
                c.high.n,
                c.high.received,
                _fmt(c.high.share),
                c.rest.n,
                c.rest.received,
                _fmt(c.rest.share),
                _fmt(c.difference),
                _fmt(c.ci_low),
                _fmt(c.ci_high),
                _fmt(c.lift),
                _fmt(c.fisher_p),
                _("yes") if c.enough_data else _("no"),
            ]
            for c in book.comparisons
        ]
        rows.append([])
        rows.append([_("Partner"), _("Deals"), _("Recommended next support")])
        rows += [
            [r.name, r.deals, "; ".join(f"{labels[k]} (+{gap:.0%})" for k, gap in r.next)]
            for r in book.recommendations
        ]
        return csv_response(
            f"playbook-{self.vendor.slug}-{vendor_today(self.vendor):%Y%m%d}.csv", header, rows
        )


def _fmt(value) -> str:
    return "" if value is None else f"{value:.4f}"
