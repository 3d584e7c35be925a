"""Insight pages for vendor staff (DESIGN §6): loss factors and ringi patterns, each with its CSV export.

Only vendor staff see them (partner roles get 403): the analyses pool every partner's closed deals, and a
partner must never see another partner's deals, not even as counts. Views are thin: the filter form
(``knowledge.insights.filters``), one report call (``knowledge.insights.reports``), and rows made ready for
the template and the CSV.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from knowledge.insights import findings as fmt
from knowledge.insights.filters import InsightFilterForm
from knowledge.insights.loss_factors import Comparison, FactorResult, Group
from knowledge.insights.reports import loss_factors_for, ringi_patterns_for
from knowledge.insights.ringi import RULES, UNCLASSIFIED_RULE, PatternResult
from prm.clock import vendor_today
from prm.csv_export import csv_response
from prm.mixins import VendorStaffMixin


@dataclass(frozen=True)
class Bar:
    """A rate and its interval on a 0–100 scale, drawn as SVG (attributes, not styles: CSP)."""

    rate: float
    low: float
    width: float
    label: str

    @property
    def marker(self) -> float:
        """Left edge of the 1.4-wide rate marker, centred on the rate and kept inside the scale."""
        return round(min(max(self.rate - 0.7, 0), 98.6), 1)


def bar_of(rate: float | None, low: float | None, high: float | None) -> Bar | None:
    if rate is None or low is None or high is None:
        return None
    label = _("%(rate)s, 95%% interval %(span)s") % {"rate": fmt.percent(rate), "span": fmt.span(low, high)}
    return Bar(round(rate * 100, 1), round(low * 100, 1), round((high - low) * 100, 1), label)


@dataclass(frozen=True)
class GroupRow:
    group: Group
    rate: str
    span: str
    bar: Bar | None
    is_reference: bool
    comparison: Comparison | None
    difference: str = ""
    difference_span: str = ""
    lift: str = ""
    p: str = ""


def group_row(group: Group, result: FactorResult, comparison: Comparison | None) -> GroupRow:
    return GroupRow(
        group=group,
        rate=fmt.percent(group.win_rate),
        span=fmt.span(group.ci_low, group.ci_high),
        bar=bar_of(group.win_rate, group.ci_low, group.ci_high),
        is_reference=group is result.reference,
        comparison=comparison,
        difference=fmt.points(comparison.difference) if comparison else "",
        difference_span=(
            f"[{fmt.points(comparison.ci_low)}, {fmt.points(comparison.ci_high)}]" if comparison else ""
        ),
        lift=fmt.times(comparison.lift) if comparison else "",
        p=fmt.p_number(comparison.fisher_p) if comparison else "",
    )


def factor_rows(result: FactorResult) -> list[GroupRow]:
    """Every group (strongest first) with its comparison to the reference, then the pooled comparison."""
    rows = [group_row(group, result, result.comparison_for(group.value)) for group in result.groups]
    pooled = next((c for c in result.comparisons if c.pooled), None)
    if pooled:
        rows.append(group_row(pooled.b, result, pooled))
    return rows


def _filter_context(form: InsightFilterForm) -> dict:
    return {
        "form": form,
        "period_choices": form.period_choices(),
        "filters_active": form.active_count,
        "min_group": fmt.MIN_GROUP,
    }


def _decimal(value: float | None, places: int = 4) -> str:
    return "" if value is None else f"{value:.{places}f}"


class LossFactorsView(VendorStaffMixin, TemplateView):
    template_name = "knowledge/insights/loss_factors.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = InsightFilterForm(self.request.GET, access=self.access)
        report = loss_factors_for(self.access, form.filters(), wait=False)
        findings = {kind: [f for f in report.findings if f.kind == kind] for kind in fmt.KIND_ORDER}
        context.update(
            _filter_context(form),
            report=report,
            findings=findings,
            factors=[(result, factor_rows(result)) for result in report.factors],
        )
        return context


def loss_factor_csv_rows(report):
    for result in report.factors:
        reference = result.reference.value if result.reference else ""
        for row in factor_rows(result):
            group, comparison = row.group, row.comparison
            yield [
                result.code,
                str(result.label),
                group.value,
                str(group.label),
                reference,
                group.n,
                group.won,
                group.lost,
                _decimal(group.win_rate),
                _decimal(group.ci_low),
                _decimal(group.ci_high),
                "yes" if group.enough_data else "no",
                _decimal(comparison.difference) if comparison else "",
                _decimal(comparison.ci_low) if comparison else "",
                _decimal(comparison.ci_high) if comparison else "",
                _decimal(comparison.lift, 3) if comparison else "",
                _decimal(comparison.fisher_p) if comparison else "",
            ]


class LossFactorsExportView(VendorStaffMixin, View):
    """The table behind the loss-factor page, with the same filters: one row per factor and group."""

    def get(self, request, vendor_slug):
        form = InsightFilterForm(request.GET, access=self.access)
        report = loss_factors_for(self.access, form.filters())
        header = [
            _("Factor"),
            _("Factor name"),
            _("Group"),
            _("Group name"),
            _("Reference group"),
            _("Deals"),
            _("Won"),
            _("Lost"),
            _("Win rate"),
            _("Interval low (95%)"),
            _("Interval high (95%)"),
            _("Enough data"),
            _("Difference from the reference"),
            _("Difference, interval low (95%)"),
            _("Difference, interval high (95%)"),
            _("Lift (reference ÷ group)"),
            _("Fisher's exact p"),
        ]
        name = f"loss-factors-{self.vendor.slug}-{vendor_today(self.vendor):%Y%m%d}.csv"
        return csv_response(name, header, loss_factor_csv_rows(report))


@dataclass(frozen=True)
class PatternRow:
    result: PatternResult
    rate: str
    span: str
    bar: Bar | None


def pattern_rows(patterns: list[PatternResult]) -> list[PatternRow]:
    return [
        PatternRow(
            result=result,
            rate=fmt.percent(result.win_rate),
            span=fmt.span(result.ci_low, result.ci_high),
            bar=bar_of(result.win_rate, result.ci_low, result.ci_high),
        )
        for result in patterns
    ]


class RingiPatternsView(VendorStaffMixin, TemplateView):
    template_name = "knowledge/insights/ringi_patterns.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = InsightFilterForm(self.request.GET, access=self.access)
        report = ringi_patterns_for(self.access, form.filters(), wait=False)
        context.update(
            _filter_context(form),
            report=report,
            rows=pattern_rows(report.patterns),
            rules=RULES,
            unclassified_rule=UNCLASSIFIED_RULE,
        )
        return context


def _days(spread) -> list[str]:
    return [_decimal(spread.median, 1), _decimal(spread.q1, 1), _decimal(spread.q3, 1)]


def ringi_csv_rows(report):
    for result in report.patterns:
        yield [
            result.code or "",
            str(result.name),
            str(result.rule),
            result.n,
            result.won,
            result.lost,
            _decimal(result.win_rate),
            _decimal(result.ci_low),
            _decimal(result.ci_high),
            "yes" if result.enough_data else "no",
            *_days(result.days),
            *_days(result.days_won),
            "; ".join(f"{label}: {count}" for _state, label, count in result.lost_at),
        ]


class RingiPatternsExportView(VendorStaffMixin, View):
    """The ringi-pattern table with the same filters: one row per pattern, then the deals not classified."""

    def get(self, request, vendor_slug):
        form = InsightFilterForm(request.GET, access=self.access)
        report = ringi_patterns_for(self.access, form.filters())
        header = [
            _("Pattern"),
            _("Name"),
            _("Rule"),
            _("Deals"),
            _("Won"),
            _("Lost"),
            _("Win rate"),
            _("Interval low (95%)"),
            _("Interval high (95%)"),
            _("Enough data"),
            _("Days proposal to close, median"),
            _("Days, first quartile"),
            _("Days, third quartile"),
            _("Won deals: days, median"),
            _("Won deals: days, first quartile"),
            _("Won deals: days, third quartile"),
            _("Lost deals stopped at (ringi state: deals)"),
        ]
        name = f"ringi-patterns-{self.vendor.slug}-{vendor_today(self.vendor):%Y%m%d}.csv"
        return csv_response(name, header, ringi_csv_rows(report))
