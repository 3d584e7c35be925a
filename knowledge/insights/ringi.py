"""Ringi (稟議) patterns R1–R8 (DESIGN §6): the approval route a customer's purchase takes, derived from the
decision-process answers, and how the deals of each route ended.

Derivation: the rules of :data:`RULES`, tried in order; the first that matches names the pattern. A deal that
matches none (usually: the final approver is not known) has no pattern (``None``), shown as "not classified".
The inputs are the decision-process element's ``final_approver_level``, ``co_reviewers`` and
``budget_status``, and the deal's ``customer_industry`` for R8: there is no field for "public tender" or
"parent company approval", so a public-sector customer stands for the tender route and a parent company's
approval is not detected (such deals fall under the approver they name).

Analysis (closed deals that reached proposal, as ``knowledge.insights`` defines them): the pattern from the
answers as of closing; per pattern n, won, lost, win rate with its Wilson interval, median and interquartile
range of days from entering proposal to the close date (all deals, and won deals), and the ringi state where
the lost deals stopped (``ringi_state`` as of closing).
"""

from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from deals.models import Industry
from knowledge import stats
from knowledge.insights.as_of import ClosedDeal
from knowledge.insights.loss_factors import MIN_GROUP
from meddic.models import ApproverLevel, BudgetStatus, ElementCode, RingiState

A = ApproverLevel
DEPARTMENT_LEVEL = (A.SECTION_HEAD, A.DEPARTMENT_HEAD)
OFFICER_LEVEL = (A.EXECUTIVE, A.PRESIDENT)


@dataclass(frozen=True)
class Route:
    """The decision-process facts a pattern is derived from."""

    approver: str
    co_reviewers: Collection[str]
    budget: str
    industry: str = ""


@dataclass(frozen=True)
class RingiRule:
    code: str
    name: str | Promise
    rule: str | Promise
    matches: Callable[[Route], bool]


RULES: tuple[RingiRule, ...] = (
    RingiRule(
        "R8",
        # Translators: 親会社/公共承認
        _("Parent company or public approval"),
        _("The customer is in the public sector (tender, council budget)."),
        lambda r: r.industry == Industry.PUBLIC,
    ),
    RingiRule(
        "R7",
        # Translators: 予算化二段階
        _("Budget first, purchase next fiscal year"),
        _("Budget: next fiscal year — the budget is requested first and the purchase follows."),
        lambda r: r.budget == BudgetStatus.NEXT_FISCAL_YEAR,
    ),
    RingiRule(
        "R5",
        # Translators: 取締役会決議
        _("Board resolution"),
        _("Final approver: the board of directors."),
        lambda r: r.approver == A.BOARD,
    ),
    RingiRule(
        "R4",
        # Translators: 経営会議付議
        _("Management committee"),
        _("Final approver: the management committee."),
        lambda r: r.approver == A.MANAGEMENT_COMMITTEE,
    ),
    RingiRule(
        "R6",
        # Translators: トップダウン即決
        _("Top-down decision"),
        _("Final approver: the president, with at most one other function reviewing."),
        lambda r: r.approver == A.PRESIDENT and len(r.co_reviewers) <= 1,
    ),
    RingiRule(
        "R2",
        # Translators: 部門横断合議
        _("Cross-functional review"),
        _(
            "Four or more functions review (IT, legal, finance, procurement, security) under a department or "
            "executive approver, or two or more under a section or department head."
        ),
        lambda r: (
            (r.approver in (*DEPARTMENT_LEVEL, A.EXECUTIVE) and len(r.co_reviewers) >= 4)
            or (r.approver in DEPARTMENT_LEVEL and len(r.co_reviewers) >= 2)
        ),
    ),
    RingiRule(
        "R3",
        # Translators: 担当役員決裁
        _("Officer approval"),
        _(
            "Final approver: a division head or executive (or the president with several functions reviewing)."
        ),
        lambda r: r.approver in OFFICER_LEVEL,
    ),
    RingiRule(
        "R1",
        # Translators: 部門内専決
        _("Department approval within budget"),
        _("Final approver: a section or department head; in budget; at most one other function reviewing."),
        lambda r: (
            r.approver in DEPARTMENT_LEVEL and r.budget == BudgetStatus.IN_BUDGET and len(r.co_reviewers) <= 1
        ),
    ),
)
RULE_BY_CODE = {rule.code: rule for rule in RULES}
PATTERN_ORDER = tuple(sorted(RULE_BY_CODE))  # R1 … R8, as the pages list them
UNCLASSIFIED_RULE = _(
    "None of the above: usually the final approver is not known yet, or a department head approves without a "
    "known budget."
)


