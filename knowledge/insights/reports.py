"""The two insight reports as the pages, the API and the CSV exports use them: one call each.

``loss_factors_for`` and ``ringi_patterns_for`` read the caller's closed deals through the filters, rebuild
their answers over time (``as_of``), analyse them and phrase the findings. The analysis of vendor staff (who all
see the same deals) is stored and reused until the deals change (``knowledge.insights.store``); the findings
are phrased on each read, in the reader's language. A fixed number of queries.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, Max

from knowledge.insights.as_of import ClosedDeal, closed_deals_as_of
from knowledge.insights.filters import InsightFilters, closed_deals
from knowledge.insights.findings import Finding, loss_factor_findings, ringi_findings
from knowledge.insights.loss_factors import FactorResult, loss_factor_results
from knowledge.insights.ringi import Contrast, PatternResult, pattern_results, win_rate_contrast
from knowledge.insights.store import (
    analysis_refresh,
    filter_key,
    insight_version,
    kept_filters,
    stored_analysis,
    stored_version,
)
from knowledge.models import SupportActivity
from knowledge.playbook import Playbook, playbook_build
from partners.models import Membership, Role, Vendor
from prm.clock import vendor_today
from prm.tenancy import Access

LOSS_FACTORS, RINGI_PATTERNS, PLAYBOOK = "loss_factors", "ringi_patterns", "playbook"


@dataclass(frozen=True)
class Population:
    """Closed deals selected, and how many of them the analysis covers."""

    closed: int
    analysed: int
    won: int
    lost: int

    @property
    def never_in_proposal(self) -> int:
        return self.closed - self.analysed


def population_of(deals: list[ClosedDeal]) -> Population:
    reached = [deal for deal in deals if deal.reached_proposal]
    won = sum(1 for deal in reached if deal.won)
    return Population(closed=len(deals), analysed=len(reached), won=won, lost=len(reached) - won)


@dataclass
class LossFactorReport:
    filters: InsightFilters
    population: Population | None  # None while the analysis is being computed
    factors: list[FactorResult]
    findings: list[Finding] = field(default_factory=list)
    computed_at: datetime | None = None
    updating: bool = False  # newer deals are being analysed; this is the previous analysis


@dataclass
class RingiReport:
    filters: InsightFilters
    population: Population | None
    patterns: list[PatternResult]
    findings: list[Finding] = field(default_factory=list)
    computed_at: datetime | None = None
    updating: bool = False


def _closed_as_of(access: Access, filters: InsightFilters) -> list[ClosedDeal]:
    return closed_deals_as_of(closed_deals(access, filters))


def _loss_factors(
    access: Access, filters: InsightFilters, deals: list[ClosedDeal] | None = None
) -> tuple[Population, list[FactorResult]]:
    deals = _closed_as_of(access, filters) if deals is None else deals
    return population_of(deals), loss_factor_results(deals)


def _ringi_patterns(
    access: Access, filters: InsightFilters, deals: list[ClosedDeal] | None = None
) -> tuple[Population, list[PatternResult], Contrast | None]:
    deals = _closed_as_of(access, filters) if deals is None else deals
    patterns = pattern_results(deals, ZoneInfo(access.vendor.time_zone))
    return population_of(deals), patterns, win_rate_contrast(patterns)


def _playbook(access: Access, filters: InsightFilters, deals=None) -> Playbook:
    return playbook_build(vendor=access.vendor)


def _playbook_depends(vendor: Vendor) -> tuple:
    """Besides closed deals: the support log, and the day (the window trails today)."""
    support = SupportActivity.objects.filter(vendor=vendor).aggregate(n=Count("pk"), last=Max("pk"))
    return vendor_today(vendor).isoformat(), support["n"], support["last"]


ANALYSES = {LOSS_FACTORS: _loss_factors, RINGI_PATTERNS: _ringi_patterns, PLAYBOOK: _playbook}
# The analyses that read the closed deals as of proposal and close: one rebuild serves both.
AS_OF = (LOSS_FACTORS, RINGI_PATTERNS)
DEPENDS = {PLAYBOOK: _playbook_depends}


def _depends(vendor: Vendor, report: str) -> tuple:
    return DEPENDS[report](vendor) if report in DEPENDS else ()


def _analysis(access: Access, report: str, filters: InsightFilters, wait: bool = True):
    """(population, results) of ``report``, stored for vendor staff; with when it was computed and whether it
    is being updated (``None`` results while it is computed for the first time, unless ``wait``)."""
    compute = ANALYSES[report]
    if access.is_partner_role:  # never stored: a partner's deals are not the vendor's
        return compute(access, filters), None, False
    extra = _depends(access.vendor, report)
    stored = stored_analysis(access.vendor, report, filters, lambda: compute(access, filters), extra, wait)
    return stored.value, stored.computed_at, stored.updating


def playbook_for(access: Access, partner_ids=None) -> Playbook:
    """The vendor's playbook (stored like the analyses), its recommendations limited to ``partner_ids``."""
    book, _computed_at, _updating = _analysis(access, PLAYBOOK, InsightFilters())
    if partner_ids is not None:
        wanted = set(partner_ids)
        book = replace(book, recommendations=[r for r in book.recommendations if r.partner_id in wanted])
    return book


