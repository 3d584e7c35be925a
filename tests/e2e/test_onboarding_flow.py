"""A vendor admin onboards a partner in the browser; the invited partner admin joins and sees only their company."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_vendor_admin_onboards_a_partner_and_the_invitee_joins(e2e_world, live_server, browser, shot):
    base = live_server.url
    admin = browser.new_page(locale="en-US")
    log_in(admin, base, e2e_world.vendor_admin.email, PASSWORD)
    expect(admin).to_have_url(f"{base}/v/acme/")
    expect(admin.get_by_role("heading", name="Dashboard")).to_be_visible()

    # Create the partner company.
    admin.get_by_role("link", name="Partners").click()
    admin.get_by_role("link", name="New partner").click()
    admin.get_by_label("Company name").fill("Delta ソリューションズ株式会社")
    admin.get_by_label("Tier").select_option("gold")
    admin.get_by_label("Channel manager").select_option(label="Chika Manager <cm@acme.example>")
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_role("heading", name="Delta ソリューションズ株式会社")).to_be_visible()
    expect(admin.get_by_text("Partner “Delta ソリューションズ株式会社” created.")).to_be_visible()

    # Invite its first partner admin: the link goes out by mail.
    admin.get_by_label("Email address").fill("boss@delta.example")
    admin.get_by_label("Role").select_option("partner_admin")
    admin.get_by_role("button", name="Send invitation").click()
    expect(admin.get_by_text("Invitation sent to boss@delta.example.")).to_be_visible()
    [invitation_mail] = [message for message in mail.outbox if message.to == ["boss@delta.example"]]
    link = re.search(r"https?://\S+/invitations/\S+", invitation_mail.body).group()
    shot(admin, "partner-detail-en")

    # The invitee accepts in their own browser session.
    invitee_context = browser.new_context(locale="en-US")
    invitee = invitee_context.new_page()
    invitee.goto(base + link[link.index("/invitations/") :])
    expect(invitee.get_by_role("heading", name="Join Acme Software")).to_be_visible()
    invitee.get_by_label("Your name").fill("デルタ 社長")
    invitee.get_by_label("Password*", exact=True).fill(PASSWORD)
    invitee.get_by_label("Password (again)").fill(PASSWORD)
    invitee.get_by_role("button", name="Set password and join").click()
    expect(invitee).to_have_url(f"{base}/v/acme/")
    expect(invitee.get_by_text("Delta ソリューションズ株式会社").first).to_be_visible()

    # They log out and in again, and see only their own company.
    invitee.get_by_role("button", name="デルタ 社長").click()
    invitee.get_by_role("button", name="Log out").click()
    log_in(invitee, base, "boss@delta.example", PASSWORD)
    expect(invitee).to_have_url(f"{base}/v/acme/")
    expect(invitee.get_by_role("link", name="Partners")).to_have_count(0)
    invitee.get_by_role("link", name="My company").click()
    expect(invitee.get_by_role("heading", name="Delta ソリューションズ株式会社")).to_be_visible()
    content = invitee.content()
    assert "Alpha Systems" not in content and "Beta Integration" not in content
    other_company = invitee.goto(f"{base}/v/acme/partners/{e2e_world.alpha.pk}/")
    assert other_company.status == 404 and "Alpha Systems" not in invitee.content()
    partner_list = invitee.goto(f"{base}/v/acme/partners/")
    assert partner_list.status == 403

    # Switching to Japanese shows Japanese.
    invitee.goto(f"{base}/v/acme/")
    invitee.get_by_role("button", name="日本語").click()
    expect(invitee.get_by_role("heading", name="ダッシュボード")).to_be_visible()
    expect(invitee.get_by_role("link", name="自社")).to_be_visible()
    shot(invitee, "partner-dashboard-ja")
    invitee_context.close()
