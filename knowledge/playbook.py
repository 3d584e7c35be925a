"""The high-performer playbook (DESIGN §6): which vendor support the best partners' deals got before their
ringi groundwork, against everyone else's, and what each partner could be given next.

Rules (shown on the page):

- **Window**: the last four complete fiscal quarters before today's.
- **High performers**: partners with at least ``MIN_CLOSED`` deals won or lost in the window, ranked by won
  amount in the window; the top quarter of them (rounded up, at least one), plus any partner tied with the last
  one, and only partners that won something.
- **Deals compared**: deals won or lost in the window. A deal *received* a kind of support when, on or before its
  **cut-off** (the day it first entered ``pre_approval``, or its close date if it never did), the vendor logged
  that support for the deal itself, or for its partner without naming a deal within ``PARTNER_SUPPORT_DAYS``
  days before the cut-off.
- **Comparison** per kind: share of high performers' deals that received it against the rest, each with a Wilson
  95% interval; the difference with Newcombe's interval, lift and Fisher's exact p; under ``MIN_GROUP`` deals in a
  group there is not enough data. Support follows promising deals, so a gap is a pattern, not proof of effect.
- **Next support** for a partner that is not a high performer: the kinds with the largest gap between the high
  performers' share and the partner's own (over its deals of the window, open ones cut off today), among kinds
  that high performers received more often than the rest.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, Sum
from django.utils import timezone

from deals.models import Deal, Phase, PhaseChange, RegistrationStatus
from knowledge import stats
from knowledge.display import period_label
from knowledge.models import SupportActivity, SupportType
from knowledge.periods import QUARTER, last_periods, period_from_key
from partners.models import PartnerCompany, Vendor
from prm.clock import vendor_today

MIN_CLOSED = 5
MIN_GROUP = 10
PARTNER_SUPPORT_DAYS = 180
RECOMMENDATIONS = 3
CLOSED = (Phase.WON, Phase.LOST)


@dataclass(frozen=True)
class Window:
    start: date  # first day
    end: date  # the day after the last
    quarters: tuple[str, ...]
    fiscal_year_start_month: int = 4

    @property
    def label(self) -> str:
        """ "FY2025 Q3 – FY2026 Q2", as the other insight and KPI pages name periods."""
        first, last = (
            period_from_key(key, self.fiscal_year_start_month)
            for key in (self.quarters[0], self.quarters[-1])
        )
        return f"{period_label(first)} – {period_label(last)}"


@dataclass
class Performer:
    partner_id: int
    name: str
    won_amount: int
    closed: int
    high: bool = False


@dataclass
class Share:
    n: int
    received: int
    share: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass
class SupportComparison:
    support_type: str
    high: Share
    rest: Share
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    lift: float | None
    fisher_p: float | None
    enough_data: bool


@dataclass
class Recommendation:
    partner_id: int
    name: str
    deals: int
    next: list[tuple[str, float]] = field(default_factory=list)  # (support type, gap in share)


@dataclass
class Playbook:
    window: Window
    performers: list[Performer]
    comparisons: list[SupportComparison]
    recommendations: list[Recommendation]

    @property
    def high_performers(self) -> list[Performer]:
        return [p for p in self.performers if p.high]


def playbook_window(vendor: Vendor, today: date | None = None) -> Window:
    today = today or vendor_today(vendor)
    quarters = last_periods(today, QUARTER, 5, vendor.fiscal_year_start_month)[:-1]
    return Window(
        quarters[0].start, quarters[-1].end, tuple(q.key for q in quarters), vendor.fiscal_year_start_month
    )


def high_performers(rows: list[Performer]) -> list[Performer]:
    """Mark the top quarter (ties included) of the partners with enough closed deals; returns ``rows``."""
    eligible = sorted(
        (row for row in rows if row.closed >= MIN_CLOSED and row.won_amount > 0),
        key=lambda row: row.won_amount,
        reverse=True,
    )
    if eligible:
        threshold = eligible[math.ceil(len(eligible) / 4) - 1].won_amount
        for row in eligible:
            row.high = row.won_amount >= threshold
    return rows


def playbook_build(*, vendor: Vendor, today: date | None = None, partner_ids=None) -> Playbook:
    """The whole playbook of a vendor (inside its scope); ``partner_ids`` limits the recommendations shown."""
    today = today or vendor_today(vendor)
    window = playbook_window(vendor, today)
    performers = high_performers(_performers(vendor, window))
    high_ids = {p.partner_id for p in performers if p.high}
    deals = list(
        Deal.objects.filter(vendor=vendor)
        .exclude(registration_status=RegistrationStatus.DRAFT)
        .filter(
            Q(phase__in=CLOSED, close_date__gte=window.start, close_date__lt=window.end)
            | Q(registered_at__gte=datetime.combine(window.start, time.min, ZoneInfo(vendor.time_zone)))
        )
        .values("pk", "partner_id", "phase", "close_date")
    )
    cutoffs = _cutoffs(vendor, deals, today)
    received = _received(vendor, deals, cutoffs)
    closed = [d for d in deals if d["phase"] in CLOSED and window.start <= d["close_date"] < window.end]
    comparisons = [_compare(kind, closed, received, high_ids) for kind in SupportType.values]
    favoured = {c.support_type: c.high.share for c in comparisons if (c.difference or 0) > 0}
    recommendations = _recommend(performers, deals, received, favoured, partner_ids)
    return Playbook(window, performers, comparisons, recommendations)


def _performers(vendor: Vendor, window: Window) -> list[Performer]:
    totals = {
        row["partner_id"]: row
        for row in Deal.objects.filter(
            vendor=vendor, phase__in=CLOSED, close_date__gte=window.start, close_date__lt=window.end
        )
        .exclude(registration_status=RegistrationStatus.DRAFT)
        .values("partner_id")
        .annotate(won_amount=Sum("amount", filter=Q(phase=Phase.WON)), closed=Count("pk"))
        .order_by()
    }
    partners = PartnerCompany.objects.filter(vendor=vendor).order_by("name", "pk").values_list("pk", "name")
    return [
        Performer(
            pk,
            name,
            int(totals.get(pk, {}).get("won_amount") or 0),
            int(totals.get(pk, {}).get("closed") or 0),
        )
        for pk, name in partners
    ]


def _cutoffs(vendor: Vendor, deals: list[dict], today: date) -> dict[int, date]:
    """Each deal's cut-off: the local day it first entered ``pre_approval``, else its close date, else today."""
    zone = ZoneInfo(vendor.time_zone)
    entered: dict[int, date] = {}
    changes = (
        PhaseChange.objects.filter(
            vendor=vendor, to_phase=Phase.PRE_APPROVAL, deal_id__in=[d["pk"] for d in deals]
        )
        .order_by("deal_id", "changed_at")
        .values_list("deal_id", "changed_at")
    )
    for deal_id, changed_at in changes:
        entered.setdefault(deal_id, timezone.localtime(changed_at, zone).date())
    return {
        d["pk"]: entered.get(d["pk"]) or (d["close_date"] if d["phase"] in CLOSED else today) for d in deals
    }


