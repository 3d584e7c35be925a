"""Telling people: an in-app notification per recipient and the same sentence by email, after commit."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from notifications.kinds import KINDS, detail, render
from notifications.models import Notification
from partners.models import Membership, Role
from prm.validators import one_line


def vendor_side(partner) -> list:
    """Who hears about a partner's deals at the vendor: its channel manager, or the vendor admins when it has
    none."""
    manager = partner.channel_manager
    if manager is not None and manager.is_active:
        return [manager]
    return [
        membership.user
        for membership in Membership.objects.filter(
            role=Role.VENDOR_ADMIN, is_active=True, user__is_active=True
        ).select_related("user")
    ]


def partner_admins(partner) -> list:
    """The partner company's active partner admins."""
    return [
        membership.user
        for membership in Membership.objects.filter(
            partner=partner, role=Role.PARTNER_ADMIN, is_active=True, user__is_active=True
        ).select_related("user")
    ]


def partner_side(deal) -> list:
    """Who hears about a deal at the partner: its owner and the company's partner admins."""
    return [deal.owner, *partner_admins(deal.partner)]


def notify(*, vendor, recipients, kind: str, deal=None, actor=None, params: dict | None = None) -> int:
    """Notify each active recipient once (never the actor), in the app and by email. Returns how many."""
    if kind not in KINDS:
        raise ValueError(f"Unknown notification kind {kind!r}")
    params = {**(params or {})}
    if deal is not None:
        params.setdefault("customer", deal.customer_name)
    seen, rows = set(), []
    for user in recipients:
        if (
            user is None
            or not user.is_active
            or user.pk in seen
            or (actor is not None and user.pk == actor.pk)
        ):
            continue
        seen.add(user.pk)
        rows.append(
            Notification(vendor=vendor, recipient=user, kind=kind, deal=deal, actor=actor, params=params)
        )
    if not rows:
        return 0
    Notification.objects.bulk_create(rows)
    _email(vendor, rows, deal)
    return len(rows)


def _email(vendor, rows: list[Notification], deal) -> None:
    url = settings.SITE_URL + (
        reverse("deal_detail", kwargs={"vendor_slug": vendor.slug, "deal_id": deal.pk})
        if deal is not None
        else reverse("notification_list", kwargs={"vendor_slug": vendor.slug})
    )
    with translation.override(settings.LANGUAGE_CODE):
        text = render(rows[0])
        subject = one_line(text)
        body = render_to_string(
            "notifications/email.txt",
            {"text": text, "detail": detail(rows[0]), "url": url, "vendor": vendor},
        )
    recipients = sorted({row.recipient.email for row in rows if row.recipient.email})
    transaction.on_commit(lambda: send_mail(subject, body, None, recipients))


def mark_read(*, user, vendor, ids=None) -> int:
    """Mark the user's notifications in ``vendor`` (all, or those of ``ids``) as read; returns how many
    changed."""
    qs = Notification.objects.filter(vendor=vendor, recipient=user, read_at=None)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
