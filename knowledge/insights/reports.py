"""The two insight reports as the pages, the API and the CSV exports use them: one call each.

``loss_factors_for`` and ``ringi_patterns_for`` read the caller's closed deals through the filters, rebuild
their answers over time (``as_of``), analyse them and phrase the findings. A fixed number of queries.
"""

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from knowledge.insights.as_of import ClosedDeal, closed_deals_as_of
from knowledge.insights.filters import InsightFilters, closed_deals
from knowledge.insights.findings import Finding, loss_factor_findings, ringi_findings
from knowledge.insights.loss_factors import FactorResult, loss_factor_results
from knowledge.insights.ringi import PatternResult, pattern_results
from prm.tenancy import Access


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
    population: Population
    factors: list[FactorResult]
    findings: list[Finding] = field(default_factory=list)


@dataclass
class RingiReport:
    filters: InsightFilters
    population: Population
    patterns: list[PatternResult]
    findings: list[Finding] = field(default_factory=list)


def loss_factors_for(access: Access, filters: InsightFilters) -> LossFactorReport:
    deals = closed_deals_as_of(closed_deals(access, filters))
    factors = loss_factor_results(deals)
    return LossFactorReport(filters, population_of(deals), factors, loss_factor_findings(factors))


def ringi_patterns_for(access: Access, filters: InsightFilters) -> RingiReport:
    deals = closed_deals_as_of(closed_deals(access, filters))
    patterns = pattern_results(deals, ZoneInfo(access.vendor.time_zone))
    return RingiReport(filters, population_of(deals), patterns, ringi_findings(patterns))
