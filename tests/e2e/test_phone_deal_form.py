"""A rep registers a deal on a phone (390×844, Japanese): MEDDIC cards that fold, the reason counter, no sideways
scrolling; the connection drops as they save and nothing typed is lost; leaving with unsaved changes asks first."""

import re
from datetime import timedelta

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from deals.models import Deal
from prm.clock import vendor_today
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in
from tests.e2e.test_deal_registration_flow import UI, control, element, radio_in

pytestmark = pytest.mark.e2e

CUSTOMER = "株式会社みなと物流"
REASON = "倉庫管理の属人化で出荷ミスが月20件\n物流センター統合が来期に決定\n同業3社での導入実績"


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844}, has_touch=True)
    context.set_default_timeout(10_000)
    yield context
    context.close()


def fill_the_form(page, today):
    control(page, "textbox", UI["customer_name"]).fill(CUSTOMER)
    control(page, "textbox", UI["title"]).fill("倉庫管理システム導入")
    control(page, "textbox", UI["amount"]).fill("9800000")
    control(page, "textbox", UI["close_date"]).fill((today + timedelta(days=60)).isoformat())
    control(page, "combobox", UI["phase"]).select_option(label=UI["evaluation"])
    reason = page.get_by_role("textbox", name=UI["proposal_reason"])
    reason.fill(REASON)
    counter = page.locator(".reason-counter")
    expect(counter).to_contain_text("1行目")
    expect(counter).to_be_in_viewport()  # visible right under the text while typing
    card = element(page, UI["identify_pain"])
    fold = card.locator(".element-fold")
    expect(fold).to_have_attribute("aria-expanded", "false")  # folded on a phone
    fold.click()
    radio_in(card, UI["level"], f"2 {UI['levels'][2]}").check()
    radio_in(card, UI["evidence"], UI["evidenced"]).check()
    expect(fold).to_contain_text(UI["levels"][2])  # the header says what was chosen
    expect(fold).to_contain_text(UI["evidenced"])


def test_a_lost_connection_while_saving_loses_nothing(e2e_world, live_server, phone, shot):
    world = e2e_world
    today = vendor_today(world.acme)
    page = phone.new_page()
    log_in(page, live_server.url, world.partner_rep.email, PASSWORD)
    page.get_by_role("link", name=UI["new_deal"]).first.click()
    form_url = page.url
    fill_the_form(page, today)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    shot(page, "phone-deal-form-390")

    phone.set_offline(True)
    page.get_by_role("button", name=UI["save_submit"]).click()
    page.wait_for_timeout(500)
    phone.set_offline(False)

    page.goto(form_url)
    banner = page.locator(".draft-restore")
    expect(banner).to_be_visible()
    shot(page, "phone-deal-form-restore-390")
    page.get_by_role("button", name="変更を復元").click()
    expect(control(page, "textbox", UI["customer_name"])).to_have_value(CUSTOMER)
    expect(page.get_by_role("textbox", name=UI["proposal_reason"])).to_have_value(REASON)
    expect(element(page, UI["identify_pain"]).locator(".element-fold")).to_contain_text(UI["evidenced"])

    page.get_by_role("button", name=UI["save_submit"]).click()
    expect(page.get_by_role("heading", name=CUSTOMER)).to_be_visible()
    with scopes_disabled():
        deal = Deal.objects.get(customer_name=CUSTOMER)
        assert deal.proposal_reason == REASON and deal.registration_status == "submitted"
        assert deal.elements.get(code="identify_pain").evidence == "evidenced"

    # The saved changes are not offered again.
    page.goto(form_url)
    expect(control(page, "textbox", UI["customer_name"])).to_have_value("")
    expect(page.locator(".draft-restore")).to_be_hidden()


def test_leaving_with_unsaved_changes_asks_first(e2e_world, live_server, phone):
    page = phone.new_page()
    log_in(page, live_server.url, e2e_world.partner_rep.email, PASSWORD)
    page.get_by_role("link", name=UI["new_deal"]).first.click()
    control(page, "textbox", UI["customer_name"]).fill(CUSTOMER)
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", answer)
    page.close(run_before_unload=True)
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]


def test_the_menu_opens_the_sections_on_a_phone(e2e_world, live_server, phone):
    page = phone.new_page()
    log_in(page, live_server.url, e2e_world.partner_rep.email, PASSWORD)
    sections = page.get_by_role("navigation", name="セクション")
    expect(sections.get_by_role("link", name="案件")).to_be_hidden()
    page.get_by_role("button", name="メニュー").click()
    sections.get_by_role("link", name=re.compile("^案件$")).click()
    expect(page.get_by_role("heading", name="案件", exact=True)).to_be_visible()
