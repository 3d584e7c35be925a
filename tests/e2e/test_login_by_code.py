"""A partner rep signs in on a phone with a code from their mail, and stays signed in on that device."""

import re
import time

import pytest
from django.core import mail
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_a_rep_signs_in_with_a_code_on_a_phone(e2e_world, live_server, browser, shot):
    context = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="ログインコードをメールで受け取る").click()
    page.get_by_role("textbox", name="メールアドレス").fill(e2e_world.partner_rep.email)
    page.get_by_role("checkbox", name=re.compile("この端末を記憶する")).check()
    shot(page, "login-code-request-390")
    page.get_by_role("button", name="コードをメールで送る").click()
    expect(page.get_by_role("textbox", name="コード")).to_be_visible()
    body = next(m.body for m in reversed(mail.outbox) if e2e_world.partner_rep.email in m.to)
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", body, re.MULTILINE).group(1)
    page.get_by_role("textbox", name="コード").fill(code)
    page.get_by_role("button", name="確認").click()
    expect(page.get_by_role("heading", name="ダッシュボード")).to_be_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    cookie = next(c for c in context.cookies() if c["name"] == "sessionid")
    # Kept across browser restarts for weeks: remembered on this device.
    assert cookie["expires"] - time.time() > 25 * 24 * 60 * 60
    context.close()
