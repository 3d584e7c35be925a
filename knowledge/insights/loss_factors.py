"""Loss factors (DESIGN §6): how the win rate differs by what was known when the proposal went out.

Factors, each read from the answers as of entering proposal (``knowledge.insights.as_of``):

- ``champion_status``: the champion element's status (verified · reported · coach_only · none · unknown);
- ``economic_buyer_access``: vendor_met · via_partner · none · unknown, where ``unknown`` means the element was
  never answered (level 0, evidence unknown, access still at its default ``none``) and ``none`` that the
  partner knows of the buyer or said so, but nobody has met them;
- ``<element>_evidence`` for each of the six elements: verified · evidenced · reported · unknown.

Unknown and reported-only stay separate groups. Per group: n, won, lost, win rate with its Wilson 95% interval,
and ``enough_data`` (at least ``MIN_GROUP`` deals). Each factor has a **reference** group: its strongest value
with enough data (the strongest with any deals when none has enough). Comparisons set the reference (``a``)
against every other group (``b``), and first against every weaker group pooled (``b = "below_<reference>"``,
when more than one weaker group has deals; with the strongest value as reference that is "all the others"):
the difference of win rates with Newcombe's interval, the lift ``rate a / rate b`` and Fisher's exact p.
Stronger groups too small to be the reference are compared one by one but never pooled with weaker ones, so the
pooled rate never mixes better and worse evidence.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from knowledge import stats
from knowledge.insights.as_of import ClosedDeal
from meddic.models import BuyerAccess, ChampionStatus, ElementCode, Evidence, Level

MIN_GROUP = 10
POOLED_PREFIX = "below_"

ACCESS_UNKNOWN = "unknown"


@dataclass(frozen=True)
class Factor:
    code: str
    label: str | Promise
    # (value, label), strongest first: the first with enough data is the reference.
    values: tuple[tuple[str, str | Promise], ...]
    read: Callable[[dict[str, dict]], str]

    def __reduce__(self):
        # Stored analyses name their factor; how it reads the answers is this module's (a closure).
        return factor_named, (self.code,)


def factor_named(code: str) -> "Factor":
    return FACTOR_BY_CODE[code]


def _champion(answers: dict[str, dict]) -> str:
    return answers[ElementCode.CHAMPION]["status"]


def _access(answers: dict[str, dict]) -> str:
    buyer = answers[ElementCode.ECONOMIC_BUYER]
    untouched = buyer["level"] == Level.UNKNOWN and buyer["evidence"] == Evidence.UNKNOWN
    if buyer["access"] == BuyerAccess.NONE and untouched:
        return ACCESS_UNKNOWN
    return buyer["access"]


def _evidence_of(code: str) -> Callable[[dict[str, dict]], str]:
    return lambda answers: answers[code]["evidence"]


ACCESS_VALUES = (
    (BuyerAccess.VENDOR_MET.value, BuyerAccess.VENDOR_MET.label),
    (BuyerAccess.VIA_PARTNER.value, BuyerAccess.VIA_PARTNER.label),
    (BuyerAccess.NONE.value, BuyerAccess.NONE.label),
    (ACCESS_UNKNOWN, _("Not answered")),
)
EVIDENCE_VALUES = tuple(reversed(Evidence.choices))  # verified, evidenced, reported, unknown

FACTORS: tuple[Factor, ...] = (
    Factor("champion_status", _("Champion status"), tuple(ChampionStatus.choices), _champion),
    Factor("economic_buyer_access", _("Access to the economic buyer"), ACCESS_VALUES, _access),
    *(
        Factor(
            f"{code}_evidence",
            format_lazy(_("{element} evidence"), element=label),
            EVIDENCE_VALUES,
            _evidence_of(code),
        )
        for code, label in ElementCode.choices
    ),
)
FACTOR_BY_CODE = {factor.code: factor for factor in FACTORS}


@dataclass(frozen=True)
class Group:
    value: str
    label: str | Promise
    won: int
    lost: int
    ci_low: float | None = None
    ci_high: float | None = None

    @property
    def n(self) -> int:
        return self.won + self.lost

    @property
    def win_rate(self) -> float | None:
        return stats.rate(self.won, self.n)

    @property
    def enough_data(self) -> bool:
        return self.n >= MIN_GROUP


def group(value: str, label, won: int, lost: int) -> Group:
    low, high = stats.wilson_interval(won, won + lost)
    return Group(value, label, won, lost, low, high)


@dataclass(frozen=True)
class Comparison:
    a: Group
    b: Group
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    lift: float | None
    fisher_p: float | None

    @property
    def pooled(self) -> bool:
        return self.b.value.startswith(POOLED_PREFIX)

    @property
    def enough_data(self) -> bool:
        return self.a.enough_data and self.b.enough_data


def compare(a: Group, b: Group) -> Comparison:
    difference, low, high = stats.difference_interval(a.won, a.n, b.won, b.n)
    return Comparison(
        a=a,
        b=b,
        difference=difference,
        ci_low=low,
        ci_high=high,
        lift=stats.lift(a.won, a.n, b.won, b.n),
        fisher_p=stats.fisher_p(a.won, a.lost, b.won, b.lost),
    )


@dataclass
class FactorResult:
    factor: Factor
    groups: list[Group]
    reference: Group | None
    comparisons: list[Comparison] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.factor.code

    @property
    def label(self):
        return self.factor.label

    @property
    def headline(self) -> Comparison | None:
        """The reference against the weaker groups: pooled, or the one weaker group, or the only comparison."""
        pooled = next((c for c in self.comparisons if c.pooled), None)
        if pooled:
            return pooled
        weaker = [c for c in self.comparisons if self.is_weaker(c.b)]
        return weaker[0] if weaker else next(iter(self.comparisons), None)

    def is_weaker(self, other: Group) -> bool:
        return self.groups.index(other) > self.groups.index(self.reference) if other in self.groups else True

    @property
    def reference_is_top(self) -> bool:
        """No stronger group has deals: the pooled weaker groups are all the others."""
        return (
            all(not g.n for g in self.groups[: self.groups.index(self.reference)])
            if self.reference
            else False
        )

    def comparison_for(self, value: str) -> Comparison | None:
        return next((c for c in self.comparisons if c.b.value == value), None)


def reference_of(groups: list[Group]) -> Group | None:
    """The strongest group with enough data, else the strongest with any deal."""
    return next((g for g in groups if g.enough_data), None) or next((g for g in groups if g.n), None)


def factor_result(factor: Factor, deals: list[ClosedDeal]) -> FactorResult:
    counts = {value: [0, 0] for value, _label in factor.values}
    for deal in deals:
        value = factor.read(deal.at_proposal)
        counts.setdefault(value, [0, 0])[0 if deal.won else 1] += 1
    labels = dict(factor.values)
    groups = [group(value, labels.get(value, value), won, lost) for value, (won, lost) in counts.items()]
    reference = reference_of(groups)
    result = FactorResult(factor=factor, groups=groups, reference=reference)
    if reference is None:
        return result
    others = [g for g in groups if g is not reference and g.n]
    weaker = [g for g in groups[groups.index(reference) + 1 :] if g.n]
    if len(weaker) > 1:
        won, lost = sum(g.won for g in weaker), sum(g.lost for g in weaker)
        label = _("All others") if len(weaker) == len(others) else _("All weaker")
        result.comparisons.append(
            compare(reference, group(f"{POOLED_PREFIX}{reference.value}", label, won, lost))
        )
    result.comparisons += [compare(reference, other) for other in others]
    return result


def loss_factor_results(deals: list[ClosedDeal]) -> list[FactorResult]:
    """Every factor over the deals that reached proposal (the others have no state as of proposal)."""
    reached = [deal for deal in deals if deal.reached_proposal]
    return [factor_result(factor, reached) for factor in FACTORS]
