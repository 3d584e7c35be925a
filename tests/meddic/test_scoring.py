"""Quality, visibility, forecast category and risk flags against hand-computed cases (DESIGN §5)."""

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from meddic import scoring

TOKYO = ZoneInfo("Asia/Tokyo")
TODAY = date(2026, 11, 24)
CODES = ("metrics", "economic_buyer", "decision_criteria", "decision_process", "identify_pain", "champion")
EQUAL = dict.fromkeys(CODES, 1)


def confirmed(days_ago: int) -> datetime:
    # Noon in Tokyo on the day ``days_ago`` before TODAY.
    day = TODAY - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, 3, 0, tzinfo=UTC)


def element(level=0, evidence="unknown", days_ago=0, **answers):
    values = {
        "level": level,
        "evidence": evidence,
        "last_confirmed_at": confirmed(days_ago),
        "access": "none",
        "position": "unknown",
        "final_approver_level": "unknown",
        "ringi_state": "unknown",
        "urgency": "unknown",
        "status": "unknown",
    }
    values.update(answers)
    return SimpleNamespace(**values)


def elements(**overrides):
    return {code: overrides.get(code, element()) for code in CODES}


def facts(phase="evaluation", close_in=60, els=None, weights=EQUAL, last_activity=None, conflict=False):
    return scoring.Facts(
        phase=phase,
        close_date=TODAY + timedelta(days=close_in),
        elements=els or elements(),
        weights=weights,
        last_champion_activity=last_activity,
        has_conflict=conflict,
        today=TODAY,
        zone=TOKYO,
    )


class TestQuality:
    def test_equal_weights(self):
        # levels 3,2,1,0,2,1 → Σ = 9 of 18 → 50
        els = elements(
            metrics=element(3),
            economic_buyer=element(2),
            decision_criteria=element(1),
            identify_pain=element(2),
            champion=element(1),
        )
        assert scoring.quality(els, EQUAL) == 50

    def test_all_agreed_is_100_and_nothing_known_is_0(self):
        assert scoring.quality(elements(**{c: element(3) for c in CODES}), EQUAL) == 100
        assert scoring.quality(elements(), EQUAL) == 0

    def test_non_equal_weights(self):
        # economic_buyer weight 3, champion weight 2, rest 1: Σw = 9; levels EB 3, champion 1, metrics 2
        # Σ w·level = 3·3 + 2·1 + 1·2 = 13 → 100·13/27 = 48.1 → 48
        weights = {**EQUAL, "economic_buyer": 3, "champion": 2}
        els = elements(economic_buyer=element(3), champion=element(1), metrics=element(2))
        assert scoring.quality(els, weights) == 48

    def test_half_rounds_up(self):
        # Σ level = 1 of 18 with weights 1 → 5.555… → 6; weights making exactly x.5: metrics weight 3, level 1
        # → 100·3/(3·8) = 12.5 → 13
        assert scoring.quality(elements(metrics=element(1)), EQUAL) == 6
        assert scoring.quality(elements(metrics=element(1)), {**EQUAL, "metrics": 3}) == 13


class TestVisibility:
    def test_evidence_factors_with_fresh_confirmation(self):
        # (0 + 0.4 + 0.7 + 1.0 + 0.4 + 0.7) / 6 = 3.2/6 = 53.3 → 53
        els = elements(
            economic_buyer=element(evidence="reported"),
            decision_criteria=element(evidence="evidenced"),
            decision_process=element(evidence="verified"),
            identify_pain=element(evidence="reported"),
            champion=element(evidence="evidenced"),
        )
        assert scoring.visibility(els, EQUAL, TODAY, TOKYO) == 53

    @pytest.mark.parametrize(
        ("days", "expected"), [(0, 100), (30, 100), (31, 70), (90, 70), (91, 40), (400, 40)]
    )
    def test_freshness_boundaries(self, days, expected):
        els = elements(**{c: element(evidence="verified", days_ago=days) for c in CODES})
        assert scoring.visibility(els, EQUAL, TODAY, TOKYO) == expected

    def test_never_confirmed_counts_as_old(self):
        assert scoring.freshness(None, TODAY, TOKYO) == 0.4

    def test_days_are_counted_in_the_vendors_time_zone(self):
        # 2026-10-24 23:30 in Tokyo is 14:30 UTC the same day: 31 days before TODAY in Tokyo.
        late_evening = datetime(2026, 10, 24, 14, 30, tzinfo=UTC)
        assert scoring.freshness(late_evening, TODAY, TOKYO) == 0.7
        assert scoring.freshness(late_evening, TODAY, ZoneInfo("Pacific/Honolulu")) == 0.7

    def test_non_equal_weights(self):
        # champion weight 4 verified fresh (4·1.0), metrics reported 45 days ago (1·0.4·0.7 = 0.28); Σw = 9
        # → 100·4.28/9 = 47.6 → 48
        weights = {**EQUAL, "champion": 4}
        els = elements(
            champion=element(evidence="verified"), metrics=element(evidence="reported", days_ago=45)
        )
        assert scoring.visibility(els, weights, TODAY, TOKYO) == 48


