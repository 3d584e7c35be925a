"""The deal form (create, edit) and the champion log partial."""

from datetime import date

from tests.deals.test_form_pages import form_data
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


def deal_form(world):
    return form_data()


def deal_edit(world):
    return form_data(version="1", title="改訂")


CASES = [
    Case("deal_create", expect(LOGIN, 200, 200, 403, 403, 404, 200)),
    Case("deal_create", expect(LOGIN, OK, OK, 403, 403, 404, OK), method="post", data=deal_form),
    Case(
        "deal_update",
        expect(LOGIN, 200, 200, 403, 403, 404, 404),
        kwargs=acme(deal_id=pk_of(alpha_deal)),
        label="alpha",
    ),
    Case(
        "deal_update",
        expect(LOGIN, 200, 200, 404, 404, 404, 404),
        kwargs=acme(deal_id=pk_of(alpha_draft)),
        label="draft",
    ),
    Case(
        "deal_update",
        expect(LOGIN, 404, 404, 403, 403, 404, 200),
        kwargs=acme(deal_id=pk_of(beta_deal)),
        label="beta",
    ),
    Case(
        "deal_update",
        expect(LOGIN, 404, 404, 404, 404, 404, 404),
        kwargs=acme(deal_id=pk_of(rival_deal)),
        label="other_tenant",
    ),
    Case(
        "deal_update",
        expect(LOGIN, OK, OK, 403, 403, 404, 404),
        kwargs=acme(deal_id=pk_of(alpha_deal)),
        method="post",
        data=deal_edit,
        label="alpha",
    ),
    Case(
        "deal_update",
        expect(LOGIN, 404, 404, 403, 403, 404, OK),
        kwargs=acme(deal_id=pk_of(beta_deal)),
        method="post",
        data=deal_edit,
        label="beta",
    ),
    Case(
        "deal_update",
        expect(LOGIN, 404, 404, 404, 404, 404, 404),
        kwargs=acme(deal_id=pk_of(rival_deal)),
        method="post",
        data=deal_edit,
        label="other_tenant",
    ),
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
