"""Each closed deal's MEDDIC answers as they stood when it entered the proposal phase, and when it closed.

Why: what partners type after a deal is won or lost (a champion "verified" once the order is in) must not
explain the outcome. The answers are rebuilt from facts recorded at the time:

- **Entering proposal** = the first phase change into ``proposal`` or a later open phase (``pre_approval``,
  ``approval``, ``informal_award``; a deal may skip the proposal step). A deal that closed without such a
  change never reached proposal and has no state "as of proposal".
- **Closing** = the last phase change into ``won`` or ``lost`` (the deal's ``closed_at`` if there is none).
- **Answers at a moment** = the elements' values at creation (every element starts with the model's defaults,
  as ``meddic.services.elements_create`` makes them), with every element change of the audit trail
  (``element.update`` and ``element.verify``, keyed ``"<element>.<field>": [before, after]``) recorded up to
  and including that moment applied in order.
- A deal **registered already at proposal or later**: its answers given with the registration are stored just
  after the deal's first phase row, in the same request. Changes recorded up to ``CREATION_GRACE`` after it
  count as part of the registration.

Two queries whatever the number of deals: the deals with their two moments (correlated subqueries on the
phase history), then their element changes in time order.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from audit.models import AuditEntry
from deals.models import CLOSED_PHASES, Deal, Phase, PhaseChange
from meddic.models import ElementCode, MeddicElement

PROPOSAL_OR_LATER = (Phase.PROPOSAL, Phase.PRE_APPROVAL, Phase.APPROVAL, Phase.INFORMAL_AWARD)
CREATION_GRACE = timedelta(seconds=10)

# Every element's answers at creation (the model defaults, as plain values), keyed by field.
_DEFAULTS = {
    code: {
        name: value.value if isinstance(value, Enum) else value
        for name, value in MeddicElement(code=code).as_dict().items()
    }
    for code in ElementCode.values
}


def initial_answers() -> dict[str, dict]:
    return {code: dict(answers) for code, answers in _DEFAULTS.items()}


@dataclass
class ClosedDeal:
    pk: int
    partner_id: int
    won: bool
    amount: int
    close_date: date
    loss_type: str
    industry: str
    proposal_at: datetime | None
    closed_at: datetime | None
    # {element: {field: value}}; ``at_proposal`` is None for a deal that never reached proposal.
    at_proposal: dict[str, dict] | None
    at_close: dict[str, dict]

    @property
    def reached_proposal(self) -> bool:
        return self.proposal_at is not None

    def days_from_proposal(self, zone: ZoneInfo) -> int | None:
        """Calendar days from entering proposal (the vendor's date) to the close date; never negative."""
        if self.proposal_at is None:
            return None
        return max(0, (self.close_date - timezone.localtime(self.proposal_at, zone).date()).days)


def _first_phase_change(phases, *, first: bool):
    changes = PhaseChange.objects.filter(deal=OuterRef("pk"), to_phase__in=phases)
    return changes.order_by("changed_at", "pk") if first else changes.order_by("-changed_at", "-pk")


def _apply(answers: dict[str, dict], changes: dict) -> None:
    for key, values in changes.items():
        code, _sep, name = key.partition(".")
        if code in answers and name in answers[code] and isinstance(values, list) and len(values) == 2:
            answers[code][name] = values[1]


def closed_deals_as_of(deals: QuerySet[Deal]) -> list[ClosedDeal]:
    """The closed ``deals`` with their answers as of entering proposal and as of closing (see the module)."""
    entered = _first_phase_change(PROPOSAL_OR_LATER, first=True)
    closing = _first_phase_change(CLOSED_PHASES, first=False)
    rows = (
        deals.filter(phase__in=CLOSED_PHASES)
        .annotate(
            proposal_moment=Subquery(entered.values("changed_at")[:1]),
            proposal_from=Subquery(entered.values("from_phase")[:1]),
            close_moment=Subquery(closing.values("changed_at")[:1]),
        )
        .order_by("pk")
        .values_list(
            "pk",
            "partner_id",
            "phase",
            "amount",
            "close_date",
            "loss_type",
            "customer_industry",
            "proposal_moment",
            "proposal_from",
            "close_moment",
            "closed_at",
        )
    )
    result: dict[int, ClosedDeal] = {}
    cutoffs: dict[int, tuple[datetime | None, datetime | None]] = {}
    for pk, partner_id, phase, amount, close_date, loss_type, industry, at, from_phase, closed, stamp in rows:
        # Registered at proposal or later: the answers typed with the registration belong to that moment.
        cut = at + CREATION_GRACE if at is not None and from_phase == "" else at
        close_cut = closed or stamp
        result[pk] = ClosedDeal(
            pk=pk,
            partner_id=partner_id,
            won=phase == Phase.WON,
            amount=amount,
            close_date=close_date,
            loss_type=loss_type,
            industry=industry,
            proposal_at=at,
            closed_at=close_cut,
            at_proposal=initial_answers() if at is not None else None,
            at_close=initial_answers(),
        )
        cutoffs[pk] = (cut, close_cut)
    if not result:
        return []
    entries = (
        AuditEntry.objects.filter(subject_type="meddicelement", deal_id__in=deals.values("pk"))
        .order_by("at", "pk")
        .values_list("deal_id", "at", "changes")
    )
    for deal_id, at, changes in entries.iterator(chunk_size=2000):
        deal = result.get(deal_id)
        if deal is None or not changes:
            continue
        proposal_cut, close_cut = cutoffs[deal_id]
        if close_cut is None or at <= close_cut:
            _apply(deal.at_close, changes)
        if proposal_cut is not None and at <= proposal_cut:
            _apply(deal.at_proposal, changes)
    return list(result.values())
