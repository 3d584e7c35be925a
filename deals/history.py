"""The deal page's readable history: audit entries turned into rows a person can read.

``AuditEntry.changes`` stores codes and ISO dates (``{"phase": ["evaluation", "proposal"]}``); the page shows
"Phase: Evaluation / PoC → Proposal & quote". Element changes are keyed ``<element>.<field>`` and are shown
with the element's name in front. Value formatting is shared with the MEDDIC cards (:func:`display_value`).
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from deals.models import ChampionActivity, Deal, RegistrationConflict, RegistrationEvent
from knowledge.models import SupportActivity
from meddic.models import MULTI_FIELDS, DealReview, ElementCode, InfoRequest, MeddicElement
from prm.templatetags.prm_tags import yen

EMPTY = "—"

ACTION_LABELS = {
    "deal.create": gettext_lazy("Created the deal"),
    "deal.update": gettext_lazy("Changed the deal"),
    "element.update": gettext_lazy("Updated MEDDIC"),
    "champion_activity.create": gettext_lazy("Logged champion activity"),
    "deal.submit": gettext_lazy("Submitted the registration"),
    "deal.approve": gettext_lazy("Approved the registration"),
    "deal.reject": gettext_lazy("Rejected the registration"),
    "deal.return": gettext_lazy("Returned the registration for facts"),
    "deal.reopen": gettext_lazy("The registration went back for approval"),
    "deal.protection_expire": gettext_lazy("Registration protection ended"),
    "conflict.resolve": gettext_lazy("Resolved a registration conflict"),
    "element.verify": gettext_lazy("Verified a MEDDIC element"),
    "deal.review": gettext_lazy("Reviewed the deal"),
    "info_request.create": gettext_lazy("Asked the partner for information"),
    "info_request.answer": gettext_lazy("Answered an information request"),
    "info_request.withdraw": gettext_lazy("Withdrew an information request"),
    "support.log": gettext_lazy("Logged vendor support"),
    "support.remove": gettext_lazy("Removed logged vendor support"),
}

# Which model describes the fields of each kind of audited subject.
SUBJECT_MODELS = {
    "deal": Deal,
    "meddicelement": MeddicElement,
    "championactivity": ChampionActivity,
    "registrationconflict": RegistrationConflict,
    "dealreview": DealReview,
    "inforequest": InfoRequest,
    "supportactivity": SupportActivity,
}

# Fields whose model has no (translatable) label of its own.
EXTRA_LABELS = {
    "protection_expired": gettext_lazy("Protection ended"),
    "kept": gettext_lazy("Kept registration"),
}


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str
    # A value set on creation has no "before" worth showing.
    created: bool = False


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    actor: object
    action: str
    changes: list[Change] = field(default_factory=list)
    reason: str = ""


def _model_field(model, name: str):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def field_label(model, name: str) -> str:
    if name in EXTRA_LABELS:
        return str(EXTRA_LABELS[name])
    model_field = _model_field(model, name)
    if model_field is None or not hasattr(model_field, "verbose_name"):
        return name
    return capfirst(str(model_field.verbose_name))


def display_value(model, name: str, value) -> str:
    """One stored value (code, ISO date, list of codes, amount…) as the page shows it."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if name in MULTI_FIELDS and isinstance(value, list | tuple):
        labels = dict(MULTI_FIELDS[name].choices)
        return pgettext("list separator", ", ").join(str(labels.get(item, item)) for item in value)
    model_field = _model_field(model, name)
    if model_field is not None and getattr(model_field, "choices", None):
        return str(dict(model_field.flatchoices).get(value, value))
    if name == "amount":
        return yen(value)
    if isinstance(model_field, models.DateTimeField):
        moment = value if isinstance(value, datetime) else parse_datetime(str(value))
        return date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else str(value)
    if isinstance(model_field, models.DateField):
        day = value if isinstance(value, date) else parse_date(str(value))
        return date_format(day, "DATE_FORMAT") if day else str(value)
    return str(value)


def _kept_value(value, deal: Deal | None) -> str:
    """Which registration a conflict resolution kept, told from the point of view of this deal's page
    (the other partner's deal is not named: partners read this history too)."""
    if value is None:
        return _("Both (different customers)")
    if deal is not None and value == deal.pk:
        return _("This deal")
    return _("The other registration")


def _change(entry, key: str, values, deal: Deal | None) -> Change:
    # Stored as [before, after]; anything else is shown as a value without a "before".
    paired = isinstance(values, list | tuple) and len(values) == 2
    before, after = values if paired else (None, values)
    model = SUBJECT_MODELS.get(entry.subject_type, Deal)
    prefix = ""
    name = key
    if model is MeddicElement and "." in key:
        code, name = key.split(".", 1)
        prefix = f"{ElementCode(code).label} · " if code in ElementCode.values else f"{code} · "
    if name == "kept":
        shown_before, shown_after = EMPTY, _kept_value(after, deal)
    else:
        shown_before, shown_after = display_value(model, name, before), display_value(model, name, after)
    return Change(
        label=f"{prefix}{field_label(model, name)}",
        before=shown_before,
        after=shown_after,
        created=(entry.action.endswith(".create") or name == "kept") and before is None,
    )


def history_rows(entries, deal: Deal | None = None) -> list[HistoryRow]:
    """Audit entries (newest first, as given) as rows: who, when, what, and each change labelled."""
    rows = []
    for entry in entries:
        action = ACTION_LABELS.get(entry.action)
        rows.append(
            HistoryRow(
                at=entry.at,
                actor=entry.actor,
                action=str(action) if action else entry.action,
                changes=[_change(entry, key, values, deal) for key, values in (entry.changes or {}).items()],
                reason=entry.reason,
            )
        )
    return rows


def registration_events(deal: Deal) -> list[RegistrationEvent]:
    """The deal's workflow steps with their reasons, newest first."""
    return list(deal.registration_events.select_related("actor").order_by("-at", "-pk"))
