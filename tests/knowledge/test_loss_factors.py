"""Loss factors (DESIGN §6): groups as of entering proposal, comparisons with the reference, findings, filters,
the page and its CSV export."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from deals import services
from deals.models import Deal
from knowledge.insights.as_of import closed_deals_as_of
from knowledge.insights.filters import InsightFilters
from knowledge.insights.reports import loss_factors_for
from knowledge.models import InsightResult
from prm.tenancy import vendor_scope
from tests.conftest import access_of, body
from tests.deals.conftest import register
from tests.knowledge.insights_world import champion, closed_deal, deals_with_champions


def report_for(world, user=None, **filters):
    user = user or world.channel_manager
    with vendor_scope(world.acme):
        return loss_factors_for(access_of(user, world.acme), InsightFilters(**filters))


def factor(report, code):
    return next(result for result in report.factors if result.code == code)


def group(result, value):
    return next(g for g in result.groups if g.value == value)


def test_the_example_groups_comparison_and_finding(world):
    deals_with_champions(world, {"verified": (9, 3), "none": (3, 8)})
    report = report_for(world)
    result = factor(report, "champion_status")
    verified, none = group(result, "verified"), group(result, "none")
    assert (verified.n, verified.won, verified.lost) == (12, 9, 3)
    assert (round(verified.ci_low * 100), round(verified.ci_high * 100)) == (47, 91)
    assert (none.n, none.won, none.lost) == (11, 3, 8)
    assert (round(none.ci_low * 100), round(none.ci_high * 100)) == (10, 57)
    assert result.reference is verified
    [comparison] = result.comparisons  # one weaker group with deals: nothing to pool
    assert (comparison.a.value, comparison.b.value) == ("verified", "none")
    assert comparison.difference == pytest.approx(0.4773, abs=1e-4)
    assert comparison.lift == pytest.approx(2.75)
    assert comparison.fisher_p == pytest.approx(0.0391, abs=1e-4)
    finding = next(f for f in report.findings if f.key == "champion_status")
    assert finding.kind == "clear"
    assert "“Verified” won 75% vs 27% for “None” — 2.8× the win rate" in finding.headline
    assert "won 27% of the time (95% interval 10–57%, 11 deals) vs 75% (47–91%, 12 deals)" in finding.detail
    assert "p = 0.039" in finding.detail


def test_groups_under_ten_deals_are_not_enough_data(world):
    deals_with_champions(world, {"verified": (6, 1), "none": (1, 5)})
    result = factor(report_for(world), "champion_status")
    assert not group(result, "verified").enough_data
    assert not result.comparisons[0].enough_data
    finding = next(f for f in report_for(world).findings if f.key == "champion_status")
    assert finding.kind == "not_enough"
    assert "not enough data" in finding.headline
    assert "%" not in finding.headline  # no rate comparison is stated


def test_unknown_and_reported_only_stay_separate_groups(world):
    deals_with_champions(world, {"reported": (2, 1), "unknown": (0, 2)})
    closed_deal(world, won=True)  # nothing typed: unknown
    result = factor(report_for(world), "champion_status")
    assert (group(result, "reported").n, group(result, "unknown").n) == (3, 3)
    evidence = factor(report_for(world), "champion_evidence")
    assert group(evidence, "unknown").n == 6  # no evidence given for any champion


def test_economic_buyer_never_answered_is_apart_from_no_access(world):
    closed_deal(world, won=False)
    closed_deal(world, won=False, answers={"economic_buyer": {"level": 1, "evidence": "reported"}})
    closed_deal(world, won=True, answers={"economic_buyer": {"level": 2, "access": "vendor_met"}})
    result = factor(report_for(world), "economic_buyer_access")
    counts = {g.value: g.n for g in result.groups}
    assert counts == {"vendor_met": 1, "via_partner": 0, "none": 1, "unknown": 1}


def test_answers_typed_after_proposal_do_not_count(world):
    closed_deal(
        world,
        won=True,
        answers=champion("none"),
        before_close=champion("reported"),
        later={"champion": {"status": "verified", "evidence": "verified"}},
    )
    result = factor(report_for(world), "champion_status")
    assert {g.value: g.n for g in result.groups if g.n} == {"none": 1}
    with vendor_scope(world.acme):
        [deal] = closed_deals_as_of(Deal.objects.all())
    assert deal.at_proposal["champion"]["status"] == "none"
    assert deal.at_close["champion"]["status"] == "reported"  # the close ignores what came after it


def test_an_element_changed_after_the_close_does_not_change_the_analysis(world):
    """Through the services: registered, moved to proposal, won; then the channel manager verifies the champion."""
    rep = world.partner_rep
    deal = register(world, rep, submit=True, meddic=champion("reported"))
    with vendor_scope(world.acme):
        access = access_of(rep, world.acme)
        deal = services.deal_update(
            access=access, deal=deal, version=deal.version, fields={"phase": "proposal"}
        )
        today = timezone.localdate()
        deal = services.deal_update(
            access=access, deal=deal, version=deal.version, fields={"phase": "won", "close_date": today}
        )
    before = report_for(world)
    with vendor_scope(world.acme):
        services.deal_update(
            access=access_of(world.channel_manager, world.acme),
            deal=deal,
            version=deal.version,
            meddic={
                "champion": {"status": "verified", "level": 3},
                "economic_buyer": {"access": "vendor_met"},
            },
        )
        assert deal.elements.get(code="champion").status == "verified"
    after = report_for(world)
    for code in ("champion_status", "economic_buyer_access", "champion_evidence"):
        assert [(g.value, g.n) for g in factor(after, code).groups] == [
            (g.value, g.n) for g in factor(before, code).groups
        ]
    assert group(factor(after, "champion_status"), "reported").n == 1


def test_a_deal_registered_at_proposal_counts_the_answers_it_was_registered_with(world):
    rep = world.partner_rep
    deal = register(world, rep, submit=True, phase="proposal", meddic=champion("coach_only"))
    with vendor_scope(world.acme):
        services.deal_update(
            access=access_of(rep, world.acme),
            deal=deal,
            version=deal.version,
            fields={"phase": "lost", "close_date": timezone.localdate(), "loss_type": "competitor"},
        )
    result = factor(report_for(world), "champion_status")
    assert group(result, "coach_only").lost == 1


def test_deals_that_never_reached_proposal_are_left_out_and_counted(world):
    closed_deal(world, won=False, path=("evaluation",), answers=champion("none"))
    closed_deal(world, won=True, path=("evaluation", "approval"), answers=champion("verified"))
    report = report_for(world)
    assert (report.population.closed, report.population.analysed, report.population.never_in_proposal) == (
        2,
        1,
        1,
    )
    result = factor(report, "champion_status")
    assert {g.value: g.n for g in result.groups if g.n} == {"verified": 1}  # skipping proposal still counts


def test_the_reference_is_the_strongest_group_with_enough_data_and_pools_only_weaker_ones(world):
    deals_with_champions(
        world, {"verified": (3, 0), "reported": (8, 4), "coach_only": (2, 8), "none": (1, 9)}
    )
    result = factor(report_for(world), "champion_status")
    assert result.reference.value == "reported"
    pooled = result.comparisons[0]
    assert pooled.pooled and pooled.b.value == "below_reported"
    assert (pooled.b.n, pooled.b.won) == (20, 3)  # coach_only and none; the three verified are not mixed in
    assert {c.b.value for c in result.comparisons[1:]} == {"verified", "coach_only", "none"}
    finding = next(f for f in report_for(world).findings if f.key == "champion_status")
    assert "weaker values" in finding.headline and "weaker than “Reported”" in finding.detail


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, 4),
        ({"start": date(2026, 1, 1), "end": date(2026, 4, 1)}, 3),  # FY2025-Q4
        ({"start": date(2026, 4, 1)}, 1),
        ({"tier": "gold"}, 3),  # Alpha
        ({"tier": "silver"}, 1),  # Beta
        ({"size": "enterprise"}, 1),
        ({"size": "medium"}, 3),
    ],
)
def test_filters_narrow_the_closed_deals(world, filters, expected):
    closed_deal(world, won=True)
    closed_deal(world, won=False, amount=40_000_000)
    closed_deal(world, won=True, partner="beta")
    closed_deal(world, won=True, close_date=date(2026, 4, 2))
    closed_deal(world, won=True, partner="gamma")  # another vendor's deal never counts
    assert report_for(world, **filters).population.closed == expected


def test_partner_filter(world):
    closed_deal(world, won=True)
    closed_deal(world, won=True, partner="beta")
    assert report_for(world, partner_id=world.beta.pk).population.closed == 1


def test_the_analysis_takes_the_same_number_of_queries_for_more_deals(world):
    access = access_of(world.channel_manager, world.acme)

    def count_queries():
        with vendor_scope(world.acme), CaptureQueriesContext(connection) as queries:
            loss_factors_for(access, InsightFilters())
        return len(queries)

    deals_with_champions(world, {"verified": (1, 1), "none": (1, 0)})
    small = count_queries()
    stored_small = count_queries()
    deals_with_champions(world, {"verified": (8, 2), "none": (3, 9), "reported": (4, 4)})
    with scopes_disabled():
        InsightResult.objects.all().delete()
    assert count_queries() == small
    # A stored analysis is read in three queries: the data's version (two) and the result.
    assert count_queries() == stored_small == 3


# --- The page --------------------------------------------------------------------------------------------


def page_url(name="insights_loss_factors"):
    return reverse(name, kwargs={"vendor_slug": "acme"})


def test_page_states_findings_in_plain_words_with_the_table_behind_them(world, client_for):
    deals_with_champions(world, {"verified": (9, 3), "none": (3, 8)})
    response = client_for(world.channel_manager).get(page_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Champion status: “Verified” won 75% vs 27% for “None” — 2.8× the win rate" in html
    assert "47–91%" in html and "10–57%" in html
    assert "23 closed deals reached the proposal phase (12 won, 11 lost)." in html
    # Groups without enough deals are marked, not hidden.
    assert "not enough data" in html


def test_page_filters_by_tier(world, client_for):
    deals_with_champions(world, {"verified": (2, 0)})
    deals_with_champions(world, {"none": (0, 3)}, partner="beta")
    client = client_for(world.vendor_admin)
    html = client.get(page_url(), {"tier": "silver"}).content.decode()
    assert "3 closed deals reached the proposal phase (0 won, 3 lost)." in html
    html = client.get(page_url(), {"period": "FY2026"}).content.decode()
    assert "No closed deal that reached the proposal phase matches these filters." in html


def test_page_shows_an_invalid_filter_and_ignores_it(world, client_for):
    closed_deal(world, won=True)
    response = client_for(world.channel_manager).get(page_url(), {"period": "2026-Q9", "tier": "gold"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Not a period key" in html
    assert "1 closed deal reached the proposal phase (1 won, 0 lost)." in html


def test_page_queries_do_not_grow_with_deals(world, client_for):
    client = client_for(world.channel_manager)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page_url()).status_code == 200
        return len(queries)

    deals_with_champions(world, {"verified": (1, 0), "none": (0, 1)})
    small = count_queries()
    deals_with_champions(world, {"verified": (9, 3), "none": (3, 8), "unknown": (2, 2)})
    assert count_queries() == small


def test_export_has_one_row_per_factor_and_group_with_the_same_filters(world, client_for):
    deals_with_champions(world, {"verified": (9, 3), "none": (3, 8)})
    deals_with_champions(world, {"verified": (1, 0)}, close_date=date(2026, 2, 14) + timedelta(days=60))
    response = client_for(world.channel_manager).get(
        page_url("insights_loss_factors_export"), {"period": "FY2025"}
    )
    assert response["Content-Type"].startswith("text/csv")
    lines = body(response).splitlines()
    assert lines[0].startswith("Factor,Factor name,Group,Group name,Reference group,Deals,Won,Lost,Win rate")
    verified = next(line for line in lines if line.startswith("champion_status,Champion status,verified,"))
    assert verified.endswith(",verified,12,9,3,0.7500,0.4677,0.9111,yes,,,,,")
    none = next(line for line in lines if line.startswith("champion_status,Champion status,none,"))
    assert none.endswith(",verified,11,3,8,0.2727,0.0975,0.5656,yes,0.4773,0.0705,0.7153,2.750,0.0391")
    assert len(lines) == 1 + 5 + 4 + 6 * 4  # header, champion statuses, access values, evidence per element


def test_the_page_speaks_plain_japanese_first_with_the_statistics_one_click_away(world, client_for):
    deals_with_champions(world, {"verified": (9, 3), "none": (3, 8)})
    client = client_for(world.channel_manager)
    html = client.get(page_url(), headers={"accept-language": "ja"}).content.decode()
    assert "2.8倍" in html and "2.8×" not in html
    assert "有意差あり" in html
    finding = re.search(r'<li class="finding finding-clear">.*?</li>', html, re.S).group(0)
    assert "<details" in finding and "p = 0.039" in finding.split("<details", 1)[1]  # behind one click


def test_the_filters_stay_across_the_three_tabs(world, client_for):
    html = (
        client_for(world.channel_manager)
        .get(page_url(), {"tier": "gold", "period": "FY2026"})
        .content.decode()
    )
    tabs = re.search(r'<nav class="insight-tabs.*?</nav>', html, re.S).group(0)
    assert tabs.count("tier=gold") == 3 and tabs.count("period=FY2026") == 3
    assert ">FY2026 Q1</option>" in html  # periods named as on the KPI pages, not by their keys
