"""What a delivery carries (DESIGN §10): the signed JSON event, or a readable Slack or Teams message."""

import hashlib
import hmac
import json
from types import SimpleNamespace

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from deals.models import Deal
from notifications.kinds import detail, render
from prm.models import Event
from webhooks.models import Webhook, WebhookFormat


def event_data(event: Event) -> dict:
    """The object the event is about as the API shows it to vendor staff (the deal), or the event's facts."""
    from deals.serializers import DealSerializer

    deal = Deal.objects.filter(pk=event.deal_id).select_related("partner", "owner").first()
    if deal is not None:
        return {
            "deal": DealSerializer(deal).data,
            **{k: v for k, v in event.params.items() if k != "customer"},
        }
    return dict(event.params)


def event_json(event: Event) -> dict:
    return {
        "id": str(event.pk),
        "event": event.code,
        "created_at": event.created_at.isoformat(),
        "vendor": event.vendor.slug,
        "data": event_data(event),
    }


def _sentence(event: Event) -> tuple[str, str, str]:
    """(sentence, detail, link) of the event in the active language."""
    shown = SimpleNamespace(kind=event.code, params=event.params, actor=event.actor)
    if event.deal_id is not None:
        path = reverse("deal_detail", kwargs={"vendor_slug": event.vendor.slug, "deal_id": event.deal_id})
    else:
        path = reverse("dashboard", kwargs={"vendor_slug": event.vendor.slug})
    return render(shown), detail(shown), settings.SITE_URL + path


def slack_message(event: Event) -> dict:
    text, more, link = _sentence(event)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": f"*{text}*"}}]
    if more:
        blocks.append({"type": "section", "text": {"type": "plain_text", "text": more}})
    blocks.append(
        {
            "type": "actions",
            "elements": [{"type": "button", "text": {"type": "plain_text", "text": _("Open")}, "url": link}],
        }
    )
    return {"text": text, "blocks": blocks}


def teams_message(event: Event) -> dict:
    """An Adaptive Card, as a Teams Workflows ("When a Teams webhook request is received") flow posts it."""
    text, more, link = _sentence(event)
    body = [{"type": "TextBlock", "text": text, "weight": "Bolder", "wrap": True}]
    if more:
        body.append({"type": "TextBlock", "text": more, "wrap": True})
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
        "actions": [{"type": "Action.OpenUrl", "title": _("Open"), "url": link}],
    }
    return {
        "type": "message",
        "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}],
    }


def body_of(webhook: Webhook, event: Event) -> bytes:
    """The raw body sent to ``webhook`` for ``event``, in the webhook's language."""
    with translation.override(webhook.language):
        if webhook.format == WebhookFormat.SLACK:
            payload = slack_message(event)
        elif webhook.format == WebhookFormat.TEAMS:
            payload = teams_message(event)
        else:
            payload = event_json(event)
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`` keyed with the webhook's secret."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"
