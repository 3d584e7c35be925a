"""Flags a deal can carry, in one table: the list filter and icons, the CSV export and the API all read it.

The risk flags of DESIGN §5 join this table with the scoring.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from deals.models import Deal


@dataclass(frozen=True)
class DealFlag:
    """A flag of the deal list: its code (DESIGN §5), label and icon, how to narrow a ``deals_visible``
    queryset to the flagged deals, and whether a deal of such a queryset has it."""

    code: str
    label: str | Promise
    icon: str
    narrow: Callable[[QuerySet[Deal]], QuerySet[Deal]]
    applies: Callable[[Deal], bool]


# Add a flag here and it appears in the filter, as an icon in the list and in the export's flag column.
DEAL_FLAGS: dict[str, DealFlag] = {
    flag.code: flag
    for flag in (
        DealFlag(
            "registration_conflict",
            _("Registration conflict"),
            "bi-exclamation-triangle-fill text-danger",
            narrow=lambda qs: qs.filter(has_conflict=True),
            applies=lambda deal: bool(getattr(deal, "has_conflict", False)),
        ),
    )
}


def flags_of(deal: Deal) -> list[DealFlag]:
    return [flag for flag in DEAL_FLAGS.values() if flag.applies(deal)]
