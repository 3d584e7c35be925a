"""Dates as a vendor sees them: "today" and periods are in the vendor's time zone (default Asia/Tokyo)."""

from datetime import date
from zoneinfo import ZoneInfo

from django.utils import timezone


def vendor_today(vendor) -> date:
    return timezone.localtime(timezone.now(), ZoneInfo(vendor.time_zone)).date()