STRONG = {"level": 2, "evidence": "evidenced"}


def commit_ready(**changes):
    buyer = element(**{**STRONG, "access": "via_partner"})
    champion = element(**{**STRONG, "status": "verified"})
    process = element(final_approver_level="executive", ringi_state="drafted")
    els = elements(economic_buyer=buyer, champion=champion, decision_process=process)
    els.update(changes)
    return els


class TestForecast:
    @pytest.mark.parametrize(
        ("phase", "category"), [("won", "closed"), ("lost", "omitted"), ("on_hold", "omitted")]
    )
    def test_closed_and_on_hold(self, phase, category):
        assert scoring.score(facts(phase=phase)).forecast_category == category

    def test_informal_award_is_commit(self):
        assert scoring.score(facts(phase="informal_award")).forecast_category == "commit"

    def test_approval_with_every_gate_is_commit(self):
        assert scoring.score(facts(phase="approval", els=commit_ready())).forecast_category == "commit"

    @pytest.mark.parametrize(
        "missing",
        [
            {"economic_buyer": element(level=1, evidence="verified")},
            {"champion": element(level=3, evidence="reported", status="verified")},
            {"decision_process": element(final_approver_level="unknown", ringi_state="circulating")},
            {"decision_process": element(final_approver_level="president", ringi_state="nemawashi")},
            {"decision_process": element(final_approver_level="president", ringi_state="returned")},
        ],
    )
    def test_approval_missing_a_gate_is_not_commit(self, missing):
        assert (
            scoring.score(facts(phase="approval", els=commit_ready(**missing))).forecast_category != "commit"
        )

    def test_best_case_needs_proposal_and_q60_and_v50(self):
        good = elements(**{c: element(level=2, evidence="evidenced") for c in CODES})  # Q 67, V 70
        assert scoring.score(facts(phase="proposal", els=good)).forecast_category == "best_case"
        assert scoring.score(facts(phase="evaluation", els=good)).forecast_category == "pipeline"
        weak_v = elements(**{c: element(level=2, evidence="reported") for c in CODES})  # V 40
        assert scoring.score(facts(phase="proposal", els=weak_v)).forecast_category == "pipeline"

    def test_best_case_boundary_exactly_60_and_50(self):
        # levels 2,2,2,2,1,2 → 11/18 = 61; levels 2,2,2,1,1,2 → 10/18 = 55.6 → 56 (< 60)
        # evidence: three verified fresh, three unknown → 50
        ev = ["verified", "verified", "verified", "unknown", "unknown", "unknown"]
        at_60 = {
            c: element(level=lv, evidence=e) for c, lv, e in zip(CODES, [2, 2, 2, 2, 1, 1], ev, strict=True)
        }
        assert scoring.quality(at_60, EQUAL) == 56
        q60 = {
            c: element(level=lv, evidence=e) for c, lv, e in zip(CODES, [3, 2, 2, 2, 1, 1], ev, strict=True)
        }
        assert (scoring.quality(q60, EQUAL), scoring.visibility(q60, EQUAL, TODAY, TOKYO)) == (61, 50)
        assert scoring.score(facts(phase="pre_approval", els=q60)).forecast_category == "best_case"
        assert scoring.score(facts(phase="pre_approval", els=at_60)).forecast_category == "pipeline"


