"""The deal list as a CSV file: every deal the list shows, with every template field, read as plain values.

The deals' keys are read first in the list's order, then each chunk of deals as values (one query, with the
partner's name, the owner's address and the score's flags joined) and its elements (one query): no model object
is built, and every label (choices, flags, evidence) is looked up once per export in the language the file is
written in.
"""

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime

from deals.flags import flag_labels, flags_from
from deals.models import Deal
from meddic.models import ElementCode, Evidence, MeddicElement
from prm.chunks import value_batches
from prm.csv_export import choice_labels

# Deals per query: fewer round trips, a few MB of values at a time.
EXPORT_CHUNK = 2000
CHOICES = ("customer_industry", "customer_size", "phase", "loss_type", "registration_status")
PLAIN = ("customer_name", "customer_corporate_number", "title", "amount", "proposal_reason", "version")
DATES = ("close_date", "protected_until")
MOMENTS = ("registered_at", "closed_at", "created_at", "updated_at")
FIELDS = (
    "pk",
    "partner__name",
    "owner__email",
    "score__flag_codes",
    "has_conflict",
    *CHOICES,
    *PLAIN,
    *DATES,
    *MOMENTS,
)
ELEMENTS = tuple(ElementCode.values)


def export_rows(deals, tz) -> Iterator[dict]:
    """Every deal of ``deals`` (a ``deals_visible`` queryset, in its order) as the export writes it, by import
    column key: labels in the current language, local times in ``tz``, element levels 0–3."""
    labels = None
    for batch in value_batches(deals, FIELDS, EXPORT_CHUNK):
        if labels is None:  # in the language the rows are written in (see ``prm.csv_export.csv_response``)
            labels = _Labels()
        answers: dict[int, dict[str, tuple[int, str]]] = defaultdict(dict)
        elements = MeddicElement.objects.filter(deal_id__in=[row["pk"] for row in batch])
        for deal_id, code, level, known in elements.values_list("deal_id", "code", "level", "evidence"):
            answers[deal_id][code] = (level, known)
        for row in batch:
            yield labels.row(row, tz, answers[row["pk"]])


class _Labels:
    """Every label an export writes, looked up once."""

    def __init__(self):
        self.choices = {field: choice_labels(Deal, field) for field in CHOICES}
        self.evidence = {value: str(label) for value, label in Evidence.choices}
        self.flags = flag_labels()

    def row(self, values: dict, tz, answers: dict[str, tuple[int, str]]) -> dict:
        row = {
            "id": values["pk"],
            "partner": values["partner__name"],
            "owner_email": values["owner__email"],
            "flags": "; ".join(
                self.flags[flag.code]
                for flag in flags_from(values["score__flag_codes"] or "", values["has_conflict"])
            ),
        }
        for field in PLAIN:
            row[field] = values[field]
        for field in CHOICES:
            value = values[field]
            row[field] = self.choices[field].get(value, "" if value is None else str(value))
        for field in DATES:
            row[field] = values[field].isoformat() if values[field] else ""
        for field in MOMENTS:
            row[field] = _local(values[field], tz)
        for code in ELEMENTS:
            level, known = answers.get(code, ("", ""))
            row[f"{code}_level"] = level
            row[f"{code}_evidence"] = self.evidence.get(known, known)
        return row


def _local(value: datetime | None, tz) -> str:
    return value.astimezone(tz).isoformat(" ", "minutes")[:16] if value else ""
