"""Insight pages, their CSV exports and APIs (DESIGN §6, §7): loss factors and ringi patterns.

Vendor staff only: the analyses pool every partner's closed deals, so partner roles get 403 (they must never
see other partners' deals, not even as counts); another vendor's admin gets 404 under acme's URL. A bad filter
on a page is shown and ignored (200); in the API it is a 400.
"""

from django.urls import reverse

from tests.isolation.cases import LOGIN, Case, expect

API = {"json": True}
STAFF_PAGE = expect(LOGIN, 403, 403, 200, 200, 404, 403)
STAFF_API = expect(401, 403, 403, 200, 200, 404, 403)


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
    Case("api_insights_loss_factors", STAFF_API, **API),
    Case(
        "api_insights_loss_factors",
        expect(401, 403, 403, 400, 400, 404, 403),
        path=with_query("api_insights_loss_factors", "?period=someday"),
        label="bad_filter",
        **API,
    ),
    Case("api_insights_ringi_patterns", STAFF_API, **API),
    Case(
        "api_insights_ringi_patterns",
        expect(401, 404, 404, 404, 404, 200, 404),
        kwargs=lambda w: {"vendor_slug": "rival"},
        label="rival",
        **API,
    ),
]