class TestFlags:
    def raised(self, **kwargs):
        return set(scoring.flags(facts(**kwargs)))

    def test_closed_deals_carry_no_flags(self):
        assert self.raised(phase="lost", close_in=-400, conflict=True) == set()

    def test_metrics_undefined(self):
        assert "metrics_undefined" not in self.raised(phase="problem_definition")
        assert "metrics_undefined" in self.raised(phase="evaluation", els=elements(metrics=element(1)))
        assert "metrics_undefined" not in self.raised(phase="evaluation", els=elements(metrics=element(2)))

    def test_economic_buyer_no_access(self):
        assert "economic_buyer_no_access" not in self.raised(phase="evaluation")
        assert "economic_buyer_no_access" in self.raised(phase="proposal")
        met = element(level=2, access="vendor_met")
        assert "economic_buyer_no_access" not in self.raised(
            phase="proposal", els=elements(economic_buyer=met)
        )
        unknown_person = element(level=0, access="via_partner")
        assert "economic_buyer_no_access" in self.raised(
            phase="proposal", els=elements(economic_buyer=unknown_person)
        )

    def test_decision_criteria_unknown(self):
        assert "decision_criteria_unknown" in self.raised(phase="evaluation")
        known = element(level=1, position="even")
        assert "decision_criteria_unknown" not in self.raised(
            phase="evaluation", els=elements(decision_criteria=known)
        )
        behind = element(level=3, position="behind")
        assert "decision_criteria_unknown" in self.raised(
            phase="evaluation", els=elements(decision_criteria=behind)
        )

    def test_decision_process_unknown_late_in_the_process(self):
        known = element(level=2, final_approver_level="executive", ringi_state="nemawashi")
        assert "decision_process_unknown" in self.raised(phase="pre_approval", close_in=90)
        assert "decision_process_unknown" not in self.raised(
            phase="pre_approval", close_in=90, els=elements(decision_process=known)
        )
        assert "decision_process_unknown" not in self.raised(phase="proposal", close_in=90)

    def test_decision_process_unknown_close_to_the_close_date(self):
        assert "decision_process_unknown" in self.raised(phase="problem_definition", close_in=30)
        assert "decision_process_unknown" not in self.raised(phase="problem_definition", close_in=31)
        confirmed_process = element(level=2)
        assert "decision_process_unknown" not in self.raised(
            phase="problem_definition", close_in=10, els=elements(decision_process=confirmed_process)
        )

    def test_pain_not_urgent(self):
        assert "pain_not_urgent" in self.raised(phase="proposal")
        urgent = element(level=2, urgency="this_quarter")
        assert "pain_not_urgent" not in self.raised(phase="proposal", els=elements(identify_pain=urgent))
        undecided = element(level=3, urgency="undecided")
        assert "pain_not_urgent" in self.raised(phase="proposal", els=elements(identify_pain=undecided))

    @pytest.mark.parametrize(
        ("status", "raised"),
        [("none", True), ("unknown", True), ("coach_only", True), ("reported", False), ("verified", False)],
    )
    def test_champion_missing(self, status, raised):
        flagged = "champion_missing" in self.raised(
            phase="approval", els=elements(champion=element(status=status)), last_activity=TODAY
        )
        assert flagged is raised
        assert "champion_missing" not in self.raised(
            phase="evaluation", els=elements(champion=element(status=status))
        )

    def test_champion_inactive(self):
        champion = elements(champion=element(status="reported"))
        assert "champion_inactive" in self.raised(els=champion, last_activity=None)
        assert "champion_inactive" in self.raised(els=champion, last_activity=TODAY - timedelta(days=31))
        assert "champion_inactive" not in self.raised(els=champion, last_activity=TODAY - timedelta(days=30))
        assert "champion_inactive" not in self.raised(els=elements(champion=element(status="none")))

    def test_registration_conflict_and_close_date_passed(self):
        assert "registration_conflict" in self.raised(conflict=True)
        assert "registration_conflict" not in self.raised(conflict=False)
        assert "close_date_passed" in self.raised(close_in=-1)
        assert "close_date_passed" not in self.raised(close_in=0)

    def test_every_code_has_a_message_naming_the_next_action(self):
        assert list(scoring.FLAGS) == [
            "metrics_undefined",
            "economic_buyer_no_access",
            "decision_criteria_unknown",
            "decision_process_unknown",
            "pain_not_urgent",
            "champion_missing",
            "champion_inactive",
            "registration_conflict",
            "close_date_passed",
        ]
        for flag in scoring.FLAGS.values():
            assert " — " in str(flag.message)
