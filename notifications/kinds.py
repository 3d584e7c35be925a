"""What each kind of notification says, rendered in the reader's language from the stored parameters."""

from dataclasses import dataclass

from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from meddic.models import ElementCode, ReviewState


@dataclass(frozen=True)
class Kind:
    # %(customer)s, %(element)s, %(state)s, %(due)s and %(actor)s are filled in from the parameters.
    text: Promise
    icon: str
    # What the kind is called in the list's filter and the export.
    label: Promise


KINDS = {
    "deal.submitted": Kind(
        _("%(actor)s registered %(customer)s for approval"), "bi-send", _("Registration submitted")
    ),
    "deal.approved": Kind(
        _("%(actor)s approved the registration of %(customer)s (protected until %(until)s)"),
        "bi-shield-check",
        _("Registration approved"),
    ),
    "deal.rejected": Kind(
        _("%(actor)s rejected the registration of %(customer)s"), "bi-x-octagon", _("Registration rejected")
    ),
    "deal.returned": Kind(
        _("%(actor)s returned the registration of %(customer)s for changes"),
        "bi-arrow-return-left",
        _("Registration returned"),
    ),
    "deal.conflict_flagged": Kind(
        _("Another registration for the same customer as %(customer)s was found"),
        "bi-exclamation-triangle",
        _("Registration conflict"),
    ),
    "deal.conflict_resolved": Kind(
        _("The registration conflict on %(customer)s was settled"), "bi-check2-square", _("Conflict settled")
    ),
    "deal.protection_expiring": Kind(
        _("The registration protection of %(customer)s ends on %(until)s"),
        "bi-hourglass-split",
        _("Protection ending"),
    ),
    "deal.protection_expired": Kind(
        _("The registration protection of %(customer)s ended"), "bi-hourglass-bottom", _("Protection ended")
    ),
    "content.published": Kind(_("New material: %(title)s"), "bi-journal-text", _("New material")),
    "webhook.disabled": Kind(
        _("A webhook was turned off after its deliveries kept failing: %(url)s"),
        "bi-plug",
        _("Webhook turned off"),
    ),
    "deal.won": Kind(_("%(customer)s was won"), "bi-trophy", pgettext_lazy("event", "Deal won")),
    "deal.lost": Kind(_("%(customer)s was lost"), "bi-emoji-frown", pgettext_lazy("event", "Deal lost")),
    "info_request.sent": Kind(
        _("%(actor)s asks about %(element)s on %(customer)s (due %(due)s)"),
        "bi-question-circle",
        _("Question asked"),
    ),
    "info_request.answered": Kind(
        _("%(actor)s answered the question about %(element)s on %(customer)s"),
        "bi-reply",
        _("Question answered"),
    ),
    "info_request.withdrawn": Kind(
        _("%(actor)s withdrew the question about %(element)s on %(customer)s"),
        "bi-x-circle",
        _("Question withdrawn"),
    ),
    "review.changed": Kind(
        _("%(customer)s was reviewed: %(state)s"), "bi-clipboard2-check", _("Review changed")
    ),
    "element.verified": Kind(
        _("%(actor)s verified %(element)s on %(customer)s"), "bi-patch-check", _("Element verified")
    ),
    "element.verification_lost": Kind(
        _("%(actor)s changed %(element)s on %(customer)s after it was verified: no longer verified"),
        "bi-patch-exclamation",
        _("Verification lost"),
    ),
}


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


def render(notification) -> str:
    """The notification's sentence in the active language."""
    kind = KINDS.get(notification.kind)
    if kind is None:
        return notification.kind
    params = notification.params or {}
    due = parse_date(params.get("due") or "")
    until = parse_date(params.get("until") or "")
    actor = notification.actor
    return str(kind.text) % {
        "actor": (actor.name or actor.email) if actor is not None else _("Someone"),
        "customer": params.get("customer", ""),
        "element": _label(ElementCode, params.get("element")),
        "state": _label(ReviewState, params.get("state")),
        "due": date_format(due, "SHORT_DATE_FORMAT") if due else "",
        "until": date_format(until, "SHORT_DATE_FORMAT") if until else "",
        "url": params.get("url", ""),
        "title": params.get("title", ""),
    }


def detail(notification) -> str:
    """A second line: the question or answer that came with it."""
    return (notification.params or {}).get("detail", "")


def label(kind: str) -> str:
    return str(KINDS[kind].label) if kind in KINDS else kind


def icon(notification) -> str:
    kind = KINDS.get(notification.kind)
    return kind.icon if kind else "bi-bell"
