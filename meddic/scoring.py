"""Quality, visibility, forecast category and risk flags of a deal (DESIGN §5, contract), as pure functions.

Each derived value has one function that takes the facts and returns the value; ``meddic.services`` loads the
facts, calls these and stores the result. Nothing here touches the database.

The score of an open deal moves with the calendar through four inputs only: each element's freshness (its
``last_confirmed_at`` turning older than ``FRESH_DAYS`` and ``STALE_DAYS``), ``champion_inactive`` (the last champion
activity turning older than ``INACTIVE_DAYS``), ``close_date_passed`` and the close date coming within
``CLOSE_SOON_DAYS`` (``decision_process_unknown``); ``meddic.rescore`` re-scores the deals for which one of them
crossed its threshold. A deal that is not open (won, lost, on hold) carries no flags and its qualification is
frozen where it left the open phases: its freshness is measured on the day it entered its current phase
(:func:`freshness_day`), so its score does not move with the calendar at all.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deals.models import OPEN_PHASES, PHASE_RANK, Phase
from meddic.models import (
    ApproverLevel,
    ChampionStatus,
    ElementCode,
    Evidence,
    ForecastCategory,
    RingiState,
    Urgency,
)
from meddic.models import BuyerAccess as EBAccess

EVIDENCE_FACTOR = {
    Evidence.UNKNOWN: 0.0,
    Evidence.REPORTED: 0.4,
    Evidence.EVIDENCED: 0.7,
    Evidence.VERIFIED: 1.0,
}
FRESH_DAYS, STALE_DAYS = 30, 90
INACTIVE_DAYS = 30
CLOSE_SOON_DAYS = 30
RINGI_DRAFTED_OR_LATER = {RingiState.DRAFTED, RingiState.CIRCULATING, RingiState.APPROVED}
CODES = tuple(ElementCode.values)
# The answers of an element that the functions below read (``Facts.elements`` values carry at least these).
ELEMENT_INPUTS = (
    "level",
    "evidence",
    "last_confirmed_at",
    "access",
    "position",
    "final_approver_level",
    "ringi_state",
    "urgency",
    "status",
)


@dataclass(frozen=True)
class Facts:
    """What the score of one deal is computed from."""

    phase: str
    close_date: date
    elements: dict  # code → MeddicElement (or anything with its ``ELEMENT_INPUTS`` attributes)
    weights: dict[str, int]
    last_champion_activity: date | None
    has_conflict: bool
    today: date
    zone: ZoneInfo
    # When the deal entered its current phase; read only for a deal that is not open (see ``freshness_day``).
    phase_since: datetime | None = None


@dataclass(frozen=True)
class Score:
    quality: int
    visibility: int
    forecast_category: str
    flags: tuple[str, ...]


def _round(value: float) -> int:
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def freshness(last_confirmed_at: datetime | None, today: date, zone: ZoneInfo) -> float:
    """1.0 when confirmed in the last 30 days, 0.7 up to 90 days, 0.4 older (or never)."""
    if last_confirmed_at is None:
        return 0.4
    age = (today - timezone.localtime(last_confirmed_at, zone).date()).days
    if age <= FRESH_DAYS:
        return 1.0
    return 0.7 if age <= STALE_DAYS else 0.4


def quality(elements: dict, weights: dict[str, int]) -> int:
    """Q = 100 · Σ w·level / (3 · Σ w)."""
    total = sum(weights[code] for code in CODES)
    if not total:
        return 0
    return _round(100 * sum(weights[c] * elements[c].level for c in CODES) / (3 * total))


def visibility(elements: dict, weights: dict[str, int], today: date, zone: ZoneInfo) -> int:
    """V = 100 · Σ w·e·f / Σ w, e by evidence (0, 0.4, 0.7, 1.0), f by freshness."""
    total = sum(weights[code] for code in CODES)
    if not total:
        return 0
    known = sum(
        weights[c]
        * EVIDENCE_FACTOR[elements[c].evidence]
        * freshness(elements[c].last_confirmed_at, today, zone)
        for c in CODES
    )
    return _round(100 * known / total)


def _at_least(phase: str, floor: str) -> bool:
    """An open phase at or past ``floor`` (closed and on-hold deals are never "past" an open phase)."""
    return phase in PHASE_RANK and PHASE_RANK[phase] >= PHASE_RANK[floor]


def _strong(element) -> bool:
    return element.level >= 2 and element.evidence in (Evidence.EVIDENCED, Evidence.VERIFIED)


def forecast_category(facts: Facts, q: int, v: int) -> str:
    e = facts.elements
    if facts.phase == Phase.WON:
        return ForecastCategory.CLOSED
    if facts.phase in (Phase.LOST, Phase.ON_HOLD):
        return ForecastCategory.OMITTED
    if facts.phase == Phase.INFORMAL_AWARD:
        return ForecastCategory.COMMIT
    process = e[ElementCode.DECISION_PROCESS]
    if (
        facts.phase == Phase.APPROVAL
        and _strong(e[ElementCode.ECONOMIC_BUYER])
        and _strong(e[ElementCode.CHAMPION])
        and process.final_approver_level != ApproverLevel.UNKNOWN
        and process.ringi_state in RINGI_DRAFTED_OR_LATER
    ):
        return ForecastCategory.COMMIT
    if _at_least(facts.phase, Phase.PROPOSAL) and q >= 60 and v >= 50:
        return ForecastCategory.BEST_CASE
    return ForecastCategory.PIPELINE


@dataclass(frozen=True)
class Flag:
    code: str
    element: str | None
    message: object


# Contract codes (DESIGN §5); each message names the missing fact and the next action.
FLAGS = {
    flag.code: flag
    for flag in (
        Flag(
            "metrics_undefined",
            ElementCode.METRICS,
            _(
                "Evaluation under way without agreed success metrics — agree 1–3 measurable criteria with the "
                "customer."
            ),
        ),
        Flag(
            "economic_buyer_no_access",
            ElementCode.ECONOMIC_BUYER,
            _(
                "Proposal without access to the economic buyer — find who owns the budget and arrange a meeting."
            ),
        ),
        Flag(
            "decision_criteria_unknown",
            ElementCode.DECISION_CRITERIA,
            _(
                "Decision criteria unknown or we are behind — learn how the customer compares offers and argue "
                "our strengths on those criteria."
            ),
        ),
        Flag(
            "decision_process_unknown",
            ElementCode.DECISION_PROCESS,
            _(
                "The approval (ringi) route is unclear — find out who approves and where the ringi stands "
                "before the close date."
            ),
        ),
        Flag(
            "pain_not_urgent",
            ElementCode.IDENTIFY_PAIN,
            _("No confirmed urgency — find out what happens if the customer does nothing, and by when."),
        ),
        Flag(
            "champion_missing",
            ElementCode.CHAMPION,
            _(
                "No champion inside the customer — find someone with influence who will sell for us internally."
            ),
        ),
        Flag(
            "champion_inactive",
            ElementCode.CHAMPION,
            _("The champion has done nothing for 30 days — ask them for a concrete next step and log it."),
        ),
        Flag(
            "registration_conflict",
            None,
            _(
                "Another partner registered the same customer — the channel manager decides which registration stands."
            ),
        ),
        Flag(
            "close_date_passed",
            None,
            _("The expected close date has passed — update the close date or the phase."),
        ),
    )
}


def flags(facts: Facts) -> tuple[str, ...]:
    """The risk flags of an open deal, in the order of ``FLAGS``; closed and on-hold deals carry none."""
    if facts.phase not in OPEN_PHASES:
        return ()
    e, phase = facts.elements, facts.phase
    metrics, buyer, criteria = (
        e[ElementCode.METRICS],
        e[ElementCode.ECONOMIC_BUYER],
        e[ElementCode.DECISION_CRITERIA],
    )
    process, pain, champion = (
        e[ElementCode.DECISION_PROCESS],
        e[ElementCode.IDENTIFY_PAIN],
        e[ElementCode.CHAMPION],
    )
    days_to_close = (facts.close_date - facts.today).days
    raised = {
        "metrics_undefined": _at_least(phase, Phase.EVALUATION) and metrics.level < 2,
        "economic_buyer_no_access": _at_least(phase, Phase.PROPOSAL)
        and (buyer.level == 0 or buyer.access == EBAccess.NONE),
        "decision_criteria_unknown": _at_least(phase, Phase.EVALUATION)
        and (criteria.level == 0 or criteria.position == "behind"),
        "decision_process_unknown": (
            _at_least(phase, Phase.PRE_APPROVAL)
            and (
                process.final_approver_level == ApproverLevel.UNKNOWN
                or process.ringi_state == RingiState.UNKNOWN
            )
        )
        or (days_to_close <= CLOSE_SOON_DAYS and process.level < 2),
        "pain_not_urgent": _at_least(phase, Phase.PROPOSAL)
        and (pain.level == 0 or pain.urgency in (Urgency.UNDECIDED, Urgency.UNKNOWN)),
        "champion_missing": _at_least(phase, Phase.PROPOSAL)
        and champion.status in (ChampionStatus.NONE, ChampionStatus.UNKNOWN, ChampionStatus.COACH_ONLY),
        "champion_inactive": champion.status in (ChampionStatus.VERIFIED, ChampionStatus.REPORTED)
        and (
            facts.last_champion_activity is None
            or (facts.today - facts.last_champion_activity).days > INACTIVE_DAYS
        ),
        "registration_conflict": facts.has_conflict,
        "close_date_passed": facts.close_date < facts.today,
    }
    return tuple(code for code in FLAGS if raised[code])


def freshness_day(facts: Facts) -> date:
    """The day element freshness is measured on: today for an open deal. A won, lost or on-hold deal keeps the
    qualification it had when it left the open phases: its freshness is measured on the day it entered its
    current phase, so its visibility does not decay afterwards (today only when that moment is unknown)."""
    if facts.phase in OPEN_PHASES or facts.phase_since is None:
        return facts.today
    return timezone.localtime(facts.phase_since, facts.zone).date()


def score(facts: Facts) -> Score:
    q = quality(facts.elements, facts.weights)
    v = visibility(facts.elements, facts.weights, freshness_day(facts), facts.zone)
    return Score(q, v, forecast_category(facts, q, v), flags(facts))
