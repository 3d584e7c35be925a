"""The KPI pages: vendor staff compare partners against the vendor's per-partner benchmark; partner users see their
company's scorecard against their tier's average, never another partner's row. Snapshot rows are written by hand
here with the contract's definitions, so every expected index can be worked out on paper."""

import csv
import io
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from knowledge.models import KpiSnapshot
from knowledge.periods import granularity_of
from knowledge.selectors import shown_periods
from partners.models import PartnerCompany, Tier
from prm.clock import vendor_today
from tests.conftest import body

URL = reverse("kpi_dashboard", kwargs={"vendor_slug": "acme"})
EXPORT = reverse("kpi_export", kwargs={"vendor_slug": "acme"})


def put(vendor, group_type, key, period, *, name="", proposals=0, won=0, lost=0, amount=0, status=None):
    """One snapshot row with the contract's derived fields (DESIGN §6)."""
    decided = won + lost
    KpiSnapshot.objects.create(
        vendor=vendor,
        group_type=group_type,
        group_key=str(key),
        group_name=name,
        granularity=granularity_of(period),
        period=period,
        snapshot_date=vendor_today(vendor),
        proposals=proposals,
        won=won,
        lost=lost,
        win_rate=(Decimal(won) / decided).quantize(Decimal("0.000001"), ROUND_HALF_UP) if decided else None,
        avg_unit_price=Decimal(amount) / won if won else None,
        expected_value=Decimal(proposals) * amount / decided if won else None,
        won_amount=amount,
        status_distribution=status or {},
        open_pipeline_amount=0,
        computed_at=timezone.now(),
    )


def quarters(world, count=3):
    """The current fiscal quarter first, then the ones before it."""
    return [period.key for period in shown_periods(world.acme, "quarter")[:count]]


@pytest.fixture
def kpis(world):
    """Acme, current quarter. Alpha (gold, Chika's) proposes little, Beta (silver, no manager) sells cheaply,
    Delta (gold) is fine. Vendor: 28 proposals, 5 won, 5 lost, ¥6,000 won → per partner 9.33 proposals, win rate
    0.5, unit price ¥1,200, expected value ¥5,600. Alpha has proposed too little for three quarters."""
    with scopes_disabled():
        delta = PartnerCompany.objects.create(vendor=world.acme, name="Delta Works", tier=Tier.GOLD)
        now, before, earlier = quarters(world)
        acme = world.acme
        cm = world.channel_manager.pk
        alpha, beta = world.alpha.pk, world.beta.pk
        put(acme, "vendor", "", now, name="Acme", proposals=28, won=5, lost=5, amount=6000)
        put(acme, "partner", alpha, now, name="Alpha Systems", proposals=4, won=3, lost=1, amount=3600,
            status={"proposal": 2, "won": 2})  # fmt: skip
        put(acme, "partner", beta, now, name="Beta Integration", proposals=16, won=1, lost=3, amount=400,
            status={"evaluation": 10, "lost": 6})  # fmt: skip
        put(acme, "partner", delta.pk, now, name="Delta Works", proposals=8, won=1, lost=1, amount=2000)
        put(acme, "tier", "gold", now, name="Gold", proposals=12, won=4, lost=2, amount=5600,
            status={"proposal": 4, "won": 2})  # fmt: skip
        put(acme, "tier", "silver", now, name="Silver", proposals=16, won=1, lost=3, amount=400)
        put(acme, "channel_manager", cm, now, name="Chika Manager", proposals=4, won=3, lost=1, amount=3600)
        put(acme, "channel_manager", "", now, name="Unassigned", proposals=24, won=2, lost=4, amount=2400)
        for period in (before, earlier):
            put(acme, "vendor", "", period, proposals=30, won=4, lost=4, amount=4000)
            put(acme, "partner", alpha, period, proposals=2, won=2, lost=2, amount=2000)
            put(acme, "partner", beta, period, proposals=20, won=1, lost=1, amount=1000)
            put(acme, "partner", delta.pk, period, proposals=8, won=1, lost=1, amount=1000)
            put(acme, "tier", "gold", period, proposals=10, won=3, lost=3, amount=3000)
        # Another vendor's partner, to be sure it never shows.
        put(world.rival, "vendor", "", now, proposals=5, won=1, lost=0, amount=100)
        put(
            world.rival, "partner", world.gamma.pk, now, name="Gamma Partners", proposals=5, won=1, amount=100
        )
    return delta


