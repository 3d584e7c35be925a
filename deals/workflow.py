"""Deal registration workflow and registration conflicts (DESIGN §4).

``draft → submitted → approved | rejected | returned``; a returned deal is fixed and submitted again, and an
approved one may still be rejected (e.g. when resolving a conflict). Approval protects the registration for the
vendor's ``protection_days``; the nightly job ends protection. Submitting looks for another partner's
submitted or protected deal for the same customer: both deals are then flagged until a channel manager
resolves the conflict.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_record, changes_between
from deals.models import ConflictMatch, Deal, RegistrationConflict, RegistrationEvent
from deals.models import RegistrationStatus as S
from deals.permissions import can_decide_registration, can_edit_deal
from knowledge.jobs import kpis_touch
from meddic.services import scores_refresh
from prm.clock import vendor_today
from prm.events import event_record
from prm.models import Event
from prm.tenancy import Access


@dataclass(frozen=True)
class Transition:
    action: str
    label: object
    sources: tuple[str, ...]
    target: str
    by_vendor: bool
    needs_reason: bool


TRANSITIONS = {
    t.action: t
    for t in (
        Transition(
            "submit", gettext_lazy("Submit registration"), (S.DRAFT, S.RETURNED), S.SUBMITTED, False, False
        ),
        Transition("approve", gettext_lazy("Approve"), (S.SUBMITTED,), S.APPROVED, True, False),
        Transition("reject", gettext_lazy("Reject"), (S.SUBMITTED, S.APPROVED), S.REJECTED, True, True),
        Transition("return", gettext_lazy("Return for facts"), (S.SUBMITTED,), S.RETURNED, True, True),
    )
}


# Not a step anyone takes: an approved deal whose customer changed goes back for approval (DESIGN §17).
REOPEN = Transition("reopen", gettext_lazy("Back to review"), (S.APPROVED,), S.SUBMITTED, False, False)


def _may(access: Access, deal: Deal, transition: Transition) -> bool:
    return can_decide_registration(access) if transition.by_vendor else can_edit_deal(access, deal)


def actions_for(access: Access, deal: Deal) -> list[Transition]:
    """The workflow steps this user may take on this deal now (buttons on the page)."""
    return [
        t for t in TRANSITIONS.values() if deal.registration_status in t.sources and _may(access, deal, t)
    ]


def open_conflicts(deal: Deal) -> QuerySet[RegistrationConflict]:
    return RegistrationConflict.objects.filter(Q(deal=deal) | Q(other=deal), resolved_at=None)


@transaction.atomic
def deal_transition(*, access: Access, deal: Deal, action: str, reason: str = "") -> Deal:
    """Move a deal through the workflow; the row is locked so two clicks cannot both apply."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError(_("Unknown workflow step."))
    if not _may(access, deal, transition):
        raise PermissionDenied
    current = Deal.objects.select_for_update().get(pk=deal.pk)
    if current.registration_status not in transition.sources:
        raise ValidationError(
            _("This deal is %(status)s; it cannot be changed this way now.")
            % {"status": current.get_registration_status_display()}
        )
    reason = (reason or "").strip()
    if transition.needs_reason and not reason:
        raise ValidationError({"reason": _("Give the partner a reason.")})
    if action == "approve" and open_conflicts(current).exists():
        raise ValidationError(_("Resolve the registration conflict on this deal before approving it."))
    return _move(access=access, deal=current, transition=transition, reason=reason)


def _move(*, access: Access, deal: Deal, transition: Transition, reason: str) -> Deal:
    now, today = timezone.now(), vendor_today(access.vendor)
    before = {"registration_status": deal.registration_status, "protected_until": deal.protected_until}
    deal.registration_status = transition.target
    if transition.action == "submit" and deal.registered_at is None:
        deal.registered_at = now
    if transition.action == "approve":
        deal.protected_until = today + timedelta(days=access.vendor.protection_days)
        deal.protection_expired = False
    if transition.action in ("reject", "reopen"):
        deal.protected_until = None
        deal.protection_expired = False
    deal.save()
    RegistrationEvent.objects.create(
        vendor=access.vendor,
        deal=deal,
        from_status=before["registration_status"],
        to_status=deal.registration_status,
        reason=reason,
        actor=access.user,
        at=now,
    )
    after = {"registration_status": deal.registration_status, "protected_until": deal.protected_until}
    audit_record(
        vendor=access.vendor,
        actor=access.user,
        action=f"deal.{transition.action}",
        subject=deal,
        changes=changes_between(before, after),
        deal_id=deal.pk,
        reason=reason,
    )
    kpis_touch(deal)  # a draft does not count; every other registration status does
    if transition.action == "submit":
        _mark_first_registration(deal, today)
    if transition.action in ("submit", "reopen"):
        event_record(vendor=access.vendor, code="deal.submitted", actor=access.user, deal=deal)
        _conflicts_announce(conflicts_detect(deal))
    else:
        params = {"detail": reason}
        if deal.protected_until is not None:
            params["until"] = deal.protected_until.isoformat()
        code = TRANSITION_EVENTS[transition.action]
        event_record(vendor=access.vendor, code=code, actor=access.user, deal=deal, params=params)
    return deal


