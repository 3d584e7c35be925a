"""Ringi patterns R1–R8 (DESIGN §6): the derivation table, the per-pattern analysis, the page, the deal page."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from knowledge.insights.filters import InsightFilters
from knowledge.insights.reports import ringi_patterns_for
from knowledge.insights.ringi import RULES, Route, ringi_pattern
from prm.tenancy import vendor_scope
from tests.conftest import access_of, body
from tests.deals.conftest import register
from tests.knowledge.insights_world import CLOSED, PROPOSAL, closed_deal

IT, LEGAL, FINANCE, PROCUREMENT, SECURITY = "it", "legal", "finance", "procurement", "security"


@pytest.mark.parametrize(
    ("approver", "reviewers", "budget", "industry", "expected"),
    [
        # R1: department-level approval inside the budget, at most one other function.
        ("department_head", (), "in_budget", "retail", "R1"),
        ("section_head", (IT,), "in_budget", "retail", "R1"),
        # R2: many functions review.
        ("department_head", (IT, LEGAL), "in_budget", "retail", "R2"),
        ("executive", (IT, LEGAL, PROCUREMENT, SECURITY), "in_budget", "retail", "R2"),
        ("department_head", (IT, SECURITY), "out_of_budget", "retail", "R2"),
        # R3: an officer decides.
        ("executive", (IT, FINANCE), "out_of_budget", "retail", "R3"),
        ("executive", (), "unknown", "retail", "R3"),
        ("president", (IT, FINANCE), "in_budget", "retail", "R3"),
        # R4, R5: committee and board, whatever else.
        ("management_committee", (IT, LEGAL, FINANCE), "in_budget", "finance", "R4"),
        ("management_committee", (IT, LEGAL, FINANCE, PROCUREMENT, SECURITY), "unknown", "retail", "R4"),
        ("board", (LEGAL, FINANCE), "out_of_budget", "finance", "R5"),
        # R6: the president alone.
        ("president", (), "out_of_budget", "retail", "R6"),
        ("president", (FINANCE,), "in_budget", "retail", "R6"),
        # R7: budget first, next fiscal year (over the approver level).
        ("board", (FINANCE,), "next_fiscal_year", "manufacturing", "R7"),
        ("unknown", (), "next_fiscal_year", "retail", "R7"),
        # R8: the public sector (tender), over everything else.
        ("executive", (PROCUREMENT, LEGAL), "next_fiscal_year", "public", "R8"),
        ("unknown", (), "unknown", "public", "R8"),
        # Not classified: the approver is unknown, or a department head without a known budget.
        ("unknown", (IT,), "in_budget", "retail", None),
        ("department_head", (), "unknown", "retail", None),
        ("section_head", (IT,), "out_of_budget", "retail", None),
    ],
)
def test_derivation_table(approver, reviewers, budget, industry, expected):
    assert ringi_pattern(Route(approver, reviewers, budget, industry)) == expected


def test_the_rules_cover_r1_to_r8_once_each_and_say_what_they_test():
    assert sorted(rule.code for rule in RULES) == [f"R{n}" for n in range(1, 9)]
    assert all(str(rule.name) and str(rule.rule) for rule in RULES)


def process(approver, reviewers, budget, state="approved"):
    return {
        "decision_process": {
            "level": 2,
            "final_approver_level": approver,
            "co_reviewers": list(reviewers),
            "budget_status": budget,
            "ringi_state": state,
        }
    }


def report_for(world, **filters):
    with vendor_scope(world.acme):
        return ringi_patterns_for(access_of(world.channel_manager, world.acme), InsightFilters(**filters))


def pattern(report, code):
    return next(result for result in report.patterns if result.code == code)


def test_per_pattern_counts_win_rate_days_and_where_lost_deals_stopped(world):
    r1 = process("department_head", (), "in_budget")
    # Closed 10, 20, 30 and 40 days after entering proposal (the close date in Tokyo).
    proposal_day = (PROPOSAL + timedelta(hours=9)).date()
    for days, won in ((10, True), (20, True), (30, False), (40, False)):
        state = "approved" if won else "circulating"
        closed_deal(
            world,
            won=won,
            before_close=process("department_head", (), "in_budget", state),
            answers=r1,
            close_date=proposal_day + timedelta(days=days),
        )
    closed_deal(world, won=False, before_close=process("board", (LEGAL,), "in_budget", "returned"))
    closed_deal(world, won=False, before_close=process("unknown", (), "unknown", "unknown"))
    report = report_for(world)
    result = pattern(report, "R1")
    assert (result.n, result.won, result.lost) == (4, 2, 2)
    assert (round(result.ci_low, 3), round(result.ci_high, 3)) == (0.150, 0.850)
    assert not result.enough_data
    assert (result.days.q1, result.days.median, result.days.q3) == (17.5, 25.0, 32.5)
    assert (result.days_won.median, result.days_won.n) == (15.0, 2)
    assert [(state, count) for state, _label, count in result.lost_at] == [("circulating", 2)]
    assert pattern(report, "R5").lost_at[0][0] == "returned"
    unclassified = pattern(report, None)
    assert unclassified.n == 1
    assert [r.code for r in report.patterns] == ["R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", None]


def test_the_pattern_is_read_as_of_the_close(world):
    closed_deal(
        world,
        won=False,
        before_close=process("executive", (IT,), "in_budget", "drafted"),
        later=process("board", (LEGAL,), "in_budget", "returned"),
    )
    report = report_for(world)
    assert pattern(report, "R3").n == 1 and pattern(report, "R5").n == 0
    assert pattern(report, "R3").lost_at[0][0] == "drafted"


def test_findings_compare_patterns_with_enough_deals_and_name_the_small_ones(world):
    r1, r3 = process("department_head", (), "in_budget"), process("executive", (IT,), "in_budget")
    proposal_day = (PROPOSAL + timedelta(hours=9)).date()
    for index in range(10):
        closed_deal(world, won=index < 8, answers=r1, close_date=proposal_day + timedelta(days=10 + index))
        closed_deal(
            world,
            won=index < 2,
            answers=r3,
            before_close=process("executive", (IT,), "in_budget", "approved" if index < 2 else "nemawashi"),
            close_date=proposal_day + timedelta(days=60 + index),
        )
    closed_deal(world, won=True, answers=process("president", (), "in_budget"))
    headlines = [f.headline for f in report_for(world).findings]
    assert (
        "R1 Department approval within budget won most often (80%), R3 Officer approval least (20%)"
        in headlines
    )
    assert "R1 Department approval within budget closes fastest, R3 Officer approval slowest" in headlines
    assert "Lost R3 deals stopped most often at “Nemawashi (groundwork)” (8 of 8)" in headlines
    assert "Not enough data for R6: fewer than 10 closed deals each." in headlines


def test_page_shows_the_rules_the_patterns_and_exports_them(world, client_for):
    closed_deal(world, won=True, answers=process("department_head", (), "in_budget"))
    client = client_for(world.channel_manager)
    html = client.get(reverse("insights_ringi_patterns", kwargs={"vendor_slug": "acme"})).content.decode()
    assert "Department approval within budget" in html
    assert "The customer is in the public sector (tender, council budget)." in html
    assert 'id="pattern-R1"' in html
    response = client.get(reverse("insights_ringi_patterns_export", kwargs={"vendor_slug": "acme"}))
    lines = body(response).splitlines()
    assert lines[0].startswith("Pattern,Name,Rule,Deals,Won,Lost,Win rate")
    assert lines[1].startswith("R1,Department approval within budget,")
    assert ",1,1,0,1.0000," in lines[1]
    assert len(lines) == 1 + 8 + 1


def test_page_queries_do_not_grow_with_deals(world, client_for):
    client = client_for(world.vendor_admin)
    url = reverse("insights_ringi_patterns", kwargs={"vendor_slug": "acme"})

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    closed_deal(world, won=True, answers=process("board", (), "in_budget"))
    small = count_queries()
    for index in range(12):
        closed_deal(
            world, won=index % 2 == 0, answers=process("executive", (IT,), "in_budget"), closed=CLOSED
        )
    assert count_queries() == small


def test_deal_page_shows_the_pattern_and_links_vendor_staff_to_the_analysis(world, client_for):
    deal = register(
        world, world.partner_rep, submit=True, meddic=process("management_committee", (IT,), "in_budget")
    )
    url = reverse("deal_detail", kwargs={"vendor_slug": "acme", "deal_id": deal.pk})
    link = reverse("insights_ringi_patterns", kwargs={"vendor_slug": "acme"}) + "#pattern-R4"
    html = client_for(world.channel_manager).get(url).content.decode()
    assert "Ringi pattern" in html and f'href="{link}"' in html and "R4 Management committee" in html
    html = client_for(world.partner_rep).get(url).content.decode()
    assert "R4 Management committee" in html and link not in html  # partners cannot open the analysis


def test_deal_page_says_when_there_is_no_pattern_yet(world, client_for):
    deal = register(world, world.partner_rep, submit=True)
    url = reverse("deal_detail", kwargs={"vendor_slug": "acme", "deal_id": deal.pk})
    assert "Not classified yet" in client_for(world.channel_manager).get(url).content.decode()
