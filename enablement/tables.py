"""The CSV exports of the enablement lists: one header and one row builder per list, in the reader's language.

Rates are whole percentages of the delivered count, empty when nothing was delivered.
"""

from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from enablement.models import ContentKind, FileType, Stage
from enablement.selectors import Funnel
from partners.models import Tier
from prm.clock import vendor_today
from prm.csv_export import csv_response


def local_time(value, zone: str) -> str:
    return timezone.localtime(value, ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M") if value else ""


def export(vendor, name: str, header: list[str], rows):
    return csv_response(f"{name}-{vendor.slug}-{vendor_today(vendor):%Y%m%d}.csv", header, rows)


def _tier(code) -> str:
    return str(Tier(code).label) if code in Tier.values else ""


def _rate(value) -> str:
    return "" if value is None else str(value)


def funnel_header() -> list[str]:
    return [
        pgettext("funnel", "Delivered"),
        pgettext("funnel", "Opened"),
        pgettext("funnel", "Read"),
        pgettext("funnel", "Understood"),
        _("Opened (%)"),
        _("Read (%)"),
        _("Understood (%)"),
        _("Not opened"),
    ]


def funnel_cells(funnel: Funnel) -> list:
    return [
        funnel.delivered,
        funnel.opened,
        funnel.read,
        funnel.understood,
        _rate(funnel.rate(funnel.opened)),
        _rate(funnel.rate(funnel.read)),
        _rate(funnel.rate(funnel.understood)),
        funnel.not_opened,
    ]


def audience_text(content) -> str:
    parts = [_tier(row.tier) for row in content.audience.all() if row.tier]
    parts += [row.partner.name for row in content.audience.all() if row.partner_id]
    return "; ".join(parts)


def content_header() -> list[str]:
    return [
        _("ID"),
        _("Title"),
        _("Kind"),
        _("File type"),
        _("State"),
        _("Published"),
        _("Audience"),
        _("Quiz questions"),
        *funnel_header(),
    ]


def content_row(content, zone: str) -> list:
    published = content.published_at is not None
    return [
        content.pk,
        content.title,
        ContentKind(content.kind).label,
        FileType(content.file_type).label if content.file_type else "",
        pgettext("content state", "Published") if published else pgettext("content state", "Draft"),
        local_time(content.published_at, zone),
        audience_text(content),
        content.question_total,
        *funnel_cells(Funnel.of(content)),
    ]


def partner_funnel_header() -> list[str]:
    return [_("Partner"), _("Tier"), *funnel_header()]


def partner_funnel_row(name: str, tier: str, funnel: Funnel) -> list:
    return [name, _tier(tier), *funnel_cells(funnel)]


def recipient_header() -> list[str]:
    return [
        _("Name"),
        _("Email"),
        _("Partner"),
        _("Stage"),
        _("Delivered"),
        _("Opened"),
        _("Read"),
        _("Understood"),
        _("Quiz attempts"),
        _("Last score (%)"),
        _("Reminders"),
        _("Last reminded"),
    ]


def recipient_row(delivery, zone: str) -> list:
    return [
        delivery.recipient.name,
        delivery.recipient.email,
        delivery.partner.name,
        Stage(delivery.stage).label,
        local_time(delivery.delivered_at, zone),
        local_time(delivery.opened_at, zone),
        local_time(delivery.read_at, zone),
        local_time(delivery.understood_at, zone),
        delivery.quiz_attempts,
        "" if delivery.last_score is None else delivery.last_score,
        delivery.reminder_count,
        local_time(delivery.reminded_at, zone),
    ]


def inbox_header() -> list[str]:
    return [_("Title"), _("Kind"), _("Stage"), _("Delivered"), _("Opened"), _("Read"), _("Understood")]


def inbox_row(delivery, zone: str) -> list:
    return [
        delivery.content.title,
        ContentKind(delivery.content.kind).label,
        Stage(delivery.stage).label,
        local_time(delivery.delivered_at, zone),
        local_time(delivery.opened_at, zone),
        local_time(delivery.read_at, zone),
        local_time(delivery.understood_at, zone),
    ]
