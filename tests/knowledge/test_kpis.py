"""KPI rows on hand-built deal sets (DESIGN §6 definitions), snapshots and their idempotency."""

from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import count, pairwise

import pytest
from django.forms.models import model_to_dict
from django_scopes import scopes_disabled

from deals.models import Deal
from knowledge.kpis import kpi_rows, kpis_recompute
from knowledge.models import KpiSnapshot
from knowledge.periods import period_from_key
from meddic.models import DealScore
from meddic.services import scores_refresh
from partners.models import PartnerCompany, Tier, Vendor
from prm.tenancy import vendor_scope
from tests.conftest import add_member, make_superuser, make_user
from tests.deals.conftest import register

_numbers = count(1)
IN_Q1 = datetime(2026, 4, 10, 3, 0, tzinfo=UTC)  # FY2026-Q1, month 2026-04
IN_Q4 = datetime(2026, 2, 10, 3, 0, tzinfo=UTC)  # FY2025-Q4


def make_deal(world, user, *, vendor=None, submit=True, **fields):
    """A deal registered by ``user``, then set to exactly ``fields`` (phase, dates, amount)."""
    deal = register(world, user, vendor, submit=submit, customer_name=f"顧客{next(_numbers)}")
    with scopes_disabled():
        Deal.objects.filter(pk=deal.pk).update(**fields)
    return deal


def rows_by(world, group_type, keys, vendor=None):
    periods = [period_from_key(key) for key in keys]
    with vendor_scope(vendor or world.acme):
        rows = kpi_rows(vendor=vendor or world.acme, periods=periods, group_type=group_type)
    return {(row["group_key"], row["period"]): row for row in rows}


@pytest.fixture
def deals(world):
    """Alpha (gold, with channel manager): a mix. Beta (silver, no manager): open and lost only."""
    rep, beta = world.partner_rep, world.beta_rep
    made = {
        # Closed on the last day of FY2025 and on the first of FY2026.
        "won_march": make_deal(
            world, rep, phase="won", amount=100, close_date=date(2026, 3, 31), registered_at=IN_Q4
        ),
        "won_april": make_deal(
            world, rep, phase="won", amount=300, close_date=date(2026, 4, 1), registered_at=IN_Q4
        ),
        "won_may": make_deal(
            world, rep, phase="won", amount=500, close_date=date(2026, 5, 20), registered_at=IN_Q1
        ),
        "lost_june": make_deal(
            world, rep, phase="lost", amount=700, close_date=date(2026, 6, 30), registered_at=IN_Q1
        ),
        # 2026-03-31T15:30Z is 00:30 on 1 April in Tokyo: registered in FY2026-Q1; 14:59Z is still March.
        "open_tokyo": make_deal(
            world,
            rep,
            phase="proposal",
            amount=1_000,
            close_date=date(2026, 9, 1),
            registered_at=datetime(2026, 3, 31, 15, 30, tzinfo=UTC),
        ),
        "open_march": make_deal(
            world,
            rep,
            phase="evaluation",
            amount=2_000,
            close_date=date(2026, 9, 1),
            registered_at=datetime(2026, 3, 31, 14, 59, tzinfo=UTC),
        ),
        "beta_open": make_deal(
            world, beta, phase="evaluation", amount=40, close_date=date(2026, 8, 1), registered_at=IN_Q1
        ),
        "beta_lost_1": make_deal(
            world, beta, phase="lost", amount=50, close_date=date(2026, 5, 1), registered_at=IN_Q1
        ),
        "beta_lost_2": make_deal(
            world, beta, phase="lost", amount=60, close_date=date(2026, 6, 1), registered_at=IN_Q4
        ),
        # Never counted: a draft of Alpha and a deal of the other vendor, both inside FY2026-Q1.
        "draft": make_deal(
            world,
            rep,
            submit=False,
            phase="won",
            amount=9_999,
            close_date=date(2026, 4, 2),
            registered_at=IN_Q1,
        ),
        "rival": make_deal(
            world,
            world.rival_rep,
            vendor=world.rival,
            phase="won",
            amount=8_888,
            close_date=date(2026, 4, 2),
            registered_at=IN_Q1,
        ),
    }
    with vendor_scope(world.acme):
        scores_refresh(vendor=world.acme)
    return made


