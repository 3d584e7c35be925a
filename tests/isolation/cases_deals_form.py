"""The deal form (create, edit) and the champion log partial."""

from datetime import date

from tests.isolation.cases import LOGIN, OK, Case, acme, expect
from tests.isolation.deal_world import alpha_deal, alpha_draft, beta_deal, pk_of, rival_deal


def activity(world):
    return {
        "activity-date": date.today().isoformat(),
        "activity-actor": "champion",
        "activity-activity_type": "internal_briefing",
        "activity-target": "economic_buyer",
        "activity-outcome": "advanced",
        "activity-next_step": "Meet the CFO",
    }


CASES = [
    Case(
        "champion_activities",
        expect(LOGIN, 200, 200, 200, 200, 404, 404),
        kwargs=acme(deal_id=pk_of(alpha_deal)),
        label="alpha",
    ),
    Case(
        "champion_activities",
        expect(LOGIN, 200, 200, 404, 404, 404, 404),
        kwargs=acme(deal_id=pk_of(alpha_draft)),
        label="draft",
    ),
    Case(
        "champion_activities",
        expect(LOGIN, 404, 404, 200, 200, 404, 200),
        kwargs=acme(deal_id=pk_of(beta_deal)),
        label="beta",
    ),
    Case(
        "champion_activities",
        expect(LOGIN, 404, 404, 404, 404, 404, 404),
        kwargs=acme(deal_id=pk_of(rival_deal)),
        label="other_tenant",
    ),
    Case(
        "champion_activities",
        expect(LOGIN, OK, OK, OK, OK, 404, 404),
        kwargs=acme(deal_id=pk_of(alpha_deal)),
        method="post",
        data=activity,
        label="alpha",
    ),
    Case(
        "champion_activities",
        expect(LOGIN, 404, 404, OK, OK, 404, OK),
        kwargs=acme(deal_id=pk_of(beta_deal)),
        method="post",
        data=activity,
        label="beta",
    ),
    Case(
        "champion_activities",
        expect(LOGIN, 404, 404, 404, 404, 404, 404),
        kwargs=acme(deal_id=pk_of(rival_deal)),
        method="post",
        data=activity,
        label="other_tenant",
    ),
]