def ringi_pattern(route: Route) -> str | None:
    """R1–R8 by the first rule of :data:`RULES` that matches, or None."""
    return next((rule.code for rule in RULES if rule.matches(route)), None)


def route_of(process: dict, industry: str) -> Route:
    """The route in decision-process answers (``MeddicElement.as_dict()`` or a rebuilt state)."""
    return Route(
        approver=process["final_approver_level"],
        co_reviewers=tuple(process["co_reviewers"] or ()),
        budget=process["budget_status"],
        industry=industry,
    )


def deal_ringi_pattern(deal, process_element) -> RingiRule | None:
    """The pattern of a deal from its current decision-process element (the deal page)."""
    code = ringi_pattern(route_of(process_element.as_dict(), deal.customer_industry))
    return RULE_BY_CODE.get(code) if code else None


@dataclass(frozen=True)
class Spread:
    """Median and interquartile range of a list of day counts."""

    n: int
    q1: float | None = None
    median: float | None = None
    q3: float | None = None


def spread(days: list[int]) -> Spread:
    found = stats.quartiles(days)
    return Spread(len(days), *found) if found else Spread(0)


@dataclass
class PatternResult:
    code: str | None  # None: not classified
    name: str | Promise
    rule: str | Promise
    won: int = 0
    lost: int = 0
    ci_low: float | None = None
    ci_high: float | None = None
    days: Spread = field(default_factory=lambda: Spread(0))
    days_won: Spread = field(default_factory=lambda: Spread(0))
    # (ringi state, label, count) of the lost deals, most frequent first, unknown last.
    lost_at: list[tuple[str, str | Promise, int]] = field(default_factory=list)

    @property
    def n(self) -> int:
        return self.won + self.lost

    @property
    def win_rate(self) -> float | None:
        return stats.rate(self.won, self.n)

    @property
    def enough_data(self) -> bool:
        return self.n >= MIN_GROUP

    @property
    def stalled_most_at(self) -> tuple[str, str | Promise, int] | None:
        """The known ringi state most lost deals stopped at (an unknown state says nothing)."""
        return next((stop for stop in self.lost_at if stop[0] != RingiState.UNKNOWN), None)

    @property
    def lost_unknown(self) -> int:
        return sum(count for state, _label, count in self.lost_at if state == RingiState.UNKNOWN)


def pattern_results(deals: list[ClosedDeal], zone: ZoneInfo) -> list[PatternResult]:
    """R1–R8 in order, then the deals not classified; patterns without deals are listed with n = 0."""
    buckets: dict[str | None, list[ClosedDeal]] = {code: [] for code in (*PATTERN_ORDER, None)}
    for deal in deals:
        if deal.reached_proposal:
            process = deal.at_close[ElementCode.DECISION_PROCESS]
            buckets[ringi_pattern(route_of(process, deal.industry))].append(deal)
    states = dict(RingiState.choices)
    results = []
    for code, members in buckets.items():
        rule = RULE_BY_CODE.get(code)
        won = sum(1 for deal in members if deal.won)
        low, high = stats.wilson_interval(won, len(members))
        stops = Counter(
            deal.at_close[ElementCode.DECISION_PROCESS]["ringi_state"] for deal in members if not deal.won
        )
        results.append(
            PatternResult(
                code=code,
                name=rule.name if rule else _("Not classified"),
                rule=rule.rule if rule else UNCLASSIFIED_RULE,
                won=won,
                lost=len(members) - won,
                ci_low=low,
                ci_high=high,
                days=spread([deal.days_from_proposal(zone) for deal in members]),
                days_won=spread([deal.days_from_proposal(zone) for deal in members if deal.won]),
                lost_at=[
                    (state, states.get(state, state), count)
                    for state, count in sorted(
                        stops.items(), key=lambda item: (item[0] == RingiState.UNKNOWN, -item[1], item[0])
                    )
                ],
            )
        )
    return results


@dataclass(frozen=True)
class Contrast:
    """The classified patterns with enough data that won most and least often, and Fisher's exact p of the two."""

    best: str
    worst: str
    p: float | None


def win_rate_contrast(results: list[PatternResult]) -> Contrast | None:
    """Part of the analysis (stored with it), so that phrasing the findings needs no statistics library."""
    enough = [r for r in results if r.code and r.enough_data]
    if len(enough) < 2:
        return None
    best = max(enough, key=lambda r: (r.win_rate, r.n))
    worst = min(enough, key=lambda r: (r.win_rate, -r.n))
    if best is worst:
        return None
    return Contrast(best.code, worst.code, stats.fisher_p(best.won, best.lost, worst.won, worst.lost))
