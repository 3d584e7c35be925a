"""The query plans behind the pages: each page is rendered once in this process (Django's test client, signed in
as the page's user), its queries captured, and the slowest of each page explained with ``EXPLAIN (ANALYZE,
BUFFERS)`` under the same tenant role and vendor setting the page ran with.

The plans go to ``bench/results/plans.txt``; the summary (queries per page, the slowest, and any sequential scan
of a large table or sort spilled to disk) goes to the results.
"""

import re
from pathlib import Path

SLOWEST = 2
LARGE_TABLES = (
    "deals_deal",
    "meddic_dealscore",
    "meddic_meddicelement",
    "audit_auditentry",
    "deals_phasechange",
)


def explain_pages(vendor_slug: str, email: str, pages: list[tuple[str, str]], out: Path) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_scopes import scopes_disabled

    from partners.models import User, Vendor
    from prm.tenancy import vendor_scope

    with scopes_disabled():
        user = User.objects.get(email=email)
        vendor = Vendor.objects.get(slug=vendor_slug)
    client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="ja")
    client.force_login(user)
    summary, text = {}, []
    for name, path in pages:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        selects = [q for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
        slowest = sorted(selects, key=lambda q: float(q["time"]), reverse=True)[:SLOWEST]
        problems = set()
        text.append(f"==== {name} {path} → {response.status_code}, {len(captured)} queries")
        for query in slowest:
            with vendor_scope(vendor), connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
                plan = "\n".join(row[0] for row in cursor.fetchall())
            for table in LARGE_TABLES:
                if re.search(rf"Seq Scan on {table}\b", plan):
                    problems.add(f"seq scan {table}")
            if "external merge" in plan:
                problems.add("sort spilled to disk")
            text += [f"-- {float(query['time']) * 1000:.1f} ms", query["sql"], plan, ""]
        summary[name] = {
            "queries": len(captured),
            "slowest_ms": round(float(slowest[0]["time"]) * 1000, 1) if slowest else 0.0,
            "problems": sorted(problems),
        }
    out.write_text("\n".join(text) + "\n")
    return summary
