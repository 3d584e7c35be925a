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
    for row in rows:
        _mail(row)
    deliveries_create(event)
    event.fanned_out_at = timezone.now()
    event.save(update_fields=["fanned_out_at"])
    return len(rows)


def link(notification: Notification) -> str:
    """Where the notification leads: its deal, or the notifications page."""
    vendor = notification.vendor.slug
    if notification.deal_id is not None:
        path = reverse("deal_detail", kwargs={"vendor_slug": vendor, "deal_id": notification.deal_id})
    else:
        path = reverse("notification_list", kwargs={"vendor_slug": vendor})
    return settings.SITE_URL + path


def _mail(notification: Notification) -> None:
    user = notification.recipient
    if not user.email:
        return
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {
            "text": render(notification),
            "detail": detail(notification),
            "url": link(notification),
            "vendor": notification.vendor,
        }
        body = render_to_string("notifications/email.txt", context)
        html = render_to_string("notifications/email.html", context)
    mail_queue(to=user.email, subject=context["text"], body=body, html=html)
