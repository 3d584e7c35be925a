"""One event pipeline (DESIGN §10): services record events, one module fans them out to the bell and to mail in
each reader's language, and nothing is sent inside the request — a mail server that is away fails no action."""

import socket

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django_scopes import scopes_disabled

from deals import workflow
from notifications.fanout import fan_out
from notifications.models import Notification
from partners.models import User
from prm import mailer
from prm.events import event_record
from prm.models import Event, OutgoingMail
from prm.tenancy import vendor_scope
from tests.conftest import access_of
from tests.deals.conftest import register


def bell(user) -> list[tuple[str, int | None]]:
    with scopes_disabled():
        return list(Notification.objects.filter(recipient=user).values_list("kind", "deal_id").order_by("pk"))


def act(world, user, deal, action, reason=""):
    with vendor_scope(world.acme):
        return workflow.deal_transition(
            access=access_of(user, world.acme), deal=deal, action=action, reason=reason
        )


def closed_port() -> int:
    """A local port nobody listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_registration_decisions_reach_the_bell_of_the_partner_and_the_manager(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        deal = register(world, world.partner_rep, submit=True)
    assert bell(world.channel_manager) == [("deal.submitted", deal.pk)]
    assert bell(world.partner_rep) == []  # who acted hears nothing
    with django_capture_on_commit_callbacks(execute=True):
        act(world, world.channel_manager, deal, "approve")
    assert bell(world.partner_rep) == [("deal.approved", deal.pk)]
    assert bell(world.partner_admin) == [("deal.approved", deal.pk)]
    assert bell(world.channel_manager) == [("deal.submitted", deal.pk)]
    with scopes_disabled():
        approved = Notification.objects.get(recipient=world.partner_rep)
    from notifications.kinds import render

    with scopes_disabled():
        assert "approved the registration of" in render(approved) and "protected until" in render(approved)


def test_a_partner_without_a_channel_manager_reaches_every_channel_manager(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        deal = register(world, world.beta_rep, submit=True)  # Beta has no channel manager
    assert bell(world.channel_manager) == [("deal.submitted", deal.pk)]
    assert bell(world.vendor_admin) == []


def test_a_rolled_back_change_records_no_event(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        register(world, world.partner_rep, submit=True)
        raise RuntimeError("the request failed after the change")
    with scopes_disabled():
        assert not Event.objects.exists() and not Notification.objects.exists()


def test_fanning_out_twice_tells_nobody_twice(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        deal = register(world, world.partner_rep, submit=True)
    with scopes_disabled():
        event = Event.objects.get(code="deal.submitted")
    with vendor_scope(world.acme), transaction.atomic():
        assert fan_out(event) == 0
    assert bell(world.channel_manager) == [("deal.submitted", deal.pk)]
    assert len(mail.outbox) == 1


def test_an_unknown_event_code_is_refused(world):
    with vendor_scope(world.acme), pytest.raises(ValueError):
        event_record(vendor=world.acme, code="deal.teleported")


def test_mail_goes_in_the_readers_language_with_text_and_html(world, django_capture_on_commit_callbacks):
    with scopes_disabled():
        User.objects.filter(pk=world.partner_rep.pk).update(language="en")
        User.objects.filter(pk=world.partner_admin.pk).update(language="ja")
    deal = register(world, world.partner_rep, submit=True, customer_name="株式会社サンプル商事")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        act(world, world.channel_manager, deal, "return", reason="決裁者を追記してください")
    by_reader = {message.to[0]: message for message in mail.outbox}
    english, japanese = by_reader["rep@alpha.example"], by_reader["padmin@alpha.example"]
    assert "returned the registration of 株式会社サンプル商事" in english.subject
    assert "差し戻しました" in japanese.subject
    for message in (english, japanese):
        html = {kind: content for content, kind in message.alternatives}["text/html"]
        assert "決裁者を追記してください" in message.body and "決裁者を追記してください" in html
        assert f"/v/acme/deals/{deal.pk}/" in message.body and f"/v/acme/deals/{deal.pk}/" in html


def test_the_language_switch_is_kept_on_the_account(world, client_for):
    client = client_for(world.partner_rep)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    with scopes_disabled():
        assert User.objects.get(pk=world.partner_rep.pk).language == "en"
    client.post(reverse("set_language"), {"language": "ja", "next": "/"})
    with scopes_disabled():
        assert User.objects.get(pk=world.partner_rep.pk).language == "ja"


def test_with_the_mail_server_down_every_action_succeeds_and_mail_goes_out_later(
    world, client_for, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 2
    deal = register(world, world.partner_rep)
    submit_url = reverse("deal_transition", args=["acme", deal.pk, "submit"])
    approve_url = reverse("deal_transition", args=["acme", deal.pk, "approve"])
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(world.partner_rep).post(submit_url).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(world.channel_manager).post(approve_url).status_code == 302
    with scopes_disabled():
        waiting = list(OutgoingMail.objects.filter(sent_at=None).order_by("pk"))
    assert sorted(m.to for m in waiting) == ["cm@acme.example", "padmin@alpha.example", "rep@alpha.example"]
    assert all(m.attempts == 1 and "refused" in m.last_error.lower() for m in waiting)
    assert bell(world.partner_rep) == [("deal.approved", deal.pk)]  # the bell did not wait for mail

    # The server is back: the flush sends what is due (the next attempt's time has come).
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with scopes_disabled():
        OutgoingMail.objects.update(next_attempt_at=waiting[0].created_at)
    assert mailer.mail_flush() == 3
    assert sorted(m.to[0] for m in mail.outbox) == [
        "cm@acme.example",
        "padmin@alpha.example",
        "rep@alpha.example",
    ]
    assert mailer.mail_flush() == 0


def test_a_failed_mail_waits_longer_after_each_attempt(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 2
    queued = mailer.mail_queue(to="someone@example.com", subject="s", body="b")
    pauses = []
    for _ in range(3):
        assert mailer.mail_send(queued.pk) is False
        with scopes_disabled():
            queued.refresh_from_db()
        pauses.append(round((queued.next_attempt_at - queued.created_at).total_seconds() / 60))
    assert pauses[0] < pauses[1] < pauses[2]
    assert mailer.mail_flush() == 0  # none is due yet


def test_a_mail_with_a_secret_link_forgets_its_text_once_sent(world):
    queued = mailer.mail_queue(to="someone@example.com", subject="s", body="the link", sensitive=True)
    assert mailer.mail_send(queued.pk) is True
    with scopes_disabled():
        queued.refresh_from_db()
    assert queued.sent_at is not None and queued.body == "" and mail.outbox[0].body == "the link"


def test_a_won_deal_reaches_the_channel_manager(world, django_capture_on_commit_callbacks):
    from deals import services
    from prm.clock import vendor_today

    deal = register(world, world.partner_rep, submit=True)
    with django_capture_on_commit_callbacks(execute=True), vendor_scope(world.acme):
        services.deal_update(
            access=access_of(world.partner_rep, world.acme),
            deal=deal,
            fields={"phase": "won", "close_date": vendor_today(world.acme)},
            version=deal.version,
        )
    assert ("deal.won", deal.pk) in bell(world.channel_manager)


def test_protection_ending_in_a_week_is_announced_once(world, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from deals.models import Deal
    from deals.tasks import expire_protection
    from prm.clock import vendor_today

    deal = register(world, world.partner_rep, submit=True)
    act(world, world.channel_manager, deal, "approve")
    with scopes_disabled():
        Deal.objects.filter(pk=deal.pk).update(protected_until=vendor_today(world.acme) + timedelta(days=7))
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            expire_protection.delay(vendor_id=world.acme.pk)
    assert bell(world.partner_rep).count(("deal.protection_expiring", deal.pk)) == 1
    assert bell(world.channel_manager).count(("deal.protection_expiring", deal.pk)) == 1


def test_published_content_rings_the_bell_of_each_recipient_and_leads_to_it(
    world, django_capture_on_commit_callbacks
):
    from notifications.fanout import link
    from tests.enablement.conftest import publish

    with django_capture_on_commit_callbacks(execute=True):
        content = publish(world, title="新しい価格表", tiers=["gold", "silver"])
    with scopes_disabled():
        told = Notification.objects.filter(kind="content.published").select_related("vendor")
        assert sorted(n.recipient.email for n in told) == [
            "padmin@alpha.example",
            "rep@alpha.example",
            "rep@beta.example",
        ]
        assert all(link(n).endswith(f"/v/acme/content/{content.pk}/view/") for n in told)
    assert bell(world.channel_manager) == [] and bell(world.vendor_admin) == []