# The event each vendor decision records (DESIGN §10); submitting and reopening record ``deal.submitted``.
TRANSITION_EVENTS = {"approve": "deal.approved", "reject": "deal.rejected", "return": "deal.returned"}


def _conflicts_announce(conflicts: list[RegistrationConflict]) -> None:
    """Each deal a new conflict flags is an event of its own, found by the product (no actor): both partners and
    their channel managers hear of it, each partner about its own deal only."""
    for conflict in conflicts:
        for deal in (conflict.deal, conflict.other):
            event_record(vendor=deal.vendor, code="deal.conflict_flagged", deal=deal, subject=conflict)


def _mark_first_registration(deal: Deal, today) -> None:
    """The onboarding checklist's "first deal registered" is ticked by the first submission."""
    partner = deal.partner
    if partner.first_deal_registered_on is None:
        partner.first_deal_registered_on = today
        partner.save(update_fields=["first_deal_registered_on", "updated_at"])


# First key of the PostgreSQL advisory lock that serialises conflict detection within a vendor (the second is the
# vendor's id); knowledge.kpis.LOCK_NAMESPACE is another first key.
REGISTRATION_LOCK_NAMESPACE = 0x524547  # "REG"


def registrations_lock(vendor_id: int) -> None:
    """Hold the vendor's registration lock until the transaction ends (PostgreSQL; elsewhere a no-op).

    Two partners submitting the same customer at once would each look for the other's registration before
    either had committed, and neither would be flagged. Under the lock the second looks only once the first
    has committed, and finds it. (SQLite lets one writer at a time in anyway.)
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [REGISTRATION_LOCK_NAMESPACE, vendor_id])


def conflict_candidates(deal: Deal) -> QuerySet[Deal]:
    """Other partners' deals for the same customer that hold (or wait for) a registration."""
    same_customer = Q(customer_key=deal.customer_key) if deal.customer_key else Q(pk__in=[])
    if deal.customer_corporate_number:
        same_customer |= Q(customer_corporate_number=deal.customer_corporate_number)
    holding = Q(registration_status=S.SUBMITTED) | Q(
        registration_status=S.APPROVED, protected_until__gte=vendor_today(deal.vendor)
    )
    return Deal.objects.filter(same_customer, holding).exclude(partner_id=deal.partner_id)


def conflicts_detect(deal: Deal) -> list[RegistrationConflict]:
    """Flag every conflict the deal has with another partner's registration (once per pair).

    Runs inside the transaction that registered the deal or changed its customer, under the vendor's
    registration lock (held until that transaction ends).
    """
    registrations_lock(deal.vendor_id)
    found = []
    for other in conflict_candidates(deal).order_by("registered_at", "pk"):
        pair = Q(deal=deal, other=other) | Q(deal=other, other=deal)
        if RegistrationConflict.objects.filter(pair, resolved_at=None).exists():
            continue
        same_number = deal.customer_corporate_number and (
            deal.customer_corporate_number == other.customer_corporate_number
        )
        conflict, _created = RegistrationConflict.objects.update_or_create(
            deal=deal,
            other=other,
            defaults={
                "vendor": deal.vendor,
                "match": ConflictMatch.CORPORATE_NUMBER if same_number else ConflictMatch.NAME,
                "detected_at": timezone.now(),
                "resolved_at": None,
                "resolved_by": None,
                "kept": None,
                "resolution_note": "",
            },
        )
        found.append(conflict)
    if found:
        scores_refresh(
            vendor=deal.vendor, deals=Deal.objects.filter(pk__in=[deal.pk, *(c.other_id for c in found)])
        )
    return found


