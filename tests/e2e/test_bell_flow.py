"""Registration decisions reach the bell (DESIGN §10), in the browser: the channel manager approves a deal on its
page, and the rep, on a phone, sees the approval in the bell and follows it to the deal."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.deals.conftest import register
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

CUSTOMER = "株式会社北斗テクノサービス"


def test_the_rep_sees_the_approval_in_the_bell(e2e_world, live_server, browser, shot):
    world = e2e_world
    deal = register(world, world.partner_rep, submit=True, customer_name=CUSTOMER)
    deal_url = f"{live_server.url}/v/acme/deals/{deal.pk}/"

    manager = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    cm = manager.new_page()
    log_in(cm, live_server.url, world.channel_manager.email, PASSWORD)
    expect(cm.get_by_role("link", name="Notifications")).to_contain_text("1 unread notification")
    cm.goto(deal_url)
    cm.get_by_role("button", name="Approve").click()
    expect(cm.get_by_text("Approved", exact=False).first).to_be_visible()

    phone = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    rep = phone.new_page()
    log_in(rep, live_server.url, world.partner_rep.email, PASSWORD)
    bell = rep.get_by_role("link", name="Notifications")
    expect(bell).to_contain_text("1 unread notification")
    shot(rep, "bell-unread-390")
    bell.click()
    item = rep.get_by_text(f"approved the registration of {CUSTOMER}")
    expect(item).to_be_visible()
    shot(rep, "bell-approval-390")
    item.click()
    expect(rep).to_have_url(deal_url)