def _received(vendor: Vendor, deals: list[dict], cutoffs: dict[int, date]) -> dict[int, set[str]]:
    """Support kinds each deal received by its cut-off (deal-level, or partner-level shortly before)."""
    if not deals:
        return {}
    earliest = min(cutoffs.values()) - timedelta(days=PARTNER_SUPPORT_DAYS)
    by_deal: dict[int, list[tuple[date, str]]] = defaultdict(list)
    by_partner: dict[int, list[tuple[date, str]]] = defaultdict(list)
    activities = SupportActivity.objects.filter(vendor=vendor, date__gte=earliest).values_list(
        "deal_id", "partner_id", "date", "support_type"
    )
    for deal_id, partner_id, day, kind in activities:
        (by_deal[deal_id] if deal_id else by_partner[partner_id]).append((day, kind))
    received = {}
    for deal in deals:
        cutoff = cutoffs[deal["pk"]]
        start = cutoff - timedelta(days=PARTNER_SUPPORT_DAYS)
        kinds = {kind for day, kind in by_deal.get(deal["pk"], ()) if day <= cutoff}
        kinds |= {kind for day, kind in by_partner.get(deal["partner_id"], ()) if start <= day <= cutoff}
        received[deal["pk"]] = kinds
    return received


def _share(deals: list[dict], received: dict[int, set[str]], kind: str) -> Share:
    n = len(deals)
    got = sum(1 for d in deals if kind in received[d["pk"]])
    low, high = stats.wilson_interval(got, n)
    return Share(n, got, stats.rate(got, n), low, high)


def _compare(kind: str, closed: list[dict], received, high_ids: set[int]) -> SupportComparison:
    high_deals = [d for d in closed if d["partner_id"] in high_ids]
    rest_deals = [d for d in closed if d["partner_id"] not in high_ids]
    high, rest = _share(high_deals, received, kind), _share(rest_deals, received, kind)
    difference, low, upper = stats.difference_interval(high.received, high.n, rest.received, rest.n)
    return SupportComparison(
        support_type=kind,
        high=high,
        rest=rest,
        difference=difference,
        ci_low=low,
        ci_high=upper,
        lift=stats.lift(high.received, high.n, rest.received, rest.n),
        fisher_p=stats.fisher_p(high.received, high.n - high.received, rest.received, rest.n - rest.received),
        enough_data=high.n >= MIN_GROUP and rest.n >= MIN_GROUP,
    )


def _recommend(performers, deals, received, favoured: dict[str, float], partner_ids) -> list[Recommendation]:
    by_partner: dict[int, list[dict]] = defaultdict(list)
    for deal in deals:
        by_partner[deal["partner_id"]].append(deal)
    wanted = None if partner_ids is None else set(partner_ids)
    recommendations = []
    for performer in performers:
        if performer.high or (wanted is not None and performer.partner_id not in wanted):
            continue
        own = by_partner.get(performer.partner_id, [])
        gaps = []
        for kind, target in favoured.items():
            share = _share(own, received, kind).share if own else 0.0
            if target is not None and target - (share or 0.0) > 0:
                gaps.append((kind, target - (share or 0.0)))
        gaps.sort(key=lambda item: (-item[1], SupportType.values.index(item[0])))
        recommendations.append(
            Recommendation(performer.partner_id, performer.name, len(own), gaps[:RECOMMENDATIONS])
        )
    return recommendations
