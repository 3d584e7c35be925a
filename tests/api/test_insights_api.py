"""Insight API (DESIGN §7): GET …/insights/loss-factors/ and …/insights/ringi-patterns/ for vendor staff."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.knowledge.insights_world import closed_deal, deals_with_champions

GROUP_KEYS = {"value", "n", "won", "lost", "win_rate", "ci_low", "ci_high", "enough_data"}
COMPARISON_KEYS = {"a", "b", "difference", "ci_low", "ci_high", "lift", "fisher_p"}


def url(name, vendor="acme"):
    return reverse(f"api_insights_{name}", kwargs={"vendor_slug": vendor})


def test_loss_factors_follow_the_contract(world, api_as):
    deals_with_champions(world, {"verified": (9, 3), "none": (3, 8)})
    response = api_as(world.channel_manager).get(url("loss_factors"))
    assert response.status_code == 200
    factors = {factor["factor"]: factor for factor in response.json()["factors"]}
    assert list(factors) == [
        "champion_status",
        "economic_buyer_access",
        "metrics_evidence",
        "economic_buyer_evidence",
        "decision_criteria_evidence",
        "decision_process_evidence",
        "identify_pain_evidence",
        "champion_evidence",
    ]
    for factor in factors.values():
        assert all(set(group) >= GROUP_KEYS for group in factor["groups"])
        assert all(set(comparison) >= COMPARISON_KEYS for comparison in factor["comparisons"])
    champion = factors["champion_status"]
    assert champion["reference"] == "verified"
    groups = {group["value"]: group for group in champion["groups"]}
    assert list(groups) == ["verified", "reported", "coach_only", "none", "unknown"]
    assert groups["verified"]["n"] == 12 and groups["verified"]["win_rate"] == pytest.approx(0.75)
    assert groups["verified"]["ci_low"] == pytest.approx(0.4677, abs=1e-4)
    assert groups["none"]["ci_high"] == pytest.approx(0.5656, abs=1e-4)
    assert groups["reported"] == {**groups["reported"], "n": 0, "win_rate": None, "ci_low": None}
    [comparison] = champion["comparisons"]
    assert (comparison["a"], comparison["b"]) == ("verified", "none")
    assert comparison["difference"] == pytest.approx(0.4773, abs=1e-4)
    assert comparison["ci_low"] == pytest.approx(0.0705, abs=1e-4)
    assert comparison["ci_high"] == pytest.approx(0.7153, abs=1e-4)
    assert comparison["lift"] == pytest.approx(2.75)
    assert comparison["fisher_p"] == pytest.approx(0.0391, abs=1e-4)
    body = response.json()
    assert body["population"] == {"closed": 23, "analysed": 23, "won": 12, "lost": 11, "never_in_proposal": 0}
    assert body["findings"][0]["kind"] == "clear"


def test_loss_factors_filters_are_echoed_and_applied(world, api_as):
    closed_deal(world, won=True)
    closed_deal(world, won=True, partner="beta", amount=50_000_000)
    response = api_as(world.vendor_admin).get(
        url("loss_factors"), {"period": "FY2025", "tier": "silver", "size": "enterprise"}
    )
    body = response.json()
    assert body["filters"] == {
        "period": "FY2025",
        "from": "2025-04-01",
        "to": "2026-03-31",
        "tier": "silver",
        "partner": None,
        "size": "enterprise",
    }
    assert body["population"]["closed"] == 1
    body = api_as(world.vendor_admin).get(url("loss_factors"), {"from": "2026-02-15"}).json()
    assert body["population"]["closed"] == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "FY2026-Q5"}, "period"),
        ({"tier": "diamond"}, "tier"),
        ({"size": "huge"}, "size"),
        ({"partner": "999999"}, "partner"),
        ({"from": "2026-03-01", "to": "2026-02-01"}, "to"),
        ({"from": "yesterday"}, "from"),
    ],
)
def test_invalid_filters_answer_400_naming_the_parameter(world, api_as, params, field):
    response = api_as(world.channel_manager).get(url("ringi_patterns"), params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_another_vendors_partner_is_not_a_valid_filter(world, api_as):
    response = api_as(world.channel_manager).get(url("loss_factors"), {"partner": world.gamma.pk})
    assert response.status_code == 400


@pytest.mark.parametrize("role", ["partner_rep", "partner_admin"])
def test_partner_roles_cannot_read_insights(world, api_as, role):
    closed_deal(world, won=True)
    for name in ("loss_factors", "ringi_patterns"):
        response = api_as(getattr(world, role)).get(url(name))
        assert response.status_code == 403


def test_ringi_patterns_with_their_rules(world, api_as):
    closed_deal(world, won=True, answers={"decision_process": {"final_approver_level": "president"}})
    closed_deal(world, won=False, industry="public")
    body = api_as(world.channel_manager).get(url("ringi_patterns")).json()
    assert [rule["pattern"] for rule in body["rules"]] == ["R8", "R7", "R5", "R4", "R6", "R2", "R3", "R1"]
    assert all(rule["name"] and rule["rule"] for rule in body["rules"])
    patterns = {p["pattern"]: p for p in body["patterns"]}
    assert list(patterns) == ["R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", None]
    assert patterns["R6"]["won"] == 1 and patterns["R6"]["win_rate"] == 1.0
    assert patterns["R8"]["lost_at"] == [{"state": "unknown", "label": "Unknown", "count": 1}]
    assert patterns["R6"]["days"] == {"n": 1, "median": 30.0, "q1": 30.0, "q3": 30.0}
    assert set(patterns["R1"]) >= {"n", "won", "lost", "win_rate", "ci_low", "ci_high", "enough_data", "days"}


def test_api_queries_do_not_grow_with_deals(world, api_as):
    client = api_as(world.channel_manager)

    def count_queries(name):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(name)).status_code == 200
        return len(queries)

    deals_with_champions(world, {"verified": (1, 0)})
    small = {name: count_queries(name) for name in ("loss_factors", "ringi_patterns")}
    deals_with_champions(world, {"verified": (6, 2), "none": (2, 9)}, partner="beta")
    assert {name: count_queries(name) for name in ("loss_factors", "ringi_patterns")} == small