def test_fiscal_boundaries_in_tokyo_time(world, deals):
    rows = rows_by(world, "partner", ["FY2025-Q4", "FY2026-Q1", "2026-03", "2026-04", "FY2025", "FY2026"])
    alpha = str(world.alpha.pk)
    q4, q1 = rows[alpha, "FY2025-Q4"], rows[alpha, "FY2026-Q1"]
    assert (q4["won"], q4["won_amount"]) == (1, 100)  # closed 2026-03-31
    assert (q1["won"], q1["won_amount"], q1["lost"]) == (2, 800, 1)  # closed 2026-04-01 and 2026-05-20
    # Registered: won_march, won_april, open_march in FY2025-Q4; won_may, lost_june, open_tokyo in FY2026-Q1.
    assert q4["proposals"] == 3
    assert q1["proposals"] == 3
    assert rows[alpha, "2026-03"]["proposals"] == 1  # open_march (the others in February)
    assert rows[alpha, "2026-04"]["proposals"] == 3  # open_tokyo, won_may and lost_june
    assert rows[alpha, "FY2025"]["won"] == 1
    assert rows[alpha, "FY2026"]["won"] == 2


def test_contract_values_of_a_partner(world, deals):
    row = rows_by(world, "partner", ["FY2026-Q1"])[str(world.alpha.pk), "FY2026-Q1"]
    assert row["win_rate"] == Decimal("0.666667")
    assert row["avg_unit_price"] == Decimal("400.00")
    # proposals × win_rate × avg_unit_price = 3 × 2/3 × 400
    assert row["expected_value"] == Decimal("800.00")
    assert row["status_distribution"] == {"proposal": 1, "won": 1, "lost": 1}
    assert row["open_pipeline_amount"] == 1_000
    with scopes_disabled():
        score = DealScore.objects.get(deal=deals["open_tokyo"])
    assert row["avg_quality"] == Decimal(score.quality)
    assert row["avg_visibility"] == Decimal(score.visibility)
    assert row["group_name"] == "Alpha Systems"


def test_only_losses_and_no_closed_deals(world, deals):
    rows = rows_by(world, "partner", ["FY2026-Q1", "2026-04"])
    beta = str(world.beta.pk)
    losses = rows[beta, "FY2026-Q1"]
    assert (losses["won"], losses["lost"], losses["proposals"]) == (0, 2, 2)
    assert losses["win_rate"] == Decimal(0)
    assert losses["avg_unit_price"] is None
    assert losses["expected_value"] is None
    assert losses["won_amount"] == 0
    assert losses["status_distribution"] == {"evaluation": 1, "lost": 1}
    assert losses["open_pipeline_amount"] == 40
    april = rows[beta, "2026-04"]  # registered beta_open and beta_lost_1, nothing closed in April
    assert (april["proposals"], april["won"], april["lost"]) == (2, 0, 0)
    assert april["win_rate"] is None
    assert april["avg_unit_price"] is None
    assert april["expected_value"] is None


def test_a_partner_without_deals_has_a_zero_row(world, deals):
    with scopes_disabled():
        delta = PartnerCompany.objects.create(vendor=world.acme, name="Delta", tier=Tier.GOLD)
    row = rows_by(world, "partner", ["FY2026-Q1"])[str(delta.pk), "FY2026-Q1"]
    assert (row["proposals"], row["won"], row["lost"], row["won_amount"], row["open_pipeline_amount"]) == (
        0,
        0,
        0,
        0,
        0,
    )
    assert row["win_rate"] is row["avg_unit_price"] is row["expected_value"] is None
    assert row["avg_quality"] is row["avg_visibility"] is None
    assert row["status_distribution"] == {}


def test_drafts_and_other_vendors_never_count(world, deals):
    vendor = rows_by(world, "vendor", ["FY2026-Q1"])["", "FY2026-Q1"]
    assert vendor["won_amount"] == 800
    assert vendor["proposals"] == 5
    rival = rows_by(world, "vendor", ["FY2026-Q1"], vendor=world.rival)["", "FY2026-Q1"]
    assert (rival["won"], rival["won_amount"], rival["proposals"]) == (1, 8_888, 1)
    assert set(rows_by(world, "partner", ["FY2026-Q1"], vendor=world.rival)) == {
        (str(world.gamma.pk), "FY2026-Q1")
    }


