"""Webhooks (DESIGN §10): signed deliveries to a receiver on 127.0.0.1, retries with the same delivery id,
disabling after the last attempt, the address guard, and Slack and Teams messages."""

import hashlib
import hmac
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from deals import workflow
from notifications.models import Notification
from prm.tenancy import vendor_scope
from tests.conftest import access_of
from tests.deals.conftest import register
from webhooks import delivery as deliveries
from webhooks import services
from webhooks.models import Webhook, WebhookDelivery


class Receiver:
    """An HTTP endpoint on 127.0.0.1 that keeps what it was sent and answers ``status``."""

    def __init__(self):
        self.requests, self.status = [], 204
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {name.lower(): value for name, value in self.headers.items()}
                receiver.requests.append({"headers": headers, "body": body, "path": self.path})
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def bodies(self) -> list[dict]:
        return [json.loads(request["body"]) for request in self.requests]


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True  # the receiver is on loopback
    endpoint = Receiver()
    yield endpoint
    endpoint.server.shutdown()
    endpoint.server.server_close()


def add_hook(world, url, **fields) -> Webhook:
    with vendor_scope(world.acme):
        return services.webhook_create(
            access=access_of(world.vendor_admin, world.acme),
            url=url,
            events=fields.pop("events", ["*"]),
            **fields,
        )


def act(world, user, deal, action):
    with vendor_scope(world.acme):
        return workflow.deal_transition(access=access_of(user, world.acme), deal=deal, action=action)


def test_submitted_and_approved_reach_the_receiver_signed(
    world, receiver, django_capture_on_commit_callbacks
):
    hook = add_hook(world, receiver.url, events=["deal.submitted", "deal.approved"])
    with django_capture_on_commit_callbacks(execute=True):
        deal = register(world, world.partner_rep, submit=True, customer_name="株式会社サンプル商事")
    with django_capture_on_commit_callbacks(execute=True):
        act(world, world.channel_manager, deal, "approve")
    assert [body["event"] for body in receiver.bodies()] == ["deal.submitted", "deal.approved"]
    approved = receiver.requests[1]
    headers = approved["headers"]
    timestamp = headers["x-prm-timestamp"]
    expected = hmac.new(hook.secret.encode(), f"{timestamp}.".encode() + approved["body"], hashlib.sha256)
    assert headers["x-prm-signature"] == f"sha256={expected.hexdigest()}"
    assert headers["x-prm-event"] == "deal.approved" and headers["content-type"] == "application/json"
    body = receiver.bodies()[1]
    assert body["vendor"] == "acme" and body["data"]["deal"]["id"] == deal.pk
    assert body["data"]["deal"]["registration_status"] == "approved"
    assert body["data"]["deal"]["customer_name"] == "株式会社サンプル商事"
    with scopes_disabled():
        assert headers["x-prm-delivery"] == str(
            WebhookDelivery.objects.get(event__code="deal.approved").delivery
        )
        assert all(d.delivered_at and d.attempt == 1 for d in WebhookDelivery.objects.all())


def test_an_endpoint_only_gets_the_events_it_asked_for(world, receiver, django_capture_on_commit_callbacks):
    add_hook(world, receiver.url, events=["deal.approved"])
    with django_capture_on_commit_callbacks(execute=True):
        register(world, world.partner_rep, submit=True)
    assert receiver.requests == []