def row_of(html: str, table_id: str, key) -> str:
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group(0)
    return re.search(rf'<tr data-partner="{key}">.*?</tr>', table, re.S).group(0)


def page(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


class TestVendorComparison:
    def test_each_partner_against_the_vendor_average_per_partner(self, world, client_for, kpis):
        html = page(client_for(world.channel_manager))
        assert "9.3" in html and "¥1,200" in html and "¥5,600" in html  # the benchmark row
        alpha = row_of(html, "kpi-factor-table", world.alpha.pk)
        # proposals 4 / 9.33, win rate 0.75 / 0.5, unit price 1,200 / 1,200, expected value 3,600 / 5,600
        for index in ("×0.43", "×1.50", "×1.00", "×0.64"):
            assert index in alpha
        beta = row_of(html, "kpi-factor-table", world.beta.pk)
        for index in ("×1.71", "×0.50", "×0.33", "×0.29"):
            assert index in beta
        assert re.search(r"Unit price</span>\s*<span class=\"kpi-index kpi-index-weak\">", beta)

    def test_the_table_shows_the_contract_values(self, world, client_for, kpis):
        html = page(client_for(world.vendor_admin))
        alpha = row_of(html, "kpi-partner-table", world.alpha.pk)
        assert "75.0%" in alpha and "¥1,200" in alpha and "¥3,600" in alpha and "3 / 1" in alpha
        assert "Gamma" not in html

    def test_partners_are_sorted_weakest_expected_value_first(self, world, client_for, kpis):
        html = page(client_for(world.channel_manager))
        table = re.search(r'id="kpi-factor-table".*?</table>', html, re.S).group(0)
        order = re.findall(r'<tr data-partner="(\d+)">', table)
        assert order == [str(world.beta.pk), str(world.alpha.pk), str(kpis.pk)]
        by_name = re.search(r'id="kpi-factor-table".*?</table>', page(client_for(world.channel_manager),
                            sort="name"), re.S).group(0)  # fmt: skip
        assert re.findall(r'<tr data-partner="(\d+)">', by_name) == [
            str(world.alpha.pk),
            str(world.beta.pk),
            str(kpis.pk),
        ]

    def test_since_when_a_partner_has_been_weak(self, world, client_for, kpis):
        html = page(client_for(world.channel_manager))
        alpha = row_of(html, "kpi-weak-table", world.alpha.pk)
        # Alpha proposed 2 of 10 per partner in the two quarters before: weak on proposals for three quarters.
        earliest = shown_periods(world.acme, "quarter")[2]
        label = f"FY{earliest.key[2:6]} Q{earliest.key[-1]}"
        assert "Proposals" in alpha and f"since {label}" in alpha
        beta = row_of(html, "kpi-weak-table", world.beta.pk)
        current = shown_periods(world.acme, "quarter")[0]
        assert f"since FY{current.key[2:6]} Q{current.key[-1]}" in beta  # cheap only this quarter

    def test_trend_chart_of_the_weakest_partner_with_its_table(self, world, client_for, kpis):
        html = page(client_for(world.channel_manager))
        assert 'id="kpi-trend-data"' in html and 'data-kpi-chart="trend"' in html
        assert re.search(rf'<option value="{world.beta.pk}" selected>', html)
        html = page(client_for(world.channel_manager), partner=world.alpha.pk)
        assert re.search(rf'<option value="{world.alpha.pk}" selected>', html)
        assert "Alpha Systems: index of each factor by period" in html
        benchmark = re.search(r"Vendor average per partner by period.*?</table>", html, re.S).group(0)
        assert (
            "9.3" in benchmark and "¥5,600" in benchmark and "10.0" in benchmark
        )  # 30 over 3 partners before

    def test_every_chart_has_a_table(self, world, client_for, kpis):
        html = page(client_for(world.channel_manager))
        for chart in ("decomposition", "status", "trend"):
            assert f'id="kpi-{chart}-data"' in html
        assert html.count("<caption") >= 6
        assert '<th scope="col"' in html and '<th scope="row"' in html

    def test_tier_and_channel_manager_roll_ups(self, world, client_for, kpis):
        html = page(client_for(world.channel_manager))
        tiers = re.search(r'id="kpi-tiers".*?</section>', html, re.S).group(0)
        # Gold: 12 proposals over 2 partners = 6.0 per partner (×0.64); silver: Beta alone.
        assert "Gold" in tiers and "6.0" in tiers and "×0.64" in tiers
        managers = re.search(r'id="kpi-managers".*?</section>', html, re.S).group(0)
        assert "Chika Manager" in managers and "Unassigned" in managers

    def test_a_partner_without_deals_does_not_lower_the_averages(self, world, client_for, kpis):
        with scopes_disabled():
            idle = PartnerCompany.objects.create(vendor=world.acme, name="Idle Gold KK", tier=Tier.GOLD)
            put(
                world.acme,
                "partner",
                idle.pk,
                quarters(world)[0],
                name="Idle Gold KK",
                proposals=0,
                won=0,
                lost=0,
            )
        html = page(client_for(world.channel_manager))
        summary = re.search(
            r'class="row g-3 mb-4 kpi-summary".*?</div>\s*</div>\s*</div>\s*</div>', html, re.S
        )
        assert "9.3 per partner" in summary.group(0)  # still 28 over the 3 partners with deals, not 4
        tiers = re.search(r'id="kpi-tiers".*?</section>', html, re.S).group(0)
        assert "6.0" in tiers  # gold: 12 over Alpha and Delta, the idle partner left out

    def test_the_headline_says_it_is_the_whole_vendor(self, world, client_for, kpis):
        assert "Whole vendor (every partner)" in page(client_for(world.channel_manager))
        filtered = page(client_for(world.channel_manager), channel_manager=world.channel_manager.pk)
        assert "the filter applies to the sections below" in filtered

    def test_filters_by_tier_and_channel_manager(self, world, client_for, kpis):
        client = client_for(world.channel_manager)
        html = page(client, tier="gold")
        assert f'data-partner="{world.beta.pk}"' not in html
        assert f'data-partner="{world.alpha.pk}"' in html and f'data-partner="{kpis.pk}"' in html
        html = page(client, channel_manager=world.channel_manager.pk)
        assert f'data-partner="{kpis.pk}"' not in html and f'data-partner="{world.alpha.pk}"' in html
        html = page(client, channel_manager="none")
        assert f'data-partner="{world.alpha.pk}"' not in html
        assert f'data-partner="{world.beta.pk}"' in html
        # An unknown filter value narrows nothing.
        html = page(client, channel_manager="99999", tier="diamond")
        assert f'data-partner="{world.beta.pk}"' in html and f'data-partner="{world.alpha.pk}"' in html

    def test_my_partners_is_offered_to_a_channel_manager(self, world, client_for, kpis):
        html = page(client_for(world.channel_manager))
        assert f"channel_manager={world.channel_manager.pk}" in html
        assert "My partners" in html

    def test_recompute_button_posts_to_the_api_and_polls_the_task(self, world, client_for, kpis):
        html = page(client_for(world.channel_manager))
        button = re.search(r"<button[^>]*data-kpi-recompute[^>]*>", html, re.S).group(0)
        assert 'data-url="/api/v1/vendors/acme/kpis/recompute/"' in button
        assert 'data-task-url="/api/v1/tasks/__task__/"' in button
        assert 'role="progressbar"' in html and 'aria-valuenow="0"' in html

    def test_a_vendor_row_without_partner_rows(self, world, client_for):
        with scopes_disabled():
            put(world.acme, "vendor", "", quarters(world, 1)[0], proposals=3, won=1, lost=1, amount=500)
        html = page(client_for(world.channel_manager))
        assert "No partner matches these filters." in html
        assert 'data-kpi-chart="trend"' not in html

    def test_no_snapshots_yet(self, world, client_for):
        html = page(client_for(world.vendor_admin))
        assert "No KPIs have been computed for this period yet" in html
        assert "not computed yet" in html


class TestPeriodPicker:
    def test_default_is_the_current_fiscal_quarter(self, world, client_for, kpis):
        html = page(client_for(world.channel_manager))
        current = quarters(world)[0]
        assert re.search(rf'<option value="{current}" selected>', html)
        assert re.search(r'<option value="quarter" selected>', html)

    def test_an_earlier_period_shows_its_rows(self, world, client_for, kpis):
        before = quarters(world)[1]
        html = page(client_for(world.channel_manager), period=before)
        assert re.search(rf'<option value="{before}" selected>', html)
        alpha = row_of(html, "kpi-partner-table", world.alpha.pk)
        assert "50.0%" in alpha and "2 / 2" in alpha

    @pytest.mark.parametrize("key", ["FY1999-Q1", "nonsense", "2026-13", "FY9999"])
    def test_an_unknown_period_falls_back_to_the_current_one_with_a_notice(
        self, world, client_for, kpis, key
    ):
        html = page(client_for(world.channel_manager), period=key)
        assert "There are no KPIs for the period" in html
        assert re.search(rf'<option value="{quarters(world)[0]}" selected>', html)

    def test_months_of_the_current_quarter_start_at_the_current_month(self, world, client_for, kpis):
        current = shown_periods(world.acme, "quarter")[0]
        this_month = shown_periods(world.acme, "month")[0].key
        html = page(client_for(world.channel_manager), granularity="month", period=current.key)
        assert re.search(rf'<option value="{this_month}" selected>', html)
        assert "There are no KPIs" not in html

    def test_an_earlier_period_of_another_granularity_maps_to_the_one_it_starts_in(
        self, world, client_for, kpis
    ):
        earlier = shown_periods(world.acme, "quarter")[1]
        html = page(client_for(world.channel_manager), granularity="month", period=earlier.key)
        assert re.search(rf'<option value="{earlier.start:%Y-%m}" selected>', html)

    def test_switching_granularity_keeps_the_time_shown(self, world, client_for, kpis):
        client = client_for(world.channel_manager)
        months = shown_periods(world.acme, "month")
        html = page(client, granularity="quarter", period=months[0].key)
        assert re.search(rf'<option value="{quarters(world)[0]}" selected>', html)
        # A fiscal year that began before the months kept: its earliest month still shown.
        oldest_year = shown_periods(world.acme, "fiscal_year")[-1]
        expected = min(
            (m for m in months if oldest_year.start <= m.start < oldest_year.end), key=lambda m: m.start
        )
        html = page(client, granularity="month", period=oldest_year.key)
        assert re.search(rf'<option value="{expected.key}" selected>', html)
        assert "There are no KPIs" not in html

    def test_an_unknown_granularity_is_a_quarter(self, world, client_for, kpis):
        html = page(client_for(world.channel_manager), granularity="week")
        assert re.search(r'<option value="quarter" selected>', html)
        assert "Unknown granularity" in html


class TestPagination:
    def test_fifty_partners_a_page(self, world, client_for):
        now = quarters(world, 1)[0]
        with scopes_disabled():
            put(world.acme, "vendor", "", now, proposals=60)
            partners = PartnerCompany.objects.bulk_create(
                PartnerCompany(vendor=world.acme, name=f"P{number:03d}", tier=Tier.SILVER)
                for number in range(58)
            )
            for partner in [*partners, world.alpha, world.beta]:
                put(world.acme, "partner", partner.pk, now, name=partner.name, proposals=1)
        client = client_for(world.channel_manager)
        first = page(client, sort="name")
        assert first.count('<tr data-partner="') == 3 * 50  # factor, values and since-when tables
        second = page(client, sort="name", page=2)
        assert len(set(re.findall(r'<tr data-partner="(\d+)">', second))) == 10
        assert "51–60 of 60" in second


class TestPartnerScorecard:
    def test_with_one_other_partner_in_the_tier_the_benchmark_is_hidden(self, world, client_for, kpis):
        html = page(client_for(world.partner_rep))
        assert "The tier benchmark is hidden for this period: fewer than 3 other partners" in html
        scorecard = re.search(r'id="kpi-scorecard".*?</table>', html, re.S).group(0)
        # Neither the gold tier's totals nor Delta's own figures (8 proposals, ¥2,000 won) appear.
        for leaked in ("12", "¥5,600", "6.0", "8.0", "¥2,000", "tier total"):
            assert leaked not in scorecard
        assert "Gold tier average" not in html
        # No empty chart of indices that do not exist: a note says why.
        assert 'id="kpi-factors-data"' not in html and "there is no tier average to compare with" in html

    def test_own_company_against_the_average_of_three_others(self, world, client_for, kpis):
        with scopes_disabled():
            now = quarters(world, 1)[0]
            for name, proposals, won, lost, amount in (("Epsilon", 6, 1, 1, 1000), ("Zeta", 10, 2, 0, 2600)):
                other = PartnerCompany.objects.create(vendor=world.acme, name=name, tier=Tier.GOLD)
                put(world.acme, "partner", other.pk, now, name=name, proposals=proposals, won=won, lost=lost,
                    amount=amount)  # fmt: skip
            idle = PartnerCompany.objects.create(vendor=world.acme, name="Eta", tier=Tier.GOLD)
            put(world.acme, "partner", idle.pk, now, name="Eta")  # no data: not one of the partners averaged
        html = page(client_for(world.partner_rep))
        assert "Against the average of 3 other partners of the Gold tier" in html
        scorecard = re.search(r'id="kpi-scorecard".*?</table>', html, re.S).group(0)
        # Delta, Epsilon and Zeta: 24 proposals / 3 = 8.0; win rate 4/6; unit price 5,600/4 = 1,400;
        # expected value per partner 8 × 2/3 × 1,400 = 7,467. Alpha itself is not in the average.
        assert "8.0" in scorecard and "66.7%" in scorecard and "¥1,400" in scorecard and "¥7,467" in scorecard
        for index in ("×0.50", "×1.12", "×0.86", "×0.48"):
            assert index in scorecard
        assert "Weakest factor:" in html and "The tier benchmark is hidden" not in html

    def test_never_shows_another_partner(self, world, client_for, kpis):
        for user in (world.partner_rep, world.partner_admin):
            html = page(client_for(user))
            assert "Alpha Systems" in html
            for other in ("Beta Integration", "Delta Works", "Gamma Partners", "Chika Manager"):
                assert other not in html
            assert "data-kpi-recompute" not in html
        html = page(client_for(world.beta_rep))
        assert "Beta Integration" in html and "Alpha Systems" not in html and "Delta Works" not in html

    def test_partner_users_cannot_filter_their_way_to_others(self, world, client_for, kpis):
        html = page(
            client_for(world.partner_rep), tier="silver", channel_manager="none", partner=world.beta.pk
        )
        assert "Beta Integration" not in html and "Alpha Systems" in html

    def test_csv_has_the_company_and_a_benchmark_only_when_it_is_safe(
        self, world, client_for, kpis, settings
    ):
        response = client_for(world.partner_rep).get(EXPORT)
        rows = list(csv.reader(io.StringIO(body(response))))
        assert [row[0] for row in rows[1:]] == ["Partner"]  # Delta alone: no benchmark
        settings.BENCHMARK_MIN_PARTNERS = 1
        response = client_for(world.partner_rep).get(EXPORT)
        rows = list(csv.reader(io.StringIO(body(response))))
        assert [row[0] for row in rows[1:]] == ["Partner", "Average of the other partners of the tier"]
        assert rows[1][3] == "Alpha Systems"
        assert rows[2][7] == "8"  # Delta's proposals: the other partners only, never the tier with Alpha
        assert "Beta" not in body(response)


class TestExport:
    def test_vendor_csv_has_the_benchmark_and_every_matching_partner(self, world, client_for, kpis):
        response = client_for(world.channel_manager).get(EXPORT, {"tier": "gold"})
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(body(response))))
        header = rows[0]
        assert header[:4] == ["Row", "Period", "Partner ID", "Name"]
        assert rows[1][0] == "Vendor average per partner"
        names = [row[3] for row in rows[2:]]
        assert names == ["Alpha Systems", "Delta Works"]
        alpha = dict(zip(header, rows[2], strict=True))
        assert alpha["Proposals"] == "4"
        assert alpha["Win rate"] == "0.750000"
        assert alpha["Average unit price"] == "1200.00"
        assert alpha["Expected value"] == "3600.00"
        assert alpha["Proposals index"] == "0.429"
        assert alpha["Weakest factor"] == "Proposals"
        assert alpha["Weak since"] == quarters(world)[2]  # the quarters before have no rows
        assert alpha["Tier"] == "Gold" and alpha["Channel manager"] == "Chika Manager"

    def test_export_keeps_the_period_picked(self, world, client_for, kpis):
        before = quarters(world)[1]
        response = client_for(world.vendor_admin).get(EXPORT, {"period": before})
        rows = list(csv.reader(io.StringIO(body(response))))
        assert {row[1] for row in rows[1:]} == {before}
        assert before in response["Content-Disposition"]