def test_every_group_type(world, deals):
    vendor = rows_by(world, "vendor", ["FY2026-Q1"])
    assert list(vendor) == [("", "FY2026-Q1")]
    row = vendor["", "FY2026-Q1"]
    assert (row["won"], row["lost"], row["proposals"]) == (2, 3, 5)
    assert row["win_rate"] == Decimal("0.4")
    assert row["expected_value"] == Decimal("5") * 800 / 5  # 5 × 0.4 × 400
    assert row["status_distribution"] == {"evaluation": 1, "proposal": 1, "won": 1, "lost": 2}
    assert row["group_name"] == "Acme Software"

    tiers = rows_by(world, "tier", ["FY2026-Q1"])
    assert list(tiers) == [("gold", "FY2026-Q1"), ("silver", "FY2026-Q1")]
    assert tiers["gold", "FY2026-Q1"]["won"] == 2
    assert tiers["silver", "FY2026-Q1"]["lost"] == 2
    assert tiers["gold", "FY2026-Q1"]["group_name"] == "Gold"

    managers = rows_by(world, "channel_manager", ["FY2026-Q1"])
    cm = str(world.channel_manager.pk)
    assert list(managers) == [(cm, "FY2026-Q1"), ("", "FY2026-Q1")]
    assert managers[cm, "FY2026-Q1"]["group_name"] == "Chika Manager"
    assert managers[cm, "FY2026-Q1"]["won_amount"] == 800
    assert managers["", "FY2026-Q1"]["group_name"] == "Unassigned"
    assert managers["", "FY2026-Q1"]["lost"] == 2


def test_unknown_group_type_is_refused(world):
    with vendor_scope(world.acme), pytest.raises(ValueError, match="group type"):
        kpi_rows(vendor=world.acme, periods=[], group_type="region")


KEYS = ["2026-04", "2026-05", "2026-06", "FY2026-Q1", "FY2025-Q4", "FY2026"]
ADDITIVE = ("proposals", "won", "lost", "won_amount", "open_pipeline_amount")


def test_groups_and_periods_add_up(world, deals):
    """Tiers, channel managers and the vendor are sums of their partners; a quarter is the sum of its months."""
    partners = rows_by(world, "partner", KEYS)
    alpha, beta = str(world.alpha.pk), str(world.beta.pk)
    for other, members in (
        (rows_by(world, "vendor", KEYS), {"": [alpha, beta]}),
        (rows_by(world, "tier", KEYS), {"gold": [alpha], "silver": [beta]}),
        (rows_by(world, "channel_manager", KEYS), {str(world.channel_manager.pk): [alpha], "": [beta]}),
    ):
        for (key, period), row in other.items():
            for name in ADDITIVE:
                assert row[name] == sum(partners[member, period][name] for member in members[key])
    for key in (alpha, beta):
        for name in ADDITIVE:
            months = sum(partners[key, month][name] for month in ("2026-04", "2026-05", "2026-06"))
            assert partners[key, "FY2026-Q1"][name] == months


