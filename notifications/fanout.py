"""The one place events become messages: every channel is fed from here (DESIGN §10).

For each event: a bell notification per person it reaches (``notifications.audiences``), a mail in that
person's language (sent by ``prm.mailer`` after commit, with retries), and a delivery to each of the vendor's
webhooks that wants it, Slack and Teams included (``webhooks.delivery``). Fanning out twice does nothing more: the
event is marked once done, and a person has at most one notification per event.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from deals.models import Deal
from notifications.audiences import audience
from notifications.kinds import detail, render
from notifications.models import Notification
from notifications.preferences import GROUP_OF, IMMEDIATE, OFF, choice_for, unsubscribe_token
from prm.mailer import mail_queue
from prm.models import Event
from webhooks.delivery import deliveries_create


def fan_out(event: Event) -> int:
    """Feed every channel from ``event`` (inside its vendor's scope); returns how many people it reached."""
    event = Event.objects.select_for_update(of=("self",)).select_related("vendor", "actor").get(pk=event.pk)
    if event.fanned_out_at is not None:
        return 0
    deal = Deal.objects.select_related("partner__channel_manager", "owner").filter(pk=event.deal_id).first()
    people = audience(event, deal)
    rows = [
        Notification(
            vendor=event.vendor,
            recipient=user,
            kind=event.code,
            deal=deal,
            actor=event.actor,
            params=event.params,
            event=event,
            created_at=event.created_at,
        )
        for user in people
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    states: dict[str, list[int]] = {}
    for row in Notification.objects.filter(event=event).select_related("recipient", "vendor", "actor"):
        states.setdefault(_mail(row), []).append(row.pk)
    for state, ids in states.items():
        Notification.objects.filter(pk__in=ids).update(mail_state=state)
    deliveries_create(event)
    event.fanned_out_at = timezone.now()
    event.save(update_fields=["fanned_out_at"])
    return len(rows)


def link(notification: Notification) -> str:
    """Where the notification leads: its deal, its content, or the notifications page."""
    vendor = notification.vendor.slug
    content_id = (notification.params or {}).get("content_id")
    if notification.kind == "content.published" and isinstance(content_id, int):
        path = reverse("content_view", kwargs={"vendor_slug": vendor, "content_id": content_id})
    elif notification.deal_id is not None:
        path = reverse("deal_detail", kwargs={"vendor_slug": vendor, "deal_id": notification.deal_id})
    else:
        path = reverse("notification_list", kwargs={"vendor_slug": vendor})
    return settings.SITE_URL + path


def unsubscribe_headers(user, code: str) -> dict:
    """One-click unsubscribe (RFC 8058) from the group of ``code``: mail clients show it next to the sender."""
    group = GROUP_OF.get(code, "")
    if not group:
        return {}
    url = settings.SITE_URL + reverse("mail_unsubscribe", kwargs={"token": unsubscribe_token(user, group)})
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _mail(notification: Notification) -> str:
    """Mail the notification at once, leave it for the daily digest, or not at all, as its reader chose; returns
    its mail state ("sent", "digest" or "off")."""
    user = notification.recipient
    choice = choice_for(user, notification.kind) if user.email else OFF
    if choice != IMMEDIATE:
        return choice
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {
            "text": render(notification),
            "detail": detail(notification),
            "url": link(notification),
            "vendor": notification.vendor,
            "settings_url": settings.SITE_URL + reverse("mail_preferences"),
        }
        body = render_to_string("notifications/email.txt", context)
        html = render_to_string("notifications/email.html", context)
    headers = unsubscribe_headers(user, notification.kind)
    mail_queue(to=user.email, subject=context["text"], body=body, html=html, headers=headers)
    return "sent"
