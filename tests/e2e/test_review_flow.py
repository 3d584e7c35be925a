"""The vendor's review in the browser: the channel manager opens the review queue, verifies an element and asks
the partner for a missing fact; the rep answers on the deal, and the score and the risk flags change."""

import re

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from meddic.models import DealScore
from tests.conftest import PASSWORD
from tests.deals.conftest import register
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

CUSTOMER = "株式会社北都精機"
QUESTION = "PoCの成功基準（測定できる指標）は顧客と合意できていますか？"
ANSWER = "応答時間50%短縮と月20時間の工数削減で合意しました"


def score_of(deal):
    with scopes_disabled():
        return DealScore.objects.get(deal=deal)


def test_a_channel_manager_reviews_and_the_rep_answers(e2e_world, live_server, browser, shot):
    world = e2e_world
    deal = register(
        world,
        world.partner_rep,
        submit=True,
        customer_name=CUSTOMER,
        phase="proposal",
        meddic={
            "metrics": {"level": 1, "evidence": "reported"},
            "economic_buyer": {"level": 2, "evidence": "reported", "access": "via_partner"},
        },
    )
    before = score_of(deal)
    assert "metrics_undefined" in before.flags
    deal_path = f"/v/acme/deals/{deal.pk}/"

    # The channel manager finds the deal in the review queue (their own partners, riskiest first).
    manager = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    cm = manager.new_page()
    log_in(cm, live_server.url, world.channel_manager.email, PASSWORD)
    cm.goto(f"{live_server.url}/v/acme/")
    cm.get_by_role("link", name="Review queue", exact=True).click()
    row = cm.locator("tr", has=cm.get_by_role("link", name=CUSTOMER))
    expect(row).to_contain_text(str(before.quality))
    expect(row).to_contain_text("Unreviewed")
    shot(cm, "review-queue")
    row.get_by_role("link", name=CUSTOMER).click()
    expect(cm).to_have_url(re.compile(re.escape(deal_path)))
    expect(cm.locator(".score-q")).to_have_text(str(before.quality))
    expect(cm.locator('[data-flag="metrics_undefined"]')).to_be_visible()

    # Verifies the economic buyer after a joint visit…
    card = cm.locator("article", has=cm.locator("#element-economic_buyer"))
    card.get_by_text("Mark as verified by the vendor").click()
    card.get_by_label("Verified through").select_option("joint_visit")
    card.get_by_label("How it was verified").fill("部長同行で情報システム部長と面談")
    card.get_by_role("button", name="Verify").click()
    expect(cm.get_by_text("marked as verified by the vendor")).to_be_visible()
    verified = score_of(deal)
    assert verified.visibility > before.visibility
    expect(cm.locator(".score-v")).to_have_text(str(verified.visibility))

    # …and asks the partner about the metrics.
    metrics = cm.locator("article", has=cm.locator("#element-metrics"))
    metrics.get_by_text("Ask the partner").click()
    metrics.get_by_label("What do you need to know?").fill(QUESTION)
    metrics.get_by_role("button", name="Send question").click()
    expect(cm.get_by_text("sent to Alpha Systems")).to_be_visible()
    expect(cm.locator(".info-requests")).to_contain_text(QUESTION)
    expect(cm.locator(".review-panel .review-badge")).to_have_text("Needs info")
    shot(cm, "review-asked")

    # The rep sees the question on their dashboard and answers it on the element, in place.
    partner = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    rep = partner.new_page()
    log_in(rep, live_server.url, world.partner_rep.email, PASSWORD)
    rep.goto(f"{live_server.url}/v/acme/")
    expect(rep.locator(".app-navbar .badge")).to_be_visible()
    questions = rep.locator("section", has=rep.get_by_role("heading", name="Questions from the vendor"))
    questions.get_by_role("link", name=CUSTOMER).click()
    form = rep.locator("form.answer-form")
    expect(form).to_be_visible()
    form.get_by_label(re.compile("Agreed & documented")).check()
    form.get_by_label(re.compile("^Evidenced")).check()
    form.get_by_label("Your answer").fill(ANSWER)
    shot(rep, "review-answer")
    form.get_by_role("button", name="Send answer").click()
    expect(rep.get_by_text("Answer sent.")).to_be_visible()
    answered = score_of(deal)
    assert "metrics_undefined" not in answered.flags
    assert answered.quality > verified.quality and answered.visibility > verified.visibility
    expect(rep.locator('[data-flag="metrics_undefined"]')).to_have_count(0)
    expect(rep.locator(".score-q")).to_have_text(str(answered.quality))

    # The channel manager reads the answer on the deal and marks the deal qualified from the queue.
    cm.goto(f"{live_server.url}{deal_path}")
    expect(cm.locator(".info-requests")).to_contain_text(ANSWER)
    expect(cm.locator(".score-q")).to_have_text(str(answered.quality))
    cm.get_by_role("link", name="Review queue", exact=True).click()
    cm.get_by_label("Select all deals on this page").check()
    expect(cm.locator(f'input[name="deal"][value="{deal.pk}"]')).to_be_checked()
    cm.get_by_label("Mark checked deals as").select_option("qualified")
    cm.get_by_role("button", name="Apply to checked deals").click()
    expect(cm.get_by_text(re.compile("marked"))).to_be_visible()
    expect(cm.locator("tr", has=cm.get_by_role("link", name=CUSTOMER))).to_contain_text("Qualified")
    shot(cm, "review-qualified")
    manager.close()
    partner.close()