def test_average_scores_are_over_deals_not_over_partners(world, deals):
    """Alpha has two open deals registered in FY2026-Q1 (quality 10 and 20), Beta one (90): the vendor's average
    is 40, not the mean of the partners' averages (52.5)."""
    extra = make_deal(
        world,
        world.partner_rep,
        phase="evaluation",
        amount=5,
        close_date=date(2026, 9, 1),
        registered_at=IN_Q1,
    )
    with vendor_scope(world.acme):
        scores_refresh(vendor=world.acme)
    with scopes_disabled():
        for deal, quality in ((deals["open_tokyo"], 10), (extra, 20), (deals["beta_open"], 90)):
            DealScore.objects.filter(deal=deal).update(quality=quality, visibility=quality // 2)
    row = rows_by(world, "vendor", ["FY2026-Q1"])["", "FY2026-Q1"]
    assert (row["avg_quality"], row["avg_visibility"]) == (Decimal("40.00"), Decimal("20.00"))
    alpha = rows_by(world, "partner", ["FY2026-Q1"])[str(world.alpha.pk), "FY2026-Q1"]
    assert alpha["avg_quality"] == Decimal("15.00")


def test_kpi_rows_need_the_vendors_own_scope(world, deals):
    from django_scopes.exceptions import ScopeError

    periods = [period_from_key("FY2026-Q1")]
    with pytest.raises(ScopeError):
        kpi_rows(vendor=world.acme, periods=periods, group_type="vendor")
    with vendor_scope(world.rival), pytest.raises(ScopeError):
        kpi_rows(vendor=world.acme, periods=periods, group_type="vendor")
    with scopes_disabled():
        (row,) = kpi_rows(vendor=world.acme, periods=periods, group_type="vendor")
    assert row["won_amount"] == 800


def snapshot_rows(vendor):
    with scopes_disabled():
        snapshots = KpiSnapshot.objects.filter(vendor=vendor).order_by(
            "group_type", "group_key", "granularity", "period", "snapshot_date"
        )
        return [model_to_dict(s, exclude=["id", "computed_at"]) for s in snapshots]


def recompute(vendor, day=date(2026, 5, 15)):
    with vendor_scope(vendor):
        return kpis_recompute(vendor=vendor, snapshot_date=day)


def test_recompute_covers_18_months_at_every_granularity_and_group(world, deals):
    written = recompute(world.acme)
    rows = snapshot_rows(world.acme)
    assert written == len(rows)
    months = {r["period"] for r in rows if r["granularity"] == "month"}
    assert len(months) == 18 and min(months) == "2024-12" and max(months) == "2026-05"
    quarters = {r["period"] for r in rows if r["granularity"] == "quarter"}
    assert quarters == {
        "FY2024-Q3",
        "FY2024-Q4",
        "FY2025-Q1",
        "FY2025-Q2",
        "FY2025-Q3",
        "FY2025-Q4",
        "FY2026-Q1",
    }
    assert {r["period"] for r in rows if r["granularity"] == "fiscal_year"} == {"FY2024", "FY2025", "FY2026"}
    groups = {(r["group_type"], r["group_key"]) for r in rows}
    assert groups == {
        ("vendor", ""),
        ("partner", str(world.alpha.pk)),
        ("partner", str(world.beta.pk)),
        ("tier", "gold"),
        ("tier", "silver"),
        ("channel_manager", str(world.channel_manager.pk)),
        ("channel_manager", ""),
    }
    assert written == 7 * (18 + 7 + 3)
    q1 = next(r for r in rows if r["group_type"] == "vendor" and r["period"] == "FY2026-Q1")
    assert q1["win_rate"] == Decimal("0.4") and q1["expected_value"] == Decimal("800.00")
    assert snapshot_rows(world.rival) == []


def test_recompute_is_idempotent(world, deals):
    recompute(world.acme)
    first = snapshot_rows(world.acme)
    recompute(world.acme)
    assert snapshot_rows(world.acme) == first
    # As if a run had stopped halfway: half the rows are gone; the rerun restores exactly the same rows.
    with scopes_disabled():
        ids = list(KpiSnapshot.objects.order_by("pk").values_list("pk", flat=True))
        KpiSnapshot.objects.filter(pk__in=ids[::2]).delete()
    recompute(world.acme)
    assert snapshot_rows(world.acme) == first


def test_daily_snapshots_are_kept_and_stale_groups_go(world, deals):
    recompute(world.acme, date(2026, 5, 14))
    with scopes_disabled():
        PartnerCompany.objects.filter(pk=world.alpha.pk).update(channel_manager=None)
    recompute(world.acme, date(2026, 5, 15))
    recompute(world.acme, date(2026, 5, 15))
    with scopes_disabled():
        days = set(KpiSnapshot.objects.values_list("snapshot_date", flat=True))
        managers_today = set(
            KpiSnapshot.objects.filter(
                group_type="channel_manager", snapshot_date=date(2026, 5, 15)
            ).values_list("group_key", flat=True)
        )
        managers_before = set(
            KpiSnapshot.objects.filter(
                group_type="channel_manager", snapshot_date=date(2026, 5, 14)
            ).values_list("group_key", flat=True)
        )
    assert days == {date(2026, 5, 14), date(2026, 5, 15)}
    assert managers_today == {""}
    assert managers_before == {"", str(world.channel_manager.pk)}


def test_recompute_needs_the_vendor_scope(world):
    from django_scopes.exceptions import ScopeError

    with pytest.raises(ScopeError):
        kpis_recompute(vendor=world.acme)


def add_partners_and_deals(world, n):
    with scopes_disabled():
        for i in range(n):
            manager = make_user(f"cm{i}-{next(_numbers)}@acme.example", f"Manager {i}")
            add_member(manager, world.acme, "channel_manager")
            partner = PartnerCompany.objects.create(
                vendor=world.acme, name=f"Partner {i}", tier=Tier.PLATINUM, channel_manager=manager
            )
            rep = make_user(f"rep{i}-{next(_numbers)}@p.example", f"Rep {i}")
            add_member(rep, world.acme, "partner_rep", partner)
            make_deal(world, rep, phase="won", amount=10, close_date=date(2026, 4, 5), registered_at=IN_Q1)
            make_deal(
                world, rep, phase="proposal", amount=10, close_date=date(2026, 9, 5), registered_at=IN_Q1
            )


@pytest.mark.parametrize("group_type", ["vendor", "partner", "tier", "channel_manager"])
def test_kpi_rows_queries_do_not_grow(world, deals, django_assert_num_queries, group_type):
    """Three aggregate queries for every period and granularity, plus one for the partners (none for the vendor
    row)."""
    periods = [period_from_key(k) for k in ("2026-04", "2026-05", "FY2026-Q1", "FY2025-Q4", "FY2026")]
    expected = 3 + (group_type != "vendor")
    with vendor_scope(world.acme), django_assert_num_queries(expected):
        small = kpi_rows(vendor=world.acme, periods=periods, group_type=group_type)
    add_partners_and_deals(world, 6)
    with vendor_scope(world.acme), django_assert_num_queries(expected):
        large = kpi_rows(vendor=world.acme, periods=periods, group_type=group_type)
    growth = {"vendor": 0, "partner": 6, "tier": 1, "channel_manager": 6}[group_type]
    assert len(large) == len(small) + growth * len(periods)


def test_platform_staff_read_snapshots_of_every_vendor_in_the_admin(world, deals, client_for):
    from django.urls import reverse

    recompute(world.acme)
    recompute(world.rival)
    staff = make_superuser("ops@platform.example", "Platform Ops")
    with scopes_disabled():
        snapshot = KpiSnapshot.objects.filter(vendor=world.rival, group_type="partner").first()
    client = client_for(staff)
    content = client.get(reverse("admin:knowledge_kpisnapshot_changelist")).content.decode()
    assert "Acme Software" in content and "Gamma Partners" in content
    response = client.get(reverse("admin:knowledge_kpisnapshot_change", args=[snapshot.pk]))
    assert response.status_code == 200
    assert client.get(reverse("admin:knowledge_kpisnapshot_add")).status_code == 403


def test_progress_rises_at_every_step(world, deals):
    seen = []
    with vendor_scope(world.acme):
        kpis_recompute(vendor=world.acme, snapshot_date=date(2026, 5, 15), progress=seen.append)
    assert seen[0] == 0 and seen[-1] == 100
    assert all(before < after for before, after in pairwise(seen))


def test_months_follow_the_vendors_zone_across_summer_time(world):
    """Berlin is on summer time (UTC+2) from 29 March 2026: 22:30 UTC on 31 March is already April there."""
    with scopes_disabled():
        Vendor.objects.filter(pk=world.acme.pk).update(time_zone="Europe/Berlin")
        world.acme.refresh_from_db()
    rep = world.partner_rep
    make_deal(world, rep, phase="proposal", amount=1, registered_at=datetime(2026, 3, 31, 22, 30, tzinfo=UTC))
    make_deal(world, rep, phase="proposal", amount=2, registered_at=datetime(2026, 3, 31, 21, 59, tzinfo=UTC))
    make_deal(world, rep, phase="proposal", amount=4, registered_at=datetime(2026, 2, 28, 23, 30, tzinfo=UTC))
    rows = rows_by(world, "vendor", ["2026-02", "2026-03", "2026-04"])
    assert [rows["", key]["open_pipeline_amount"] for key in ("2026-02", "2026-03", "2026-04")] == [0, 6, 1]
