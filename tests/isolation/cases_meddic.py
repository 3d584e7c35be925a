"""MEDDIC weights (DESIGN §5): the settings page and its API, every role.

Only vendor admins change the weights; channel managers read them through the API; partner roles never see them.
Another vendor's weights are 404 even to that vendor's admin.
"""

from tests.isolation.cases import LOGIN, OK, Case, acme, expect
from tests.isolation.deal_world import alpha_deal, alpha_draft, pk_of, rival_deal

WEIGHTS = {
    "metrics": 4,
    "economic_buyer": 1,
    "decision_criteria": 1,
    "decision_process": 1,
    "identify_pain": 1,
    "champion": 1,
}


def rival(world):
    return {"vendor_slug": "rival"}


CASES = [
    Case("meddic_weights", expect(LOGIN, 403, 403, 403, 200, 404, 403)),
    Case(
        "meddic_weights",
        expect(LOGIN, 403, 403, 403, 302, 404, 403),
        method="post",
        data=lambda w: dict(WEIGHTS),
    ),
    Case(
        "meddic_weights",
        expect(LOGIN, 404, 404, 404, 404, 302, 404),
        kwargs=rival,
        method="post",
        data=lambda w: dict(WEIGHTS),
        label="rival",
    ),
    Case("api_meddic_weights", expect(401, 403, 403, 200, 200, 404, 403), json=True),
    Case(
        "api_meddic_weights",
        expect(401, 403, 403, 403, 200, 404, 403),
        method="put",
        data=lambda w: {"weights": dict(WEIGHTS)},
        json=True,
    ),
    Case(
        "api_meddic_weights",
        expect(401, 404, 404, 404, 404, 200, 404),
        kwargs=rival,
        method="put",
        data=lambda w: {"weights": dict(WEIGHTS)},
        json=True,
        label="rival",
    ),
]


def verify_data(world):
    return {"verify-champion-method": "joint_visit", "verify-champion-note": "同行訪問"}


CASES += [
    Case(
        "element_verify",
        expect(LOGIN, 403, 403, OK, OK, 404, 403),
        kwargs=acme(deal_id=pk_of(alpha_deal), code=lambda w: "champion"),
        method="post",
        data=verify_data,
        label="alpha",
    ),
    Case(
        "element_verify",
        expect(LOGIN, 403, 403, 404, 404, 404, 403),
        kwargs=acme(deal_id=pk_of(alpha_draft), code=lambda w: "champion"),
        method="post",
        data=verify_data,
        label="draft",
    ),
    Case(
        "element_verify",
        expect(LOGIN, 403, 403, 404, 404, 404, 403),
        kwargs=acme(deal_id=pk_of(rival_deal), code=lambda w: "champion"),
        method="post",
        data=verify_data,
        label="other_tenant",
    ),
    Case(
        "element_verify",
        expect(LOGIN, 403, 403, 405, 405, 404, 403),
        kwargs=acme(deal_id=pk_of(alpha_deal), code=lambda w: "champion"),
        label="get",
    ),
]

CASES += [
    Case(
        "api_element_verify",
        expect(401, 403, 403, 200, 200, 404, 403),
        kwargs=acme(deal_id=pk_of(alpha_deal), code=lambda w: "metrics"),
        method="post",
        data=lambda w: {"method": "document", "note": "議事録"},
        json=True,
    ),
    Case(
        "api_element_verify",
        expect(401, 403, 403, 404, 404, 404, 403),
        kwargs=acme(deal_id=pk_of(rival_deal), code=lambda w: "metrics"),
        method="post",
        data=lambda w: {"method": "document"},
        json=True,
        label="other_tenant",
    ),
]