def registration_customer_changed(*, access: Access, deal: Deal) -> None:
    """The customer of a registered deal changed (name or corporate number), inside the edit's transaction.

    Protection covers the customer that was approved (DESIGN §17): an approved deal goes back to ``submitted``,
    its protection suspended until it is approved again, and is checked for conflicts and announced to the
    channel manager as a new registration. A submitted deal is checked for conflicts with its new customer.
    """
    if deal.registration_status == S.APPROVED:
        _move(
            access=access,
            deal=deal,
            transition=REOPEN,
            reason=_("The customer changed after approval; the registration needs approving again."),
        )
    elif deal.registration_status == S.SUBMITTED:
        conflicts_flag(deal)


def conflicts_flag(deal: Deal) -> list[RegistrationConflict]:
    """Flag and announce new conflicts of an already registered deal (e.g. after its customer changed)."""
    conflicts = conflicts_detect(deal)
    _conflicts_announce(conflicts)
    return conflicts


@transaction.atomic
def conflict_resolve(
    *, access: Access, conflict: RegistrationConflict, keep: Deal | None, note: str
) -> RegistrationConflict:
    """A channel manager settles a conflict: keep one deal and reject the other with the note as reason,
    or (``keep=None``) decide that the two are different customers and keep both."""
    if not can_decide_registration(access):
        raise PermissionDenied
    conflict = RegistrationConflict.objects.select_for_update().get(pk=conflict.pk)
    if not conflict.is_open:
        raise ValidationError(_("This conflict has already been resolved."))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Write down why, for both partners to read.")})
    if keep is not None and keep.pk not in (conflict.deal_id, conflict.other_id):
        raise ValidationError({"keep": _("Choose one of the two deals.")})
    if keep is not None:
        loser_id = conflict.other_id if keep.pk == conflict.deal_id else conflict.deal_id
        loser = Deal.objects.select_for_update().get(pk=loser_id)
        if loser.registration_status in TRANSITIONS["reject"].sources:
            _move(access=access, deal=loser, transition=TRANSITIONS["reject"], reason=note)
    conflict.resolved_at = timezone.now()
    conflict.resolved_by = access.user
    conflict.kept = keep
    conflict.resolution_note = note
    conflict.save()
    scores_refresh(
        vendor=access.vendor, deals=Deal.objects.filter(pk__in=[conflict.deal_id, conflict.other_id])
    )
    for deal_id in (conflict.deal_id, conflict.other_id):
        audit_record(
            vendor=access.vendor,
            actor=access.user,
            action="conflict.resolve",
            subject=conflict,
            changes={"kept": [None, keep.pk if keep else None]},
            deal_id=deal_id,
            reason=note,
        )
    for deal in (conflict.deal, conflict.other):
        event_record(
            vendor=access.vendor,
            code="deal.conflict_resolved",
            actor=access.user,
            deal=deal,
            subject=conflict,
            params={"detail": note},
        )
    return conflict


def protection_expire(*, vendor) -> int:
    """End protection of approved registrations whose ``protected_until`` has passed; tell the owner and
    channel manager once. Idempotent: a deal already expired is not touched again."""
    today = vendor_today(vendor)
    expired = 0
    for deal in Deal.objects.filter(
        registration_status=S.APPROVED, protected_until__lt=today, protection_expired=False
    ).select_related("owner", "partner__channel_manager"):
        with transaction.atomic():
            updated = Deal.objects.filter(pk=deal.pk, protection_expired=False).update(
                protection_expired=True
            )
            if not updated:
                continue
            audit_record(
                vendor=vendor,
                actor=None,
                action="deal.protection_expire",
                subject=deal,
                changes={"protection_expired": [False, True]},
                deal_id=deal.pk,
            )
            event_record(vendor=vendor, code="deal.protection_expired", deal=deal)
            expired += 1
    return expired


# How many days before protection ends its owner and channel manager are told.
PROTECTION_WARNING_DAYS = 7


def protection_warn(*, vendor) -> int:
    """Tell the owner, their partner admins and the channel manager once when an approved registration's protection
    ends in :data:`PROTECTION_WARNING_DAYS` days. Idempotent: the warning of a date is recorded once."""
    until = vendor_today(vendor) + timedelta(days=PROTECTION_WARNING_DAYS)
    warned = 0
    for deal in Deal.objects.filter(
        registration_status=S.APPROVED, protected_until=until, protection_expired=False
    ).select_related("owner", "partner__channel_manager"):
        with transaction.atomic():
            already = Event.objects.filter(
                code="deal.protection_expiring", deal_id=deal.pk, params__until=until.isoformat()
            )
            if already.exists():
                continue
            event_record(
                vendor=vendor, code="deal.protection_expiring", deal=deal, params={"until": until.isoformat()}
            )
            warned += 1
    return warned
