"""Verified means the vendor checked what is there now (DESIGN §17), in the browser: the channel manager verifies
the champion, the rep then raises it, and the manager sees it is no longer verified and was told."""

import re

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from meddic.models import MeddicElement
from tests.conftest import PASSWORD
from tests.deals.conftest import register
from tests.e2e.conftest import log_in
from tests.e2e.test_deal_registration_flow import element, radio_in

pytestmark = pytest.mark.e2e

CUSTOMER = "株式会社南海ロジテック"


def champion_evidence(deal) -> str:
    with scopes_disabled():
        return MeddicElement.objects.get(deal=deal, code="champion").evidence


def test_a_champion_changed_after_verification_is_no_longer_verified(e2e_world, live_server, browser, shot):
    world = e2e_world
    deal = register(
        world,
        world.partner_rep,
        submit=True,
        customer_name=CUSTOMER,
        phase="proposal",
        meddic={"champion": {"level": 1, "evidence": "reported", "status": "reported"}},
    )
    deal_url = f"{live_server.url}/v/acme/deals/{deal.pk}/"

    # The channel manager verifies the champion on a call.
    manager = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    cm = manager.new_page()
    log_in(cm, live_server.url, world.channel_manager.email, PASSWORD)
    cm.goto(deal_url)
    card = cm.locator("article", has=cm.locator("#element-champion"))
    card.get_by_text("Mark as verified by the vendor").click()
    card.get_by_label("Verified through").select_option("customer_meeting")
    card.get_by_label("How it was verified").fill("本人と面談し社内での推進を確認")
    card.get_by_role("button", name="Verify").click()
    expect(cm.get_by_text("marked as verified by the vendor")).to_be_visible()
    assert champion_evidence(deal) == "verified"

    # The rep, on a phone, raises the champion to "agreed & documented"; "verified" status is not theirs to pick.
    phone = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    rep = phone.new_page()
    log_in(rep, live_server.url, world.partner_rep.email, PASSWORD)
    rep.goto(f"{deal_url}edit/")
    champion = element(rep, "Champion")
    champion.get_by_role("button", name=re.compile("Champion")).click()  # the cards are folded on a phone
    expect(radio_in(champion, "Status", "Verified")).to_be_disabled()
    radio_in(champion, "Level", "3 Agreed & documented").check()
    shot(rep, "verification-lost-rep-form-390")
    rep.get_by_role("button", name="Save", exact=True).click()
    expect(rep).to_have_url(deal_url)
    assert champion_evidence(deal) == "reported"

    # The manager sees it is no longer verified, and the bell told them why.
    cm.goto(deal_url)
    champion_card = cm.locator("article", has=cm.locator("#element-champion"))
    expect(champion_card).to_contain_text("Reported by partner")
    expect(champion_card).not_to_contain_text("Verified by vendor")
    cm.goto(f"{live_server.url}/v/acme/notifications/")
    expect(cm.get_by_text("after it was verified: no longer verified")).to_be_visible()
    expect(cm.get_by_text(CUSTOMER).first).to_be_visible()
    shot(cm, "verification-lost-manager-notified")
