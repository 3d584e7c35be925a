"""What the deal page shows: its cards, registration panel, review forms and history, in one context.

Pages of other apps that show the deal page again (a refused MEDDIC review form) build it here too.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from audit.services import deal_history
from deals import selectors, workflow
from deals.history import display_value, field_label, history_rows, registration_events
from deals.models import Deal, RegistrationStatus
from deals.permissions import can_edit_deal, can_edit_elements, sees_conflicts
from deals.views_form import champion_log_context
from knowledge.insights.ringi import deal_ringi_pattern
from meddic.forms_review import verify_forms
from meddic.models import ELEMENT_FIELDS, ElementCode, MeddicElement
from meddic.presentation import review_context, score_context
from prm.clock import vendor_today
from prm.tenancy import Access

HISTORY_LIMIT = 100


class ReasonForm(forms.Form):
    # Required-ness is the workflow's rule (``needs_reason``); the service says so when it is missing.
    reason = forms.CharField(
        label=gettext_lazy("Reason (the partner reads this)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@dataclass
class ElementCard:
    element: MeddicElement
    label: str
    answers: list[tuple[str, str]] = field(default_factory=list)
    freshness: str = ""
    # fresh (≤30 days), ageing (≤90), stale (older) or never: the visibility score's freshness bands.
    freshness_band: str = "never"


def freshness_of(element: MeddicElement, today, zone: ZoneInfo) -> tuple[str, str]:
    """("12 days ago", "fresh") — days since the element was last confirmed, in the vendor's calendar."""
    if element.last_confirmed_at is None:
        return _("never"), "never"
    confirmed = timezone.localtime(element.last_confirmed_at, zone).date()
    days = max((today - confirmed).days, 0)
    band = "fresh" if days <= 30 else "ageing" if days <= 90 else "stale"
    if days == 0:
        return _("today"), band
    return ngettext("%(days)d day ago", "%(days)d days ago", days) % {"days": days}, band


def element_cards(elements: dict, today, zone: ZoneInfo) -> list[ElementCard]:
    cards = []
    for code, element in elements.items():
        text, band = freshness_of(element, today, zone)
        cards.append(
            ElementCard(
                element=element,
                label=element.get_code_display(),
                answers=[
                    (
                        field_label(MeddicElement, name),
                        display_value(MeddicElement, name, getattr(element, name)),
                    )
                    for name in ELEMENT_FIELDS[code]
                ],
                freshness=text,
                freshness_band=band,
            )
        )
    return cards


def protection_state(deal: Deal, today) -> str:
    """protected / ended / "" — whether an approved registration still holds the customer."""
    if deal.protected_until is None:
        return ""
    if deal.protection_expired or deal.protected_until < today:
        return "ended"
    return "protected"


def deal_page_context(
    access: Access, deal: Deal, *, open_action: str = "", reason_form=None, bound: dict | None = None
) -> dict:
    """Everything the deal page shows. ``bound`` keeps refused review forms (see ``meddic.views_review``)."""
    bound = bound or {}
    today = vendor_today(access.vendor)
    elements = selectors.deal_elements(deal)
    events = registration_events(deal)
    # A rejection or return the deal still stands under: its reason goes to the top of the page.
    decision = events[0] if events and events[0].to_status == deal.registration_status else None
    if decision is not None and decision.to_status not in (
        RegistrationStatus.REJECTED,
        RegistrationStatus.RETURNED,
    ):
        decision = None
    actions = workflow.actions_for(access, deal)
    reason_actions = [t for t in actions if t.needs_reason]
    refused = workflow.TRANSITIONS.get(open_action)
    if refused is not None and refused.needs_reason and refused not in reason_actions:
        # The step is no longer possible (the deal moved on), but the typed reason is shown with the error.
        reason_actions.append(refused)
    conflicts = []
    if sees_conflicts(access):
        for conflict in selectors.conflicts_of(deal).order_by("resolved_at", "-detected_at"):
            other = conflict.other if conflict.deal_id == deal.pk else conflict.deal
            conflicts.append((conflict, other))
    return {
        **score_context(deal),
        **review_context(access, deal, today, elements, bound=bound),
        "verify_forms": verify_forms(access, ElementCode.values, bound=bound.get("verify")),
        "verify_open": bound["verify"][0] if "verify" in bound else None,
        "deal": deal,
        "today": today,
        "protection": protection_state(deal, today),
        "element_cards": element_cards(elements, today, ZoneInfo(access.vendor.time_zone)),
        "ringi_pattern": (
            deal_ringi_pattern(deal, elements[ElementCode.DECISION_PROCESS])
            if ElementCode.DECISION_PROCESS in elements
            else None
        ),
        "phases": selectors.phase_history(deal),
        "events": events,
        "decision": decision,
        "history": history_rows(deal_history(deal)[:HISTORY_LIMIT], deal),
        "history_limit": HISTORY_LIMIT,
        "actions": actions,
        "reason_actions": reason_actions,
        # What approving would give, shown before the click (the workflow computes the same date).
        "approve_protects_until": (
            today + timedelta(days=access.vendor.protection_days)
            if any(t.action == "approve" for t in actions)
            else None
        ),
        "open_action": open_action,
        "reason_form": reason_form or ReasonForm(),
        "conflicts": conflicts,
        "open_conflicts": [c for c in conflicts if c[0].is_open],
        "can_edit": can_edit_deal(access, deal),
        "can_edit_elements": can_edit_elements(access, deal),
        **champion_log_context(access, deal),
    }
