"""Enablement in the browser: the vendor admin publishes a text with a two-question quiz to the gold tier; a
rep of a gold partner finds it as new in the inbox, opens it, scrolls to the end (read), fails the quiz once and
passes it; the vendor sees the funnel move."""

import re

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from enablement.models import Content, Delivery
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

TITLE = "MEDDIC 入門: 6つの要素"
BODY = "\n\n".join(
    f"第{n}節: パートナー経由の商談では、同じ言葉で事実を共有することが大切です。" * 4 for n in range(1, 31)
)


def delivery(content, user) -> Delivery:
    with scopes_disabled():
        return Delivery.objects.get(content=content, recipient=user)


def fill_question(page, number: int, text: str, choices: list[str], correct: int) -> None:
    group = page.get_by_role("group", name=f"Question {number}", exact=True)
    group.get_by_label("Question", exact=True).fill(text)
    for index, choice in enumerate(choices, 1):
        group.get_by_label(f"Choice {index}", exact=True).fill(choice)
    group.get_by_label(f"Choice {correct} is correct").check()


def stage_count(page, stage: str):
    return page.locator(f'[data-stage-count="{stage}"]')


def test_a_rep_opens_reads_and_passes_the_quiz(e2e_world, live_server, browser, shot):
    world = e2e_world

    # The vendor admin writes the content and publishes it to the gold tier.
    vendor = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    admin = vendor.new_page()
    log_in(admin, live_server.url, world.vendor_admin.email, PASSWORD)
    admin.goto(f"{live_server.url}/v/acme/")
    admin.get_by_role("link", name="Content", exact=True).click()
    admin.get_by_role("link", name="New content").first.click()
    admin.get_by_label("Title").fill(TITLE)
    admin.get_by_label("Summary").fill("案件登録の前に読んでください。")
    admin.locator("#id_body").fill(BODY)
    admin.get_by_label("Gold", exact=True).check()
    admin.get_by_text("Quiz (optional)").click()
    fill_question(admin, 1, "MEDDIC の要素はいくつ？", ["4つ", "6つ", "8つ"], 2)
    fill_question(admin, 2, "予算を持ち最終的に決めるのは？", ["決裁者", "推進者"], 1)
    shot(admin, "content-form")
    admin.get_by_role("button", name="Publish").click()
    expect(admin.get_by_text("Published and delivered to 2 people.")).to_be_visible()
    expect(stage_count(admin, "delivered")).to_have_text("2")
    expect(stage_count(admin, "opened")).to_have_text("0")
    with scopes_disabled():
        content = Content.objects.get(title=TITLE)

    # The rep sees it as new, opens it and scrolls to the end.
    partner = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    rep = partner.new_page()
    log_in(rep, live_server.url, world.partner_rep.email, PASSWORD)
    rep.goto(f"{live_server.url}/v/acme/")
    rep.get_by_role("link", name="Content", exact=True).click()
    item = rep.locator(".inbox-item", has=rep.get_by_role("link", name=TITLE))
    expect(item).to_contain_text("New")
    shot(rep, "content-inbox")
    item.get_by_role("link", name=TITLE).click()
    expect(rep.locator('[data-step="opened"]')).to_have_class(re.compile("is-done"))
    read_step = rep.locator('[data-step="read"]')
    expect(read_step).not_to_have_class(re.compile("is-done"))
    assert delivery(content, world.partner_rep).read_at is None
    rep.locator("#content-end").scroll_into_view_if_needed()
    expect(read_step).to_have_class(re.compile("is-done"))
    assert delivery(content, world.partner_rep).read_at is not None

    # A first attempt fails (one answer wrong): the score shows, the answers stay, and a retry passes.
    rep.get_by_label("6つ").check()
    rep.get_by_label("推進者").check()
    rep.get_by_role("button", name="Submit answers").click()
    expect(rep.get_by_text("1 of 2 correct (50%).")).to_be_visible()
    expect(rep.get_by_label("6つ")).to_be_checked()
    expect(rep.locator(".quiz-item.is-wrong")).to_have_count(1)
    shot(rep, "content-quiz-failed")
    rep.get_by_label("決裁者").check()
    rep.get_by_role("button", name="Submit answers").click()
    expect(rep.get_by_text("Passed: 2 of 2 correct (100%).")).to_be_visible()
    expect(rep.locator('[data-step="understood"]')).to_have_class(re.compile("is-done"))
    done = delivery(content, world.partner_rep)
    assert (done.quiz_attempts, done.last_score, done.understood_at is not None) == (2, 100, True)
    rep.get_by_role("link", name="Content from the vendor").click()
    expect(rep.locator(".inbox-item", has=rep.get_by_role("link", name=TITLE))).to_contain_text("Understood")

    # The vendor sees the funnel move.
    admin.reload()
    expect(stage_count(admin, "opened")).to_have_text("1")
    expect(stage_count(admin, "read")).to_have_text("1")
    expect(stage_count(admin, "understood")).to_have_text("1")
    expect(admin.get_by_text("1 person has not opened it")).to_be_visible()
    shot(admin, "content-funnel")
    vendor.close()
    partner.close()


def test_a_link_counts_as_read_after_its_seconds_on_the_page(e2e_world, live_server, browser):
    from tests.enablement.conftest import publish

    world = e2e_world
    content = publish(
        world, title="Webinar", kind="link", url="https://example.com/webinar", body="", read_seconds=5
    )
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    rep = context.new_page()
    log_in(rep, live_server.url, world.partner_rep.email, PASSWORD)
    rep.goto(f"{live_server.url}/v/acme/content/{content.pk}/view/")
    read_step = rep.locator('[data-step="read"]')
    # The end of this short page is in view at once, but for a link that alone does not count as reading.
    rep.wait_for_timeout(2000)
    expect(read_step).not_to_have_class(re.compile("is-done"))
    assert delivery(content, world.partner_rep).read_at is None
    expect(read_step).to_have_class(re.compile("is-done"), timeout=10_000)
    assert delivery(content, world.partner_rep).read_at is not None
    context.close()
