"""The deals API under /api/v1/vendors/{v}/deals/ (DESIGN §7), every URL × role.

Anonymous callers get 401. Another tenant's vendor or deal is 404 whatever the role; another partner company's
deal, and a partner's draft for vendor staff, are 404; a step the role may not take on a deal it sees is 403.
"""

from datetime import date, timedelta

from django_scopes import scopes_disabled

from deals.models import Deal
from tests.deals.conftest import deal_fields
from tests.isolation.cases import Case, acme, expect
from tests.isolation.deal_world import alpha_deal, alpha_draft, beta_deal, pk_of, rival_deal

DEALS = {
    "alpha": alpha_deal,
    "draft": alpha_draft,
    "beta": beta_deal,
    "other_tenant": rival_deal,
}


def on(deal: str):
    return acme(deal_id=pk_of(DEALS[deal]))


def new_deal(world):
    fields = deal_fields(customer_name="新規顧客株式会社")
    return {**fields, "close_date": fields["close_date"].isoformat()}


def version_of(builder, world) -> int:
    with scopes_disabled():
        return Deal.objects.get(pk=builder(world).pk).version


def title_change(deal: str):
    return lambda world: {"version": version_of(DEALS[deal], world), "title": "Renamed"}


def element_change(deal: str):
    return lambda world: {"version": version_of(DEALS[deal], world), "meddic": {"metrics": {"level": 1}}}


def with_reason(world):
    return {"reason": "Customer already registered by another partner."}


def activity(world):
    return {
        "date": (date.today() - timedelta(days=1)).isoformat(),
        "actor": "champion",
        "activity_type": "internal_briefing",
        "target": "economic_buyer",
        "outcome": "advanced",
        "next_step": "部長に再説明",
    }


ALL_404 = expect(401, 404, 404, 404, 404, 404, 404)

CASES = [
    # List and register: partner users register for their own company, vendor staff may not.
    Case("api_deal_list", expect(401, 200, 200, 200, 200, 404, 200), json=True),
    Case(
        "api_deal_list",
        expect(401, 404, 404, 404, 404, 200, 404),
        kwargs=lambda w: {"vendor_slug": "rival"},
        json=True,
        label="rival",
    ),
    Case(
        "api_deal_list",
        expect(401, 201, 201, 403, 403, 404, 201),
        method="post",
        data=new_deal,
        json=True,
    ),
    # One deal: read by its company and (once submitted) by vendor staff.
    Case("api_deal_detail", expect(401, 200, 200, 200, 200, 404, 404), kwargs=on("alpha"), json=True),
    Case(
        "api_deal_detail",
        expect(401, 200, 200, 404, 404, 404, 404),
        kwargs=on("draft"),
        json=True,
        label="draft",
    ),
    Case(
        "api_deal_detail",
        expect(401, 404, 404, 200, 200, 404, 200),
        kwargs=on("beta"),
        json=True,
        label="beta",
    ),
    Case("api_deal_detail", ALL_404, kwargs=on("other_tenant"), json=True, label="other_tenant"),
    # Deal fields: the owner and the partner admin; vendor staff only answer elements.
    Case(
        "api_deal_detail",
        expect(401, 200, 200, 403, 403, 404, 404),
        kwargs=on("alpha"),
        method="patch",
        data=title_change("alpha"),
        json=True,
    ),
    Case(
        "api_deal_detail",
        expect(401, 200, 200, 200, 200, 404, 404),
        kwargs=on("alpha"),
        method="patch",
        data=element_change("alpha"),
        json=True,
        label="meddic",
    ),
    Case(
        "api_deal_detail",
        expect(401, 200, 200, 404, 404, 404, 404),
        kwargs=on("draft"),
        method="patch",
        data=element_change("draft"),
        json=True,
        label="draft",
    ),
    Case(
        "api_deal_detail",
        expect(401, 404, 404, 403, 403, 404, 200),
        kwargs=on("beta"),
        method="patch",
        data=title_change("beta"),
        json=True,
        label="beta",
    ),
    Case(
        "api_deal_detail",
        ALL_404,
        kwargs=on("other_tenant"),
        method="patch",
        data=title_change("other_tenant"),
        json=True,
        label="other_tenant",
    ),
    # Workflow: the partner submits, vendor staff decide.
    Case(
        "api_deal_submit",
        expect(401, 200, 200, 404, 404, 404, 404),
        kwargs=on("draft"),
        method="post",
        json=True,
        label="draft",
    ),
    Case(
        "api_deal_submit",
        expect(401, 400, 400, 403, 403, 404, 404),
        kwargs=on("alpha"),
        method="post",
        json=True,
        label="submitted",
    ),
    Case(
        "api_deal_submit",
        ALL_404,
        kwargs=on("other_tenant"),
        method="post",
        json=True,
        label="other_tenant",
    ),
    Case(
        "api_deal_submit",
        expect(401, 405, 405, 405, 405, 404, 405),
        kwargs=on("alpha"),
        json=True,
        label="not-allowed",
    ),
]

for step, data in (("approve", None), ("reject", with_reason), ("return", with_reason)):
    name = f"api_deal_{step}"
    CASES += [
        Case(
            name,
            expect(401, 403, 403, 200, 200, 404, 404),
            kwargs=on("alpha"),
            method="post",
            data=data,
            json=True,
        ),
        Case(
            name,
            expect(401, 404, 404, 200, 200, 404, 403),
            kwargs=on("beta"),
            method="post",
            data=data,
            json=True,
            label="beta",
        ),
        Case(
            name,
            expect(401, 403, 403, 404, 404, 404, 404),
            kwargs=on("draft"),
            method="post",
            data=data,
            json=True,
            label="draft",
        ),
        Case(
            name,
            ALL_404,
            kwargs=on("other_tenant"),
            method="post",
            data=data,
            json=True,
            label="other_tenant",
        ),
        Case(
            name,
            expect(401, 405, 405, 405, 405, 404, 405),
            kwargs=on("alpha"),
            json=True,
            label="not-allowed",
        ),
    ]

CASES += [
    # Champion log: read by whoever sees the deal, written by whoever answers its elements.
    Case(
        "api_deal_champion_activities",
        expect(401, 200, 200, 200, 200, 404, 404),
        kwargs=on("alpha"),
        json=True,
    ),
    Case(
        "api_deal_champion_activities",
        expect(401, 200, 200, 404, 404, 404, 404),
        kwargs=on("draft"),
        json=True,
        label="draft",
    ),
    Case(
        "api_deal_champion_activities",
        ALL_404,
        kwargs=on("other_tenant"),
        json=True,
        label="other_tenant",
    ),
    Case(
        "api_deal_champion_activities",
        expect(401, 201, 201, 201, 201, 404, 404),
        kwargs=on("alpha"),
        method="post",
        data=activity,
        json=True,
    ),
    Case(
        "api_deal_champion_activities",
        expect(401, 404, 404, 201, 201, 404, 201),
        kwargs=on("beta"),
        method="post",
        data=activity,
        json=True,
        label="beta",
    ),
    Case(
        "api_deal_champion_activities",
        ALL_404,
        kwargs=on("other_tenant"),
        method="post",
        data=activity,
        json=True,
        label="other_tenant",
    ),
]
