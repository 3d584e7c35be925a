"""The benchmark a partner's own users compare their company with (DESIGN §17).

It is the average of the *other* partners of the company's tier that have data in the period, and it is shown
only when there are at least ``BENCHMARK_MIN_PARTNERS`` of them. A tier total (or an average that includes the
company itself) would let a partner subtract its own figures and read another partner's; an average over one or
two others would be their figures outright.
"""

from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import CharField
from django.db.models.functions import Cast

from knowledge.lines import group_rows
from knowledge.models import GroupType, KpiSnapshot
from partners.models import PartnerCompany

RATE, CENTS = Decimal("0.000001"), Decimal("0.01")


@dataclass(frozen=True)
class PeerBenchmark:
    """The other partners' combined row of one period (None when hidden) and how many partners it covers."""

    row: KpiSnapshot | None
    partners: int

    @property
    def hidden(self) -> bool:
        return self.row is None


def has_data(row: KpiSnapshot) -> bool:
    return bool(row.proposals or row.won or row.lost)


def rows_combined(rows: list[KpiSnapshot], *, tier: str) -> KpiSnapshot:
    """One unsaved row with the sums of ``rows`` and the ratios of those sums (win rate over all their closed
    deals, unit price over all their won deals), as the nightly job computes a group's row."""
    proposals = sum(row.proposals for row in rows)
    won, lost = sum(row.won for row in rows), sum(row.lost for row in rows)
    won_amount = sum(row.won_amount for row in rows)
    decided = won + lost
    status = Counter()
    for row in rows:
        status.update(row.status_distribution or {})
    qualities = [row.avg_quality for row in rows if row.avg_quality is not None]
    visibilities = [row.avg_visibility for row in rows if row.avg_visibility is not None]
    first = rows[0]
    return KpiSnapshot(
        vendor_id=first.vendor_id,
        group_type=GroupType.TIER,
        group_key=tier,
        granularity=first.granularity,
        period=first.period,
        snapshot_date=max(row.snapshot_date for row in rows),
        proposals=proposals,
        won=won,
        lost=lost,
        win_rate=_round(Decimal(won) / decided, RATE) if decided else None,
        avg_unit_price=_round(Decimal(won_amount) / won, CENTS) if won else None,
        expected_value=_round(Decimal(proposals) * won_amount / decided, CENTS) if won else None,
        won_amount=won_amount,
        status_distribution=dict(status),
        open_pipeline_amount=sum(row.open_pipeline_amount for row in rows),
        avg_quality=_round(sum(qualities) / len(qualities), CENTS) if qualities else None,
        avg_visibility=_round(sum(visibilities) / len(visibilities), CENTS) if visibilities else None,
        computed_at=max(row.computed_at for row in rows),
    )


def peer_benchmarks(
    vendor, partner: PartnerCompany, granularity: str, periods: list[str]
) -> dict[str, PeerBenchmark]:
    """For each period key, the benchmark of ``partner``'s tier without ``partner`` (one query)."""
    others = (
        PartnerCompany.objects.filter(vendor=vendor, tier=partner.tier)
        .exclude(pk=partner.pk)
        .annotate(key=Cast("pk", CharField()))
        .values("key")
    )
    with_data: dict[str, list[KpiSnapshot]] = {key: [] for key in periods}
    for row in group_rows(vendor, granularity, periods, GroupType.PARTNER, keys=others):
        if has_data(row):
            with_data[row.period].append(row)
    minimum = settings.BENCHMARK_MIN_PARTNERS
    return {
        key: PeerBenchmark(
            rows_combined(rows, tier=partner.tier) if len(rows) >= minimum else None, len(rows)
        )
        for key, rows in with_data.items()
    }


def _round(value: Decimal, step: Decimal) -> Decimal:
    return Decimal(value).quantize(step, rounding=ROUND_HALF_UP)
