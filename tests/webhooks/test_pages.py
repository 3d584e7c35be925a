"""The vendor admins' webhook pages: add one (the secret shown once), change it, read and filter its delivery
log, export it, send a delivery again, and remove it."""

from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from prm.models import Event
from tests.conftest import body
from webhooks.models import Webhook, WebhookDelivery


def list_url():
    return reverse("webhook_list", args=["acme"])


def detail_url(hook):
    return reverse("webhook_detail", args=["acme", hook.pk])


def test_adding_a_webhook_shows_its_secret_once(world, client_for):
    client = client_for(world.vendor_admin)
    response = client.post(
        reverse("webhook_create", args=["acme"]),
        {
            "url": "https://hooks.example.com/crm",
            "description": "CRM sync",
            "event_codes": ["deal.approved", "deal.rejected"],
            "format": "json",
            "language": "en",
            "is_active": "on",
        },
    )
    with scopes_disabled():
        hook = Webhook.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(hook)
    assert hook.events == ["deal.approved", "deal.rejected"] and hook.created_by == world.vendor_admin
    first = client.get(detail_url(hook)).content.decode()
    assert hook.secret in first and "shown only once" in first
    assert hook.secret not in client.get(detail_url(hook)).content.decode()
    assert "CRM sync" in client.get(list_url()).content.decode()


def test_a_refused_address_keeps_what_was_typed(world, client_for):
    response = client_for(world.vendor_admin).post(
        reverse("webhook_create", args=["acme"]),
        {
            "url": "https://10.0.0.8/hook",
            "description": "社内の受信口",
            "all_events": "on",
            "format": "json",
            "language": "ja",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "public internet addresses" in page and "社内の受信口" in page
    with scopes_disabled():
        assert not Webhook.objects.exists()


def test_no_event_chosen_is_an_error(world, client_for):
    response = client_for(world.vendor_admin).post(
        reverse("webhook_create", args=["acme"]),
        {"url": "https://hooks.example.com/x", "format": "json", "language": "ja"},
    )
    assert response.status_code == 400 and "Choose at least one event" in response.content.decode()


def make_log(world) -> Webhook:
    with scopes_disabled():
        hook = Webhook.objects.create(vendor=world.acme, url="https://hooks.example.com/x", events=["*"])
        for code, delivered, retry in (
            ("deal.submitted", True, False),
            ("deal.approved", False, True),
            ("deal.rejected", False, False),
        ):
            event = Event.objects.create(vendor=world.acme, code=code, params={"customer": "Sample"})
            WebhookDelivery.objects.create(
                vendor=world.acme,
                webhook=hook,
                event=event,
                attempt=1 if delivered else 8,
                status_code=204 if delivered else 500,
                error="" if delivered else "HTTP 500",
                delivered_at=timezone.now() if delivered else None,
                next_retry_at=timezone.now() if retry else None,
            )
    return hook


def test_the_delivery_log_filters_and_exports(world, client_for):
    hook = make_log(world)
    client = client_for(world.vendor_admin)
    page = client.get(detail_url(hook)).content.decode()
    assert all(
        f'<code class="small">{code}</code>' in page
        for code in ("deal.submitted", "deal.approved", "deal.rejected")
    )
    assert "Registration approved" in page  # each event by its name too
    failed = client.get(detail_url(hook) + "?state=failed").content.decode()
    assert "deal.rejected</code>" in failed
    assert "deal.submitted</code>" not in failed and "deal.approved</code>" not in failed
    export = client.get(reverse("webhook_deliveries_export", args=["acme", hook.pk]) + "?state=waiting")
    lines = body(export).strip().splitlines()
    assert len(lines) == 2 and "deal.approved" in lines[1] and "HTTP 500" in lines[1]


def test_sending_a_delivery_again_adds_one_to_the_log(world, client_for):
    hook = make_log(world)
    with scopes_disabled():
        failed = WebhookDelivery.objects.get(event__code="deal.rejected")
    response = client_for(world.vendor_admin).post(
        reverse("webhook_redeliver", args=["acme", hook.pk, failed.pk])
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert WebhookDelivery.objects.filter(event=failed.event).count() == 2


def test_turning_a_disabled_webhook_on_again_and_removing_it(world, client_for):
    with scopes_disabled():
        hook = Webhook.objects.create(
            vendor=world.acme,
            url="https://hooks.example.com/x",
            events=["*"],
            is_active=False,
            disabled_at=timezone.now(),
        )
    client = client_for(world.vendor_admin)
    assert "kept failing" in client.get(detail_url(hook)).content.decode()
    response = client.post(
        detail_url(hook),
        {"url": hook.url, "all_events": "on", "format": "slack", "language": "ja", "is_active": "on"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        hook.refresh_from_db()
    assert hook.is_active and hook.disabled_at is None and hook.format == "slack"
    assert client.post(reverse("webhook_delete", args=["acme", hook.pk])).status_code == 302
    with scopes_disabled():
        assert not Webhook.objects.exists()


def test_the_settings_page_leads_to_the_webhooks(world, client_for):
    page = client_for(world.vendor_admin).get(reverse("vendor_settings", args=["acme"])).content.decode()
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title and title.startswith("Settings")
    assert f'href="{list_url()}"' in page


def test_the_form_names_each_event_once_and_writes_in_the_admins_language(world, client_for):
    client = client_for(world.vendor_admin)
    page = client.get(reverse("webhook_create", args=["acme"])).content.decode()
    assert "Registration approved (deal.approved)" in page
    assert "lead.assigned (lead.assigned)" not in page and "lead.assigned" in page
    assert 'value="en" selected' in page  # the client reads English
    client.post(reverse("set_language"), {"language": "ja"})
    assert 'value="ja" selected' in client.get(reverse("webhook_create", args=["acme"])).content.decode()
