"""The daily digest (DESIGN §10), at 08:00 in each vendor's time zone: one mail per person and day, never two.

It gathers the notifications its reader chose to get as a digest and, for a channel manager, what changed in
their partners' deals since the day before: new submissions, answers, flags raised and deals gone quiet.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from deals.models import OPEN_PHASES, Deal
from meddic.models import ScoreHistory
from notifications.fanout import link
from notifications.kinds import render
from notifications.models import DigestSent, Notification
from partners.models import Membership, Role
from prm.mailer import mail_queue

DIGEST_HOUR = 8
# An open deal nobody changed for this many days has gone quiet (it appears in the digest once, that day).
QUIET_DAYS = 30


@dataclass
class Digest:
    notifications: list = field(default_factory=list)
    submissions: list = field(default_factory=list)
    flagged: list = field(default_factory=list)
    quiet: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.notifications or self.submissions or self.flagged or self.quiet)


def is_digest_time(vendor, now=None) -> bool:
    local = timezone.localtime(now or timezone.now(), ZoneInfo(vendor.time_zone))
    return local.hour == DIGEST_HOUR


def _flags_raised(deal_ids: list[int], since) -> list[Deal]:
    """Deals that got a flag they did not have before ``since``."""
    last_before, last_after = {}, {}
    rows = ScoreHistory.objects.filter(deal_id__in=deal_ids).order_by("at", "pk")
    for row in rows.values("deal_id", "at", "flag_codes"):
        (last_before if row["at"] < since else last_after)[row["deal_id"]] = row["flag_codes"]
    raised = []
    for deal_id, flags in last_after.items():
        old = set(filter(None, last_before.get(deal_id, "").split(",")))
        if set(filter(None, flags.split(","))) - old:
            raised.append(deal_id)
    return list(Deal.objects.filter(pk__in=raised).order_by("customer_name"))


def digest_for(membership: Membership, now) -> Digest:
    """What ``membership``'s person reads in today's digest of its vendor."""
    since = now - timedelta(days=1)
    digest = Digest(
        notifications=list(
            Notification.objects.filter(recipient=membership.user, mail_state="digest")
            .select_related("actor", "vendor")
            .order_by("created_at", "pk")
        )
    )
    if membership.role == Role.CHANNEL_MANAGER:
        deals = Deal.objects.filter(partner__channel_manager=membership.user)
        digest.submissions = list(
            deals.filter(registered_at__gte=since)
            .exclude(registration_status="draft")
            .order_by("registered_at")
        )
        changed = list(deals.filter(updated_at__gte=since).values_list("pk", flat=True))
        digest.flagged = _flags_raised(changed, since)
        quiet_since = now - timedelta(days=QUIET_DAYS)
        digest.quiet = list(
            deals.filter(
                phase__in=OPEN_PHASES,
                updated_at__lt=quiet_since,
                updated_at__gte=quiet_since - timedelta(days=1),
            )
            .exclude(registration_status="draft")
            .order_by("customer_name")
        )
    return digest


def _deal_url(deal) -> str:
    return settings.SITE_URL + reverse(
        "deal_detail", kwargs={"vendor_slug": deal.vendor.slug, "deal_id": deal.pk}
    )


def digests_send(vendor, now=None) -> int:
    """Send today's digests of ``vendor`` (inside its scope); returns how many went. Safe to run twice."""
    now = now or timezone.now()
    today = timezone.localtime(now, ZoneInfo(vendor.time_zone)).date()
    sent = 0
    people = Membership.objects.filter(is_active=True, user__is_active=True).select_related("user")
    for membership in people:
        user = membership.user
        if not user.email or DigestSent.objects.filter(user=user, day=today).exists():
            continue
        digest = digest_for(membership, now)
        if not digest:
            continue
        try:
            with transaction.atomic():
                DigestSent.objects.create(vendor=vendor, user=user, day=today)
                _send(vendor, user, digest)
                Notification.objects.filter(pk__in=[n.pk for n in digest.notifications]).update(
                    mail_state="sent"
                )
        except IntegrityError:
            continue  # another run sent it a moment ago
        sent += 1
    return sent


def _send(vendor, user, digest: Digest) -> None:
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {
            "vendor": vendor,
            "items": [(render(n), link(n)) for n in digest.notifications],
            "submissions": [(deal, _deal_url(deal)) for deal in digest.submissions],
            "flagged": [(deal, _deal_url(deal)) for deal in digest.flagged],
            "quiet": [(deal, _deal_url(deal)) for deal in digest.quiet],
            "quiet_days": QUIET_DAYS,
            "settings_url": settings.SITE_URL + reverse("mail_preferences"),
        }
        subject = _("Your daily summary: %(vendor)s") % {"vendor": vendor.name}
        body = render_to_string("notifications/digest.txt", context)
        html = render_to_string("notifications/digest.html", context)
    mail_queue(to=user.email, subject=subject, body=body, html=html)
