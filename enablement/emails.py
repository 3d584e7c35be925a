"""Reminders by mail to those who have not opened a content (publication itself is the ``content.published``
event, told by ``notifications.fanout``).

One message per recipient (partners never see each other's addresses), in the language the recipient last used
on these pages (the product's language until they have used one).
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from enablement.models import Delivery
from prm.mailer import mail_queue


def content_url(delivery: Delivery) -> str:
    path = reverse(
        "content_view", kwargs={"vendor_slug": delivery.vendor.slug, "content_id": delivery.content_id}
    )
    return f"{settings.SITE_URL}{path}"


def _queue(delivery: Delivery, purpose: str) -> None:
    languages = {code for code, _name in settings.LANGUAGES}
    language = delivery.language if delivery.language in languages else settings.LANGUAGE_CODE
    with translation.override(language):
        context = {"delivery": delivery, "content": delivery.content, "vendor": delivery.vendor}
        context["url"] = content_url(delivery)
        subject = _("Reminder: “%(title)s” is waiting for you") % {"title": delivery.content.title}
        body = render_to_string(f"enablement/email/{purpose}.txt", context)
    mail_queue(to=delivery.recipient.email, subject=subject, body=body)


def deliveries_email(delivery_ids: list[int], purpose: str) -> int:
    """Queue the emails of ``purpose`` (``published`` or ``reminder``) for these deliveries (``prm.mailer`` sends
    them, with retries); a reminder is not sent to someone who opened the content meanwhile. Returns how many."""
    deliveries = Delivery.objects.filter(pk__in=delivery_ids, recipient__is_active=True).select_related(
        "content", "recipient", "vendor"
    )
    if purpose == "reminder":
        deliveries = deliveries.filter(opened_at=None)
    queued = 0
    for delivery in deliveries:
        if delivery.recipient.email:
            _queue(delivery, purpose)
            queued += 1
    return queued
