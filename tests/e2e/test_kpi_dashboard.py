"""The KPI dashboard in the browser: a channel manager picks another period and granularity and sees the partner
table change, recomputes and watches the progress bar finish; a partner rep sees only their company's scorecard."""

import re

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from knowledge.periods import period_of
from knowledge.selectors import shown_periods
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in
from tests.knowledge.test_dashboard_pages import put

pytestmark = pytest.mark.e2e


def rows(world, period, alpha_proposals):
    acme = world.acme
    put(acme, "vendor", "", period, name="Acme", proposals=alpha_proposals + 10, won=3, lost=3, amount=3000)
    put(acme, "partner", world.alpha.pk, period, name="Alpha Systems", proposals=alpha_proposals, won=2, lost=1,
        amount=2400, status={"proposal": alpha_proposals})  # fmt: skip
    put(acme, "partner", world.beta.pk, period, name="Beta Integration", proposals=10, won=1, lost=2, amount=600,
        status={"evaluation": 10})  # fmt: skip
    put(acme, "tier", "gold", period, name="Gold", proposals=alpha_proposals, won=2, lost=1, amount=2400)
    put(acme, "tier", "silver", period, name="Silver", proposals=10, won=1, lost=2, amount=600)


def test_periods_recompute_and_the_partner_view(e2e_world, live_server, browser, shot):
    world = e2e_world
    current, previous = shown_periods(world.acme, "quarter")[:2]
    month = period_of(previous.start, "month", world.acme.fiscal_year_start_month)
    with scopes_disabled():
        rows(world, current.key, 41)
        rows(world, previous.key, 17)
        rows(world, month.key, 5)

    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    cm = context.new_page()
    log_in(cm, live_server.url, world.channel_manager.email, PASSWORD)
    cm.goto(f"{live_server.url}/v/acme/")
    cm.get_by_role("link", name="KPIs", exact=True).click()
    expect(cm.get_by_role("heading", name="KPIs: partners compared")).to_be_visible()
    alpha = cm.locator("#kpi-partner-table tr", has=cm.get_by_text("Alpha Systems"))
    expect(alpha.locator("td").first).to_have_text("41")
    expect(cm.locator("canvas[data-kpi-chart=decomposition]")).to_be_visible()
    shot(cm, "kpis-vendor")

    # The period picker applies as soon as a period is chosen.
    cm.get_by_label("Period", exact=True).select_option(previous.key)
    expect(cm).to_have_url(re.compile(f"period={previous.key}"))
    expect(alpha.locator("td").first).to_have_text("17")

    # Months instead of quarters: the first month of that quarter.
    cm.get_by_label("Granularity").select_option("month")
    expect(cm).to_have_url(re.compile("granularity=month"))
    expect(cm.get_by_label("Period", exact=True)).to_have_value(month.key)
    expect(alpha.locator("td").first).to_have_text("5")

    # Recompute from the deals (there are none): the bar reaches 100 %, then the page shows the new figures.
    cm.get_by_role("button", name="Recompute").click()
    bar = cm.get_by_role("progressbar", name="KPI recompute progress")
    expect(bar).to_have_attribute("aria-valuenow", "100")
    expect(cm.get_by_text("Updated.")).to_be_visible()
    shot(cm, "kpis-recomputed")
    expect(alpha.locator("td").first).to_have_text("0", timeout=10_000)
    expect(cm.get_by_label("Period", exact=True)).to_have_value(month.key)
    context.close()

    # The rep of Alpha sees their company against the gold tier, and no other partner.
    partner = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    rep = partner.new_page()
    log_in(rep, live_server.url, world.partner_rep.email, PASSWORD)
    rep.goto(f"{live_server.url}/v/acme/kpis/")
    expect(rep.get_by_role("heading", name="KPIs: Alpha Systems")).to_be_visible()
    expect(rep.locator("#kpi-scorecard")).to_contain_text("Proposals")
    expect(rep.get_by_text("Beta Integration")).to_have_count(0)
    expect(rep.get_by_role("button", name="Recompute")).to_have_count(0)
    shot(rep, "kpis-partner")
    partner.close()


def test_a_failed_recompute_says_so(e2e_world, live_server, browser):
    world = e2e_world
    current = shown_periods(world.acme, "quarter")[0]
    with scopes_disabled():
        rows(world, current.key, 41)
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    cm = context.new_page()
    log_in(cm, live_server.url, world.vendor_admin.email, PASSWORD)
    cm.goto(f"{live_server.url}/v/acme/kpis/")
    cm.route(
        "**/api/v1/tasks/**",
        lambda route: route.fulfill(status=200, json={"state": "FAILURE", "progress": 40}),
    )
    cm.get_by_role("button", name="Recompute").click()
    expect(cm.get_by_role("status").filter(has_text="The recompute failed")).to_be_visible()
    expect(cm.get_by_role("button", name="Recompute")).to_be_enabled()
    expect(cm.locator("#kpi-partner-table")).to_contain_text("41")  # the page stays as it was
    context.close()
