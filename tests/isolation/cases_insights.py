"""Insight pages and their CSV exports (DESIGN §6): loss factors and ringi patterns.

Vendor staff only: the analyses pool every partner's closed deals, so partner roles get 403 (they must never
see other partners' deals, not even as counts); another vendor's admin gets 404 under acme's URL. A bad filter
on a page is shown and ignored (200).
"""

from django.urls import reverse

from tests.isolation.cases import LOGIN, Case, expect

STAFF_PAGE = expect(LOGIN, 403, 403, 200, 200, 404, 403)


def with_query(name, query, vendor="acme"):
    return lambda world: reverse(name, kwargs={"vendor_slug": vendor}) + query


CASES = [
    Case("insights_loss_factors", STAFF_PAGE),
    Case(
        "insights_loss_factors",
        STAFF_PAGE,
        path=with_query("insights_loss_factors", "?tier=gold&period=FY2099-Q9"),
        label="filtered",
    ),
    Case("insights_loss_factors_export", STAFF_PAGE),
    Case("insights_ringi_patterns", STAFF_PAGE),
    Case("insights_ringi_patterns_export", STAFF_PAGE),
    Case(
        "insights_ringi_patterns",
        expect(LOGIN, 404, 404, 404, 404, 200, 404),
        kwargs=lambda w: {"vendor_slug": "rival"},
        label="rival",
    ),
]
