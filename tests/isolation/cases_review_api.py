"""The review API (DESIGN §5, §7): info requests, review state, bulk review and notifications, every URL × role.

Only vendor staff ask, withdraw and review; only the deal's owner or their partner admin answers. Another
tenant's deal or request, and another partner company's, are 404; a role without the action is 403 first.
"""

from datetime import timedelta

from django_scopes import scopes_disabled

from deals.models import Deal
from meddic import reviews
from prm.clock import vendor_today
from prm.tenancy import vendor_scope
from tests.conftest import access_of
from tests.isolation.cases import Case, acme, expect
from tests.isolation.deal_world import alpha_deal, beta_deal, pk_of, rival_deal


def _ask(world, deal, asker, vendor):
    with vendor_scope(vendor):
        return reviews.info_request_send(
            access=access_of(asker, vendor),
            deal=deal,
            element="metrics",
            question="成功基準は合意済みですか？",
            due_date=vendor_today(vendor) + timedelta(days=7),
        )


def _once(world, key, build):
    cache = world.__dict__.setdefault("_info_requests", {})
    if key not in cache:
        cache[key] = build()
    return cache[key]


def alpha_request(world):
    return _once(
        world, "alpha_request", lambda: _ask(world, alpha_deal(world), world.channel_manager, world.acme)
    )


def rival_request(world):
    return _once(
        world, "rival_request", lambda: _ask(world, rival_deal(world), world.rival_admin, world.rival)
    )


def on_deal(builder):
    return acme(deal_id=pk_of(builder))


def on_request(builder):
    return acme(request_id=pk_of(builder))


def answer_data(builder):
    def data(world):
        with scopes_disabled():
            version = Deal.objects.get(pk=builder(world).deal_id).version
        return {"answer": "PoCの成功基準を合意済み", "version": version, "element": {"level": 2}}

    return data


def ask_data(world):
    return {
        "element": "champion",
        "question": "推進者は誰ですか？",
        "due_date": str(vendor_today(world.acme)),
    }


def review_data(world):
    return {"state": "qualified", "note": "要件確認済み"}


API = {"json": True}

CASES = [
    # Info requests of a deal
    Case(
        "api_deal_info_requests", expect(401, 200, 200, 200, 200, 404, 404), kwargs=on_deal(alpha_deal), **API
    ),
    Case(
        "api_deal_info_requests",
        expect(401, 404, 404, 404, 404, 404, 404),
        kwargs=on_deal(rival_deal),
        label="other_tenant",
        **API,
    ),
    Case(
        "api_deal_info_requests",
        expect(401, 403, 403, 201, 201, 404, 403),
        kwargs=on_deal(alpha_deal),
        method="post",
        data=ask_data,
        **API,
    ),
    Case(
        "api_deal_info_requests",
        expect(401, 403, 403, 404, 404, 404, 403),
        kwargs=on_deal(rival_deal),
        method="post",
        data=ask_data,
        label="other_tenant",
        **API,
    ),
    # All requests the caller sees
    Case("api_info_requests", expect(401, 200, 200, 200, 200, 404, 200), **API),
    # One request
    Case(
        "api_info_request",
        expect(401, 200, 200, 200, 200, 404, 404),
        kwargs=on_request(alpha_request),
        **API,
    ),
    Case(
        "api_info_request",
        expect(401, 404, 404, 404, 404, 404, 404),
        kwargs=on_request(rival_request),
        label="other_tenant",
        **API,
    ),
    Case(
        "api_info_request_answer",
        expect(401, 200, 200, 403, 403, 404, 404),
        kwargs=on_request(alpha_request),
        method="post",
        data=answer_data(alpha_request),
        **API,
    ),
    Case(
        "api_info_request_answer",
        expect(401, 404, 404, 403, 403, 404, 404),
        kwargs=on_request(rival_request),
        method="post",
        data=answer_data(rival_request),
        label="other_tenant",
        **API,
    ),
    Case(
        "api_info_request_answer",
        expect(401, 405, 405, 403, 403, 404, 405),
        kwargs=on_request(alpha_request),
        label="get",
        **API,
    ),
    Case(
        "api_info_request_withdraw",
        expect(401, 403, 403, 200, 200, 404, 403),
        kwargs=on_request(alpha_request),
        method="post",
        **API,
    ),
    Case(
        "api_info_request_withdraw",
        expect(401, 403, 403, 404, 404, 404, 403),
        kwargs=on_request(rival_request),
        method="post",
        label="other_tenant",
        **API,
    ),
    # Review state
    Case("api_deal_review", expect(401, 200, 200, 200, 200, 404, 404), kwargs=on_deal(alpha_deal), **API),
    Case(
        "api_deal_review",
        expect(401, 404, 404, 404, 404, 404, 404),
        kwargs=on_deal(rival_deal),
        label="other_tenant",
        **API,
    ),
    Case(
        "api_deal_review",
        expect(401, 403, 403, 200, 200, 404, 403),
        kwargs=on_deal(alpha_deal),
        method="post",
        data=review_data,
        **API,
    ),
    Case(
        "api_deal_review",
        expect(401, 403, 403, 404, 404, 404, 403),
        kwargs=on_deal(rival_deal),
        method="post",
        data=review_data,
        label="other_tenant",
        **API,
    ),
    Case(
        "api_reviews_bulk",
        expect(401, 403, 403, 200, 200, 404, 403),
        method="post",
        data=lambda w: {
            "deals": [pk_of(alpha_deal)(w), pk_of(beta_deal)(w), pk_of(rival_deal)(w)],
            "state": "qualified",
        },
        **API,
    ),
    Case(
        "api_reviews_bulk",
        expect(401, 404, 404, 404, 404, 200, 404),
        kwargs=lambda w: {"vendor_slug": "rival"},
        method="post",
        data=lambda w: {"deals": [pk_of(rival_deal)(w)], "state": "qualified"},
        label="rival",
        **API,
    ),
    # Notifications: everyone reads and marks only their own
    Case("api_notifications", expect(401, 200, 200, 200, 200, 404, 200), **API),
    Case("api_notifications_read", expect(401, 200, 200, 200, 200, 404, 200), method="post", **API),
    Case(
        "api_notifications_read",
        expect(401, 404, 404, 404, 404, 200, 404),
        kwargs=lambda w: {"vendor_slug": "rival"},
        method="post",
        data=lambda w: {"ids": [1, 2]},
        label="rival",
        **API,
    ),
]
