"""Every page of every role, in the browser, on a phone (390×844) and on a desktop (1280×800).

The pages are those the isolation matrix expects each role to open (a GET answering 200 with HTML), with the
same objects. On each one: nothing scrolls sideways, the page's own content starts in the first half of the first
screen, axe-core (vendored from npm into ``tests/e2e/vendor``) finds no serious or critical violation, and the
console shows no error (no Content-Security-Policy violation, no script error).

Layout does not depend on the database, so this walk runs in the SQLite run only (it is the longest browser
test); the PostgreSQL run keeps the other browser tests.
"""

import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from prm.clock import vendor_today
from tests.deals.conftest import register
from tests.isolation import deal_world
from tests.isolation.test_url_matrix import CASES

pytestmark = pytest.mark.e2e

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
ROLES = ("partner_rep", "partner_admin", "channel_manager", "vendor_admin")
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
# Not pages a person reads: machine answers, downloads, a fragment the deal page loads, and the API's own
# documentation (Swagger's assets).
NOT_PAGES = {
    "api_docs",
    "api_schema",
    "healthz",
    "content_file",
    "partner_import_template",
    "deal_import_template",
    "champion_activities",
}
SERIOUS = ("serious", "critical")


def pages_of(role: str) -> list:
    """One case per page name the role opens (GET, 200, not an export or the API)."""
    seen: dict[str, object] = {}
    for case in CASES:
        if case.method != "get" or case.json or case.expect.get(role) != 200 or case.path:
            continue
        if case.name in NOT_PAGES or "export" in case.name or case.name in seen:
            continue
        seen[case.name] = case
    return list(seen.values())


def _session_cookie(user, live_server) -> dict:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }


def _problems(page, viewport: dict) -> list[str]:
    problems = []
    width = page.evaluate("document.scrollingElement.scrollWidth")
    if width > viewport["width"]:
        problems.append(f"scrolls sideways ({width} px wide)")
    top = page.evaluate("document.getElementById('main')?.getBoundingClientRect().top ?? null")
    if top is None:
        problems.append("no #main")
    elif top > viewport["height"] / 2:
        problems.append(f"content starts at {top} px")
    # Evaluated through the browser's debugging channel: the page's Content-Security-Policy stays in force.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"
    )
    problems += [f"axe {v['id']} ({v['impact']}): {v['nodes']}" for v in violations if v["impact"] in SERIOUS]
    return problems


@pytest.mark.skipif(connection.vendor != "sqlite", reason="layout is the same on every database")
@pytest.mark.parametrize("width", VIEWPORTS)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_and_is_accessible(role, width, e2e_world, live_server, browser, shot):
    world = e2e_world
    for deal in (deal_world.alpha_deal, deal_world.alpha_draft, deal_world.beta_deal, deal_world.rival_deal):
        deal(world)
    # Closed deals and computed KPIs, so the KPI and insight pages show their charts and tables.
    today = vendor_today(world.acme)
    register(world, world.partner_rep, submit=True, customer_name="受注商事", phase="won", close_date=today)
    register(
        world,
        world.beta_rep,
        submit=True,
        customer_name="失注工業",
        phase="lost",
        close_date=today,
        loss_type="competitor",
    )
    call_command("recompute_kpis", vendor="acme", stdout=io.StringIO())
    viewport = VIEWPORTS[width]
    context = browser.new_context(locale="ja-JP", viewport=viewport)
    context.add_cookies([_session_cookie(world.user(role), live_server)])
    page = context.new_page()
    console = []  # errors the page logs (a Content-Security-Policy violation, a script error)
    page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: console.append(str(error)))
    failures = []
    pages = pages_of(role)
    assert len(pages) > 20
    for case in pages:
        path = reverse(case.name, kwargs=case.kwargs(world))
        response = page.goto(live_server.url + path)
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        page.wait_for_load_state("load")
        problems = _problems(page, viewport)
        problems += [f"console: {text[:160]}" for text in console]
        console.clear()
        if problems:
            if os.environ.get("E2E_SHOTS"):
                shot(page, f"{role}-{width}-{case.name}")
            failures.append(f"{case.name} {path}: " + "; ".join(problems))
    context.close()
    assert not failures, f"{role} at {viewport['width']} px:\n" + "\n".join(failures)
