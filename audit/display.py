"""The audit page's readable rows: every audited action's label, its subject, and each change labelled.

The deal page's history (``deals.history``) labels deal and MEDDIC actions; this module adds the actions on
partners, memberships, invitations, settings and content, and refused requests, and reuses its value
formatting so a value reads the same on both pages.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from deals import history
from deals.models import Deal
from enablement.models import Content
from meddic.models import ElementCode, MeddicElement
from partners.models import Invitation, Membership, PartnerCompany, Role, Vendor

ACTION_LABELS = {
    **history.ACTION_LABELS,
    "partner.create": gettext_lazy("Added a partner company"),
    "partner.update": gettext_lazy("Changed a partner company"),
    "partner.checklist": gettext_lazy("Ticked an onboarding step"),
    "membership.create": gettext_lazy("Added a member"),
    "membership.deactivate": gettext_lazy("Deactivated a member"),
    "membership.reactivate": gettext_lazy("Reactivated a member"),
    "invitation.create": gettext_lazy("Sent an invitation"),
    "invitation.accept": gettext_lazy("Accepted an invitation"),
    "invitation.revoke": gettext_lazy("Revoked an invitation"),
    "invitation.expire": gettext_lazy("An invitation expired"),
    "vendor.create": gettext_lazy("Created the vendor"),
    "vendor.settings": gettext_lazy("Changed the vendor settings"),
    "weights.update": gettext_lazy("Changed the MEDDIC weights"),
    "content.create": gettext_lazy("Created enablement content"),
    "content.update": gettext_lazy("Changed enablement content"),
    "content.publish": gettext_lazy("Published enablement content"),
    "authz.denied": gettext_lazy("Access refused"),
}

SUBJECT_MODELS = {
    **history.SUBJECT_MODELS,
    "partnercompany": PartnerCompany,
    "membership": Membership,
    "invitation": Invitation,
    "vendor": Vendor,
    "content": Content,
}

DENIED_LABELS = {
    "method": gettext_lazy("Method"),
    "path": gettext_lazy("Address"),
    "status": gettext_lazy("HTTP status"),
    "role": gettext_lazy("Role"),
    "window_minutes": gettext_lazy("Further refusals"),
}


def action_label(code: str) -> str:
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code


def subject_label(subject_type: str) -> str:
    model = SUBJECT_MODELS.get(subject_type)
    return str(model._meta.verbose_name) if model is not None else subject_type


def action_choices() -> list[tuple[str, str]]:
    return sorted(((code, str(label)) for code, label in ACTION_LABELS.items()), key=lambda item: item[1])


def subject_choices() -> list[tuple[str, str]]:
    return sorted(((code, subject_label(code)) for code in SUBJECT_MODELS), key=lambda item: item[1])


@dataclass(frozen=True)
class AuditRow:
    entry: object
    at: datetime
    actor: str
    action: str
    subject: str
    changes: list[history.Change] = field(default_factory=list)
    # The deal the entry is about, by its customer ("" when the entry concerns no deal).
    deal: str = ""


def _denied_change(key: str, value) -> history.Change:
    if key == "role":
        shown = str(Role(value).label) if value in Role.values else (value or _("none (not a member)"))
    elif key == "window_minutes":
        shown = _("only in the security log for the next %(minutes)s minutes") % {"minutes": value}
    else:
        shown = str(value)
    return history.Change(
        label=str(DENIED_LABELS.get(key, key)), before=history.EMPTY, after=shown, created=True
    )


def _change(entry, key: str, values) -> history.Change:
    paired = isinstance(values, list | tuple) and len(values) == 2
    before, after = values if paired else (None, values)
    if entry.action == "authz.denied":
        return _denied_change(key, after)
    created = (entry.action.endswith(".create") or not paired) and before is None
    if entry.action == "weights.update" and key in ElementCode.values:
        label = str(ElementCode(key).label)
        return history.Change(label=label, before=str(before), after=str(after), created=created)
    model = SUBJECT_MODELS.get(entry.subject_type, Deal)
    prefix, name = "", key
    if model is MeddicElement and "." in key:
        code, name = key.split(".", 1)
        prefix = f"{ElementCode(code).label} · " if code in ElementCode.values else f"{code} · "
    return history.Change(
        label=f"{prefix}{history.field_label(model, name)}",
        before=history.display_value(model, name, before),
        after=history.display_value(model, name, after),
        created=created,
    )


def _actor(entry) -> str:
    if entry.actor_id is None:
        return pgettext("history actor", "System")
    if entry.actor is not None:
        return str(entry.actor)
    return entry.actor_email or _("Deleted user")


def deal_names(entries) -> dict[int, str]:
    """The customer and title of each deal the entries concern (one query)."""
    ids = {entry.deal_id for entry in entries if entry.deal_id}
    rows = Deal.objects.filter(pk__in=ids).values_list("pk", "customer_name", "title") if ids else []
    return {pk: f"{customer} · {title}" for pk, customer, title in rows}


def audit_rows(entries) -> list[AuditRow]:
    """Rows for a page (or a batch) of entries, each deal named by its customer."""
    entries = list(entries)
    names = deal_names(entries)
    return [audit_row(entry, names) for entry in entries]


def audit_row(entry, names: dict[int, str] | None = None) -> AuditRow:
    """One entry as a row a person can read; no query beyond the entry's own (actor selected with it)."""
    subject = subject_label(entry.subject_type) if entry.subject_type else ""
    if entry.subject_id is not None:
        subject = f"{subject} #{entry.subject_id}"
    return AuditRow(
        entry=entry,
        at=entry.at,
        actor=_actor(entry),
        action=action_label(entry.action),
        subject=subject,
        changes=[_change(entry, key, values) for key, values in (entry.changes or {}).items()],
        deal=_deal_name(entry, names or {}),
    )


def _deal_name(entry, names: dict[int, str]) -> str:
    if not entry.deal_id:
        return ""
    # A deal removed since (a merge) is still named by its number.
    return names.get(entry.deal_id) or _("Deal #%(number)s") % {"number": entry.deal_id}


def changes_text(row: AuditRow) -> str:
    """The changes of one row on one line (the CSV)."""
    parts = []
    for change in row.changes:
        if change.created:
            parts.append(f"{change.label}: {change.after}")
        else:
            parts.append(f"{change.label}: {change.before} → {change.after}")
    return "; ".join(parts)
