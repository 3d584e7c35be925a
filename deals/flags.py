"""Flags a deal can carry, in one table: the list filter and icons, the CSV export and the API all read it.

Risk flags are computed and stored by ``meddic.scoring``/``meddic.services``; this table only reads them.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from deals.models import Deal

CONFLICT = "registration_conflict"


@dataclass(frozen=True)
class DealFlag:
    """A flag of the deal list: its code (DESIGN §5), label and icon, and how to narrow a ``deals_visible``
    queryset to the flagged deals. Whether a deal has it: :func:`flags_from`."""

    code: str
    label: str | Promise
    icon: str
    narrow: Callable[[QuerySet[Deal]], QuerySet[Deal]]


def _risk(code: str, label, icon: str) -> DealFlag:
    return DealFlag(code, label, icon, narrow=lambda qs: qs.filter(score__flag_codes__contains=f",{code},"))


# Add a flag here and it appears in the filter, as an icon in the list and in the export's flag column.
# The registration conflict is read live; the risk flags of DESIGN §5 come from the stored score.
DEAL_FLAGS: dict[str, DealFlag] = {
    flag.code: flag
    for flag in (
        DealFlag(
            CONFLICT,
            _("Registration conflict"),
            "bi-exclamation-triangle-fill text-danger",
            narrow=lambda qs: qs.filter(has_conflict=True),
        ),
        _risk("metrics_undefined", _("Success metrics undefined"), "bi-rulers text-warning"),
        _risk("economic_buyer_no_access", _("No access to the economic buyer"), "bi-person-x text-warning"),
        _risk(
            "decision_criteria_unknown",
            _("Decision criteria unknown or behind"),
            "bi-list-check text-warning",
        ),
        _risk("decision_process_unknown", _("Approval route unclear"), "bi-diagram-3 text-warning"),
        _risk("pain_not_urgent", _("No confirmed urgency"), "bi-hourglass text-warning"),
        _risk("champion_missing", _("No champion"), "bi-person-dash text-warning"),
        _risk("champion_inactive", _("Champion inactive"), "bi-pause-circle text-warning"),
        _risk("close_date_passed", _("Close date passed"), "bi-calendar-x text-danger"),
    )
}


def flags_from(flag_codes: str, has_conflict: bool) -> list[DealFlag]:
    """The flags of a deal, in table order, from its score's stored ``flag_codes`` (``,code,code,``; empty
    before it was first scored) and whether it is in an open registration conflict."""
    stored = flag_codes.split(",")
    return [
        flag
        for flag in DEAL_FLAGS.values()
        if (has_conflict if flag.code == CONFLICT else flag.code in stored)
    ]


def flags_of(deal: Deal) -> list[DealFlag]:
    """The flags of a deal of a ``deals_visible`` queryset (its score and conflict annotation)."""
    try:
        codes = deal.score.flag_codes
    except ObjectDoesNotExist:
        codes = ""
    return flags_from(codes, bool(getattr(deal, "has_conflict", False)))


def flag_labels() -> dict[str, str]:
    """Each flag's label in the current language, by code."""
    return {code: str(flag.label) for code, flag in DEAL_FLAGS.items()}
