"""The deal page."""

from tests.isolation.cases import LOGIN, Case, acme, expect
from tests.isolation.deal_world import alpha_deal, alpha_draft, beta_deal, pk_of, rival_deal

CASES = [
    Case(
        "deal_detail",
        expect(LOGIN, 200, 200, 200, 200, 404, 404),
        kwargs=acme(deal_id=pk_of(alpha_deal)),
        label="alpha",
    ),
    Case(
        "deal_detail",
        expect(LOGIN, 200, 200, 404, 404, 404, 404),
        kwargs=acme(deal_id=pk_of(alpha_draft)),
        label="draft",
    ),
    Case(
        "deal_detail",
        expect(LOGIN, 404, 404, 200, 200, 404, 200),
        kwargs=acme(deal_id=pk_of(beta_deal)),
        label="beta",
    ),
    Case(
        "deal_detail",
        expect(LOGIN, 404, 404, 404, 404, 404, 404),
        kwargs=acme(deal_id=pk_of(rival_deal)),
        label="other_tenant",
    ),
]
