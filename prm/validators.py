"""Validators shared by every app's models, forms, serializers and imports."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Control characters (Cc: line feed, carriage return, tab, NUL, DEL …) and the Unicode line and paragraph
# separators (Zl, Zp) break a single line: on the page, in a CSV cell, and in a mail subject built from it.
LINE_BREAKING_CATEGORIES = {"Cc", "Zl", "Zp"}


def has_line_break(value: str) -> bool:
    return any(unicodedata.category(char) in LINE_BREAKING_CATEGORIES for char in value)


def validate_single_line(value) -> None:
    """Names and titles are one line of text: no line breaks, tabs or other control characters."""
    if isinstance(value, str) and has_line_break(value):
        raise ValidationError(
            _("Write this on one line: line breaks, tabs and control characters are not allowed."),
            code="single_line",
        )


def one_line(value: str) -> str:
    """``value`` with every line break and control character replaced by a space: for text that must be one line
    whatever was stored (a mail subject)."""
    return "".join(" " if unicodedata.category(char) in LINE_BREAKING_CATEGORIES else char for char in value)


# Dates this product can compute with: filters and periods add a day or a month to them, and the day after
# 9999-12-31 does not exist. Nothing a partner or a vendor records lies outside these years.
FIRST_YEAR, LAST_YEAR = 1900, 2999


def date_out_of_range() -> ValidationError:
    return ValidationError(
        _("Enter a date between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR},
        code="out_of_range",
    )


def validate_date_in_range(value) -> None:
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise date_out_of_range()


def validate_time_zone(value: str) -> None:
    """An IANA time zone name, such as Asia/Tokyo."""
    import zoneinfo

    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone; use a name such as Asia/Tokyo."))