def loss_factors_for(access: Access, filters: InsightFilters, wait: bool = True) -> LossFactorReport:
    """The report; without ``wait`` its population is None while a large vendor's analysis is computed."""
    value, computed_at, updating = _analysis(access, LOSS_FACTORS, filters, wait)
    population, factors = value or (None, [])
    return LossFactorReport(
        filters, population, factors, loss_factor_findings(factors), computed_at, updating
    )


def ringi_patterns_for(access: Access, filters: InsightFilters, wait: bool = True) -> RingiReport:
    """Like ``loss_factors_for``."""
    value, computed_at, updating = _analysis(access, RINGI_PATTERNS, filters, wait)
    population, patterns, contrast = value or (None, [], None)
    findings = ringi_findings(patterns, contrast)
    return RingiReport(filters, population, patterns, findings, computed_at, updating)


def insight_refresh(access: Access, report: str, filters: InsightFilters, deals=None) -> None:
    """Analyse again and store (the refresh task and the nightly job); ``access`` is vendor staff's, ``deals``
    the closed deals already rebuilt for these filters, if at hand."""
    vendor = access.vendor
    analysis_refresh(
        vendor, report, filters, lambda: ANALYSES[report](access, filters, deals), _depends(vendor, report)
    )


def vendor_analyst(vendor: Vendor) -> Access:
    """Access as any vendor staff member has it, for tasks that analyse the vendor's deals."""
    return Access(vendor=vendor, membership=Membership(vendor=vendor, role=Role.VENDOR_ADMIN))


def insights_nightly(vendor: Vendor) -> int:
    """Bring every kept analysis of ``vendor`` up to date (see ``knowledge.insights.store``), rebuilding the
    closed deals once per set of filters; returns how many were computed. Runs inside the vendor's scope."""
    access, due = vendor_analyst(vendor), []
    for report in ANALYSES:
        version, _closed = insight_version(vendor, _depends(vendor, report))
        due += [
            (filter_key(filters), report, filters)
            for filters in kept_filters(vendor, report)
            if stored_version(vendor, report, filters) != version
        ]
    rebuilt: dict[str, list[ClosedDeal]] = {}
    for key, report, filters in sorted(due, key=lambda item: (item[0], item[1])):
        if report not in AS_OF:
            insight_refresh(access, report, filters)
            continue
        if key not in rebuilt:
            rebuilt = {key: _closed_as_of(access, filters)}  # one set of filters in memory at a time
        insight_refresh(access, report, filters, rebuilt[key])
    return len(due)
