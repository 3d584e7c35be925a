"""The deal page, its registration steps, and registration conflicts (vendor staff only)."""

from tests.isolation.cases import LOGIN, Case, acme, expect
from tests.isolation.conflict_world import acme_conflict, conflict_pk, rival_conflict
from tests.isolation.deal_world import alpha_deal, alpha_draft, beta_deal, pk_of, rival_deal


def step(builder, action):
    def build(world):
        return {"vendor_slug": "acme", "deal_id": pk_of(builder)(world), "action": action}

    return build


def reason(world):
    return {"reason": "Customer already registered by another partner."}


def keep_first(world):
    return {"keep": "a", "note": "Alpha registered first and has met the buyer."}


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
    # Registration steps: partners submit their own, vendor staff decide; another company's deal is 404.
    Case(
        "deal_transition",
        expect(LOGIN, 302, 302, 404, 404, 404, 404),
        kwargs=step(alpha_draft, "submit"),
        method="post",
        label="submit-draft",
    ),
    Case(
        "deal_transition",
        expect(LOGIN, 403, 403, 302, 302, 404, 404),
        kwargs=step(alpha_deal, "approve"),
        method="post",
        label="approve",
    ),
    Case(
        "deal_transition",
        expect(LOGIN, 403, 403, 302, 302, 404, 404),
        kwargs=step(alpha_deal, "reject"),
        method="post",
        data=reason,
        label="reject",
    ),
    Case(
        "deal_transition",
        expect(LOGIN, 403, 403, 302, 302, 404, 404),
        kwargs=step(alpha_deal, "return"),
        method="post",
        data=reason,
        label="return",
    ),
    Case(
        "deal_transition",
        expect(LOGIN, 403, 403, 200, 200, 404, 404),
        kwargs=step(alpha_deal, "reject"),
        label="reject-form",
    ),
    Case(
        "deal_transition",
        expect(LOGIN, 404, 404, 302, 302, 404, 403),
        kwargs=step(beta_deal, "approve"),
        method="post",
        label="beta-approve",
    ),
    Case(
        "deal_transition",
        expect(LOGIN, 404, 404, 404, 404, 404, 404),
        kwargs=step(alpha_deal, "promote"),
        method="post",
        label="unknown-action",
    ),
    Case(
        "deal_transition",
        expect(LOGIN, 404, 404, 404, 404, 404, 404),
        kwargs=step(rival_deal, "approve"),
        method="post",
        label="other_tenant",
    ),
    # Conflicts: channel managers and vendor admins; partner roles are refused before any lookup.
    Case("conflict_list", expect(LOGIN, 403, 403, 200, 200, 404, 403)),
    Case("conflict_export", expect(LOGIN, 403, 403, 200, 200, 404, 403)),
    Case(
        "conflict_detail",
        expect(LOGIN, 403, 403, 200, 200, 404, 403),
        kwargs=acme(conflict_id=conflict_pk(acme_conflict)),
    ),
    Case(
        "conflict_detail",
        expect(LOGIN, 403, 403, 302, 302, 404, 403),
        kwargs=acme(conflict_id=conflict_pk(acme_conflict)),
        method="post",
        data=keep_first,
        label="resolve",
    ),
    Case(
        "conflict_detail",
        expect(LOGIN, 403, 403, 404, 404, 404, 403),
        kwargs=acme(conflict_id=conflict_pk(rival_conflict)),
        label="other_tenant",
    ),
    Case(
        "conflict_detail",
        expect(LOGIN, 403, 403, 404, 404, 404, 403),
        kwargs=acme(conflict_id=conflict_pk(rival_conflict)),
        method="post",
        data=keep_first,
        label="other_tenant-resolve",
    ),
]
