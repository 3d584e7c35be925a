"""Loss factors in the browser: a channel manager opens Insights from the sidebar, narrows the closed deals to
one tier and reads what separates won deals from lost ones there."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in
from tests.knowledge.insights_world import deals_with_champions

pytestmark = pytest.mark.e2e


def test_a_channel_manager_filters_loss_factors_by_tier(e2e_world, live_server, browser, shot):
    world = e2e_world
    # Gold (Alpha): the example of the issue. Silver (Beta): few deals, all lost without a champion.
    deals_with_champions(world, {"verified": (9, 3), "none": (3, 8)})
    deals_with_champions(world, {"none": (0, 4)}, partner="beta")

    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, live_server.url, world.channel_manager.email, PASSWORD)
    page.goto(f"{live_server.url}/v/acme/")
    page.get_by_role("link", name="Insights").click()
    expect(page).to_have_url(re.compile(r"/v/acme/insights/loss-factors/"))
    expect(page.get_by_role("heading", name="What separates won deals from lost ones")).to_be_visible()
    expect(page.locator(".insight-population")).to_contain_text("27 closed deals reached the proposal phase")

    page.get_by_label("Tier").select_option(label="Gold")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"tier=gold"))
    expect(page.locator(".insight-population")).to_contain_text("23 closed deals reached the proposal phase")
    finding = page.locator(".finding-clear").first
    expect(finding).to_contain_text(
        "Champion status: “Verified” won 75% vs 27% for “None” — 2.8× the win rate"
    )
    expect(finding).to_contain_text("95% interval 10–57%, 11 deals")
    table = page.locator("section", has=page.get_by_role("heading", name="Champion status", exact=True))
    expect(table.get_by_role("row", name=re.compile(r"^Verified reference"))).to_contain_text("47–91%")
    shot(page, "insights-loss-factors-gold")

    page.get_by_label("Tier").select_option(label="Silver")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".insight-population")).to_contain_text("4 closed deals reached the proposal phase")
    expect(page.locator(".finding-not_enough").first).to_contain_text("every deal had “None” at proposal")
    page.get_by_role("link", name="Ringi patterns").click()
    expect(page).to_have_url(re.compile(r"/insights/ringi-patterns/\?.*tier=silver"))
    expect(page.get_by_role("heading", name="How a deal's pattern is derived")).to_be_visible()
    context.close()
