"""Mail per group of events: at once, in the 08:00 daily digest, or not at all; one-click unsubscribe; and the
channel manager's morning summary of their partners' deals, sent once a day."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from deals import workflow
from deals.models import Deal
from notifications.digest import QUIET_DAYS, digests_send, is_digest_time
from notifications.models import Notification
from partners.models import User
from prm.tenancy import vendor_scope
from tests.conftest import access_of
from tests.deals.conftest import register

TOKYO = ZoneInfo("Asia/Tokyo")


def choose(user, **choices):
    with scopes_disabled():
        User.objects.filter(pk=user.pk).update(mail_preferences=choices)


def approve(world, deal, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), vendor_scope(world.acme):
        workflow.deal_transition(
            access=access_of(world.channel_manager, world.acme), deal=deal, action="approve"
        )


def mail_to(address):
    return [message for message in mail.outbox if message.to == [address]]


def morning(day_offset=0):
    """08:10 in Tokyo, today (plus ``day_offset`` days)."""
    today = timezone.localtime(timezone.now(), TOKYO).date() + timedelta(days=day_offset)
    return datetime(today.year, today.month, today.day, 8, 10, tzinfo=TOKYO)


def send_digests(world, now):
    with vendor_scope(world.acme):
        return digests_send(world.acme, now=now)


def test_no_mail_still_rings_the_bell(world, django_capture_on_commit_callbacks):
    choose(world.partner_rep, registrations="off")
    deal = register(world, world.partner_rep, submit=True)
    mail.outbox.clear()
    approve(world, deal, django_capture_on_commit_callbacks)
    assert mail_to("rep@alpha.example") == [] and len(mail_to("padmin@alpha.example")) == 1
    with scopes_disabled():
        assert Notification.objects.get(recipient=world.partner_rep).mail_state == "off"


def test_a_digest_gathers_the_day_and_goes_out_once(world, django_capture_on_commit_callbacks):
    choose(world.partner_rep, registrations="digest")
    deal = register(world, world.partner_rep, submit=True, customer_name="株式会社サンプル商事")
    mail.outbox.clear()
    approve(world, deal, django_capture_on_commit_callbacks)
    assert mail_to("rep@alpha.example") == []
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests(world, morning()) >= 1
    [digest] = mail_to("rep@alpha.example")
    assert "株式会社サンプル商事" in digest.body and f"/v/acme/deals/{deal.pk}/" in digest.body
    with django_capture_on_commit_callbacks(execute=True):
        send_digests(world, morning())
    assert len(mail_to("rep@alpha.example")) == 1  # never twice a day
    with scopes_disabled():
        assert Notification.objects.get(recipient=world.partner_rep).mail_state == "sent"


def test_digests_go_out_in_the_vendors_eight_oclock_hour():
    class Vendor:
        time_zone = "Asia/Tokyo"

    assert is_digest_time(Vendor, now=datetime(2026, 12, 7, 23, 10, tzinfo=ZoneInfo("UTC")))  # 08:10 in Tokyo
    assert not is_digest_time(Vendor, now=datetime(2026, 12, 7, 8, 10, tzinfo=ZoneInfo("UTC")))


def test_the_unsubscribe_link_of_a_mail_works_in_one_click(world, django_capture_on_commit_callbacks):
    deal = register(world, world.partner_rep, submit=True)
    mail.outbox.clear()
    approve(world, deal, django_capture_on_commit_callbacks)
    [message] = mail_to("rep@alpha.example")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    path = url.split("://", 1)[1].split("/", 1)[1]
    anonymous = Client(enforce_csrf_checks=True, headers={"accept-language": "en"})
    assert "Stop mail to rep@alpha.example" in anonymous.get(f"/{path}").content.decode()
    response = anonymous.post(f"/{path}", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    with scopes_disabled():
        assert User.objects.get(pk=world.partner_rep.pk).mail_preferences == {"registrations": "off"}


def test_a_forged_unsubscribe_link_changes_nothing(world):
    response = Client().post(reverse("mail_unsubscribe", args=["forged-token"]))
    assert response.status_code == 404


def test_the_mail_settings_page_keeps_each_choice(world, client_for):
    client = client_for(world.partner_rep)
    page = client.get(reverse("mail_preferences")).content.decode()
    assert "Deal registrations" in page and "Daily digest at 08:00" in page
    response = client.post(
        reverse("mail_preferences"),
        {
            "registrations": "digest",
            "qualification": "off",
            "results": "immediate",
            "content": "immediate",
            "leads": "immediate",
            "mdf": "immediate",
            "tiers": "immediate",
            "admin": "immediate",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        saved = User.objects.get(pk=world.partner_rep.pk).mail_preferences
    assert saved["registrations"] == "digest" and saved["qualification"] == "off"


def test_the_channel_managers_morning_summary(world, django_capture_on_commit_callbacks):
    fresh = register(world, world.partner_rep, submit=True, customer_name="新規登録商事")
    quiet = register(world, world.partner_rep, submit=True, customer_name="静かな工業")
    with scopes_disabled():
        long_ago = timezone.now() - timedelta(days=QUIET_DAYS, hours=2)
        Deal.objects.filter(pk=quiet.pk).update(updated_at=long_ago, registered_at=long_ago)
        User.objects.filter(pk=world.channel_manager.pk).update(language="en")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send_digests(world, timezone.now())
    [summary] = mail_to("cm@acme.example")
    new_part, quiet_part = summary.body.split("Gone quiet")
    assert "新規登録商事" in new_part and "静かな工業" not in new_part
    assert "静かな工業" in quiet_part
    assert f"/v/acme/deals/{fresh.pk}/" in summary.body
    html = {kind: content for content, kind in summary.alternatives}["text/html"]
    assert "静かな工業" in html


def test_every_event_belongs_to_exactly_one_mail_group():
    from notifications.preferences import GROUPS
    from prm.event_codes import EVENT_CODES

    grouped = [code for _label, codes in GROUPS.values() for code in codes]
    assert sorted(grouped) == sorted(EVENT_CODES)


def test_the_mail_page_offers_only_what_the_product_sends(world, client_for):
    page = client_for(world.partner_rep).get(reverse("mail_preferences")).content.decode()
    assert 'name="registrations"' in page and 'name="content"' in page
    # Leads, funds and tiers are not built yet: no choice about mail nobody can get.
    assert 'name="leads"' not in page and 'name="mdf"' not in page and 'name="tiers"' not in page
