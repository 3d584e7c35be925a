"""The KPI pages (DESIGN §6): vendor staff compare partners, partner users see their own company's scorecard.

Every member of the vendor opens the page and the CSV (what each role sees is tested in
tests/knowledge/test_dashboard_pages.py); another vendor's admin gets 404 under acme's URL. Odd picker values
never break the page.
"""

from django.urls import reverse

from tests.isolation.cases import LOGIN, Case, expect


def with_query(name: str, vendor: str, query: str):
    return lambda world: reverse(name, kwargs={"vendor_slug": vendor}) + query


CASES = [
    Case("kpi_dashboard", expect(LOGIN, 200, 200, 200, 200, 404, 200)),
    Case("kpi_export", expect(LOGIN, 200, 200, 200, 200, 404, 200)),
    Case(
        "kpi_dashboard",
        expect(LOGIN, 404, 404, 404, 404, 200, 404),
        kwargs=lambda w: {"vendor_slug": "rival"},
        label="rival",
    ),
    Case(
        "kpi_export",
        expect(LOGIN, 404, 404, 404, 404, 200, 404),
        kwargs=lambda w: {"vendor_slug": "rival"},
        label="rival",
    ),
    Case(
        "kpi_dashboard",
        expect(LOGIN, 200, 200, 200, 200, 404, 200),
        path=with_query(
            "kpi_dashboard", "acme", "?granularity=week&period=FY1999-Q9&tier=x&channel_manager=y&page=z"
        ),
        label="odd_pickers",
    ),
    Case(
        "kpi_export",
        expect(LOGIN, 200, 200, 200, 200, 404, 200),
        path=with_query("kpi_export", "acme", "?granularity=month&period=%00&sort=evil"),
        label="odd_pickers",
    ),
]