def test_a_failing_endpoint_is_retried_with_the_same_delivery_then_disabled(
    world, receiver, django_capture_on_commit_callbacks
):
    receiver.status = 500
    hook = add_hook(world, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        register(world, world.partner_rep, submit=True)
    with scopes_disabled():
        delivery = WebhookDelivery.objects.get()
    pauses = []
    while True:
        with scopes_disabled():
            delivery.refresh_from_db()
        if delivery.next_retry_at is None:
            break
        pauses.append(delivery.next_retry_at)
        with scopes_disabled():
            WebhookDelivery.objects.filter(pk=delivery.pk).update(next_retry_at=timezone.now())
        with vendor_scope(world.acme), django_capture_on_commit_callbacks(execute=True):
            deliveries.attempt(delivery.pk)
    assert len(receiver.requests) == deliveries.MAX_ATTEMPTS == 8
    assert len({request["headers"]["x-prm-delivery"] for request in receiver.requests}) == 1
    assert (delivery.attempt, delivery.status_code, delivery.error) == (8, 500, "HTTP 500")
    with scopes_disabled():
        hook.refresh_from_db()
        told = list(Notification.objects.filter(kind="webhook.disabled").values_list("recipient", flat=True))
    assert not hook.is_active and hook.disabled_at is not None
    assert told == [world.vendor_admin.pk]


def test_an_endpoint_that_is_down_never_fails_the_action(
    world, client_for, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    add_hook(world, f"http://127.0.0.1:{closed}/hook")
    deal = register(world, world.partner_rep)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.partner_rep).post(
            reverse("deal_transition", args=["acme", deal.pk, "submit"])
        )
    assert response.status_code == 302
    with scopes_disabled():
        failed = WebhookDelivery.objects.get()
    assert (
        failed.delivered_at is None and failed.next_retry_at is not None and "refused" in failed.error.lower()
    )


@pytest.mark.parametrize(
    "url", ["http://hooks.example.com/x", "https://127.0.0.1/x", "https://10.1.2.3/x", "https://localhost/x"]
)
def test_private_or_plain_http_addresses_are_refused_without_debug(world, url, api_as):
    response = api_as(world.vendor_admin).post(
        reverse("api_webhooks", args=["acme"]), {"url": url, "events": ["*"]}, format="json"
    )
    assert response.status_code == 400 and list(response.json()) == ["url"]


def test_a_name_that_resolves_inside_the_network_is_refused_at_delivery(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    hook = add_hook(world, "https://hooks.partner.example/prm")
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *args, **kwargs: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", 443))],
    )
    with django_capture_on_commit_callbacks(execute=True):
        register(world, world.partner_rep, submit=True)
    with scopes_disabled():
        refused = WebhookDelivery.objects.get(webhook=hook)
    assert refused.status_code is None and "public internet" in refused.error


@pytest.mark.parametrize(
    ("language", "words"), [("en", "approved the registration of"), ("ja", "承認しました")]
)
def test_slack_gets_a_readable_message_in_the_webhooks_language(
    world, receiver, language, words, django_capture_on_commit_callbacks
):
    add_hook(world, receiver.url, events=["deal.approved"], format="slack", language=language)
    deal = register(world, world.partner_rep, submit=True, customer_name="株式会社サンプル商事")
    with django_capture_on_commit_callbacks(execute=True):
        act(world, world.channel_manager, deal, "approve")
    [message] = receiver.bodies()
    assert words in message["text"] and "株式会社サンプル商事" in message["text"]
    button = message["blocks"][-1]["elements"][0]
    assert button["url"].endswith(f"/v/acme/deals/{deal.pk}/")


def test_teams_gets_an_adaptive_card(world, receiver, django_capture_on_commit_callbacks):
    add_hook(world, receiver.url, events=["deal.approved"], format="teams", language="en")
    deal = register(world, world.partner_rep, submit=True)
    with django_capture_on_commit_callbacks(execute=True):
        act(world, world.channel_manager, deal, "approve")
    [message] = receiver.bodies()
    card = message["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["type"] == "AdaptiveCard"
    assert "approved the registration of" in card["content"]["body"][0]["text"]
    assert card["content"]["actions"][0]["url"].endswith(f"/v/acme/deals/{deal.pk}/")


def test_the_api_shows_the_secret_once_lists_deliveries_and_redelivers(
    world, receiver, api_as, django_capture_on_commit_callbacks
):
    api = api_as(world.vendor_admin)
    created = api.post(
        reverse("api_webhooks", args=["acme"]),
        {"url": receiver.url, "events": ["deal.submitted"], "description": "CRM"},
        format="json",
    ).json()
    assert len(created["secret"]) >= 32
    shown = api.get(reverse("api_webhook", args=["acme", created["id"]])).json()
    assert "secret" not in shown and shown["events"] == ["deal.submitted"]
    with django_capture_on_commit_callbacks(execute=True):
        register(world, world.partner_rep, submit=True)
    log = api.get(reverse("api_webhook_deliveries", args=["acme", created["id"]])).json()
    [first] = log["results"]
    assert (first["event"], first["attempt"], first["status_code"]) == ("deal.submitted", 1, 204)
    with django_capture_on_commit_callbacks(execute=True):
        again = api.post(
            reverse("api_webhook_redeliver", args=["acme", created["id"], first["id"]]), format="json"
        )
    assert again.status_code == 202 and again.json()["delivery"] != first["delivery"]
    assert len(receiver.requests) == 2
    first_sent, resent = receiver.requests
    assert json.loads(first_sent["body"])["id"] == json.loads(resent["body"])["id"]  # the same event
    assert first_sent["headers"]["x-prm-delivery"] != resent["headers"]["x-prm-delivery"]


def test_unknown_event_codes_are_refused(world, api_as):
    response = api_as(world.vendor_admin).post(
        reverse("api_webhooks", args=["acme"]),
        {"url": "https://hooks.example.com/x", "events": ["deal.teleported"]},
        format="json",
    )
    assert response.status_code == 400 and list(response.json()) == ["events"]
