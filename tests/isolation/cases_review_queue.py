"""The review queue, its export, the Q × V matrix and the bulk review change (DESIGN §5), every role.

Vendor staff only: partner roles get 403; another vendor's admin gets 404 under acme's URL. A bulk change naming
a deal the caller cannot see (a draft, another vendor's deal) changes nothing and answers like an empty selection.
"""

from tests.isolation.cases import LOGIN, Case, expect
from tests.isolation.deal_world import alpha_deal, alpha_draft, pk_of, rival_deal


def bulk_of(builder):
    def data(world):
        return {"deal": [pk_of(builder)(world)], "state": "qualified", "next": "/v/acme/review/"}

    return data


CASES = [
    Case("review_queue", expect(LOGIN, 403, 403, 200, 200, 404, 403)),
    Case("review_export", expect(LOGIN, 403, 403, 200, 200, 404, 403)),
    Case("review_matrix", expect(LOGIN, 403, 403, 200, 200, 404, 403)),
    Case("review_bulk", expect(LOGIN, 403, 403, 302, 302, 404, 403), method="post", data=bulk_of(alpha_deal)),
    Case(
        "review_bulk",
        expect(LOGIN, 403, 403, 302, 302, 404, 403),
        method="post",
        data=bulk_of(alpha_draft),
        label="draft",
    ),
    Case(
        "review_bulk",
        expect(LOGIN, 403, 403, 302, 302, 404, 403),
        method="post",
        data=bulk_of(rival_deal),
        label="other_tenant",
    ),
    Case("review_bulk", expect(LOGIN, 403, 403, 405, 405, 404, 403), label="get"),
    Case(
        "review_queue",
        expect(LOGIN, 404, 404, 404, 404, 200, 404),
        kwargs=lambda w: {"vendor_slug": "rival"},
        label="rival",
    ),
]
