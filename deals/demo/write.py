"""Saving planned demo deals with ``bulk_create``: the deals, their phase history, workflow events, six
elements, champion log and conflicts, and the audit trail the services would have written (backdated).

The audit entries follow the services' formats exactly (``deal.create``, ``deal.update``, ``deal.submit`` …,
``element.update`` keyed ``"<element>.<field>"``, ``champion_activity.create``, ``conflict.resolve``,
``deal.protection_expire``), so the deal page and the analyses read demo history like real history.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from audit.models import AuditEntry
from audit.services import changes_between
from deals.demo.plan import ConflictPlan, Plan
from deals.models import ChampionActivity, Deal, PhaseChange, RegistrationConflict, RegistrationEvent
from deals.models import RegistrationStatus as S
from deals.services import deal_values
from meddic.models import ElementCode, Evidence, MeddicElement
from partners.models import PartnerCompany, Vendor

ACTIONS = {
    S.SUBMITTED: "deal.submit",
    S.APPROVED: "deal.approve",
    S.REJECTED: "deal.reject",
    S.RETURNED: "deal.return",
}
BATCH = 500


class _Trail:
    """Audit entries waiting for the ids of their subjects."""

    def __init__(self, vendor: Vendor):
        self.vendor, self.entries = vendor, []

    def add(self, at, actor, action, subject, deal, changes, reason=""):
        self.entries.append((at, actor, action, subject, deal, changes, reason))

    def save(self) -> None:
        rows = [
            AuditEntry(
                vendor=self.vendor,
                at=at,
                actor=actor,
                action=action,
                subject_type=subject._meta.model_name,
                subject_id=subject.pk,
                deal_id=deal.pk,
                changes=changes,
                reason=reason,
            )
            for at, actor, action, subject, deal, changes, reason in sorted(self.entries, key=lambda e: e[0])
        ]
        AuditEntry.objects.bulk_create(rows, batch_size=BATCH)


def write(vendor: Vendor, plans: list[Plan], conflicts: list[ConflictPlan]) -> None:
    Deal.objects.bulk_create([plan.deal for plan in plans], batch_size=BATCH)
    tz, now = ZoneInfo(vendor.time_zone), timezone.now()
    trail = _Trail(vendor)
    phases, events, elements, activities = [], [], [], []
    for plan in plans:
        edits = _deal_history(plan, trail, phases, events, tz)
        edits += _element_history(plan, elements)
        deal = plan.deal
        deal.version = 1 + len(set(edits))
        deal.created_at = plan.created
        deal.updated_at = max([plan.created, *edits, *(at for _f, _t, at, _a, _r in plan.events)])
        for entry in plan.activities:
            activity = ChampionActivity(vendor=vendor, deal=deal, logged_by=deal.owner, **entry)
            activities.append(activity)
    Deal.objects.bulk_update(
        [plan.deal for plan in plans], ["version", "created_at", "updated_at"], batch_size=BATCH
    )
    PhaseChange.objects.bulk_create(phases, batch_size=BATCH)
    RegistrationEvent.objects.bulk_create(events, batch_size=BATCH)
    MeddicElement.objects.bulk_create([element for element, _entries in elements], batch_size=BATCH)
    for element, entries in elements:
        element.updated_at = element.last_confirmed_at or element.deal.created_at
        for at, actor, changes in entries:
            trail.add(at, actor, "element.update", element, element.deal, changes)
    MeddicElement.objects.bulk_update([e for e, _entries in elements], ["updated_at"], batch_size=BATCH)
    ChampionActivity.objects.bulk_create(activities, batch_size=BATCH)
    for activity in activities:  # logged the same evening (set after bulk_create, which stamps "now")
        activity.created_at = min(datetime.combine(activity.date, time(18), tz), now)
    ChampionActivity.objects.bulk_update(activities, ["created_at"], batch_size=BATCH)
    for activity in activities:
        trail.add(
            activity.created_at,
            activity.logged_by,
            "champion_activity.create",
            activity,
            activity.deal,
            changes_between(
                {},
                {
                    "date": activity.date,
                    "actor": activity.actor,
                    "activity_type": activity.activity_type,
                    "target": activity.target,
                    "outcome": activity.outcome,
                    "next_step": activity.next_step,
                },
            ),
        )
    _conflicts(vendor, conflicts, trail)
    trail.save()
    _first_registrations(plans, tz)


def _deal_history(plan: Plan, trail: _Trail, phases: list, events: list, tz: ZoneInfo) -> list[datetime]:
    """Creation, phase changes and workflow steps of one deal; returns the moments of its edits."""
    deal, owner, edits = plan.deal, plan.deal.owner, []
    initial = deal_values(deal) | {
        "phase": plan.phases[0][0],
        "close_date": plan.initial_close,
        "loss_type": "",
    }
    created = {field: value for field, value in initial.items() if value not in ("", None)}
    trail.add(plan.created, owner, "deal.create", deal, deal, changes_between({}, created))
    previous = ""
    for index, (phase, at) in enumerate(plan.phases):
        phases.append(
            PhaseChange(
                vendor_id=deal.vendor_id,
                deal=deal,
                from_phase=previous,
                to_phase=phase,
                changed_at=at,
                changed_by=owner,
            )
        )
        if index:
            before, after = {"phase": previous}, {"phase": phase}
            if index == len(plan.phases) - 1:  # the close date and loss type change with the last step
                before.update(close_date=plan.initial_close, loss_type="")
                after.update(close_date=deal.close_date, loss_type=deal.loss_type)
            trail.add(at, owner, "deal.update", deal, deal, changes_between(before, after))
            edits.append(at)
        previous = phase
    if plan.slip_at:
        changes = changes_between({"close_date": plan.initial_close}, {"close_date": deal.close_date})
        trail.add(plan.slip_at, owner, "deal.update", deal, deal, changes)
        edits.append(plan.slip_at)
    protected = None
    for from_status, to_status, at, actor, reason in plan.events:
        events.append(
            RegistrationEvent(
                vendor_id=deal.vendor_id,
                deal=deal,
                from_status=from_status,
                to_status=to_status,
                reason=reason,
                actor=actor,
                at=at,
            )
        )
        before = {"registration_status": from_status, "protected_until": protected}
        if to_status == S.APPROVED:
            protected = at.astimezone(tz).date() + timedelta(days=deal.vendor.protection_days)
        elif to_status == S.REJECTED:
            protected = None
        after = {"registration_status": to_status, "protected_until": protected}
        trail.add(at, actor, ACTIONS[to_status], deal, deal, changes_between(before, after), reason)
    if plan.expired_at:
        trail.add(
            plan.expired_at, None, "deal.protection_expire", deal, deal, {"protection_expired": [False, True]}
        )
    return edits


def _element_history(plan: Plan, elements: list) -> list[datetime]:
    """The six elements with their final answers, and each element's changes between the planned states
    (entries are added once the elements have ids); returns the moments of edits after creation."""
    deal, owner = plan.deal, plan.deal.owner
    previous = {code: MeddicElement(code=code).as_dict() for code in ElementCode.values}
    changes = {code: [] for code in ElementCode.values}
    edits = []
    for index, (at, states) in enumerate(plan.snapshots):
        changed = False
        for code, state in states.items():
            diff = changes_between(previous[code], state)
            if not diff:
                continue
            # Only the vendor verifies: a step to "verified" is the channel manager's.
            verified = (
                state["evidence"] == Evidence.VERIFIED and previous[code]["evidence"] != Evidence.VERIFIED
            )
            actor = plan.manager if verified and plan.manager else owner
            changes[code].append((at, actor, {f"{code}.{name}": values for name, values in diff.items()}))
            previous[code], changed = state, True
        if changed and index:
            edits.append(at)
    for code, state in previous.items():
        last = changes[code][-1][0] if changes[code] else None
        element = MeddicElement(
            vendor_id=deal.vendor_id, deal=deal, code=code, last_confirmed_at=last, **state
        )
        elements.append((element, changes[code]))
    return edits


def _conflicts(vendor: Vendor, conflicts: list[ConflictPlan], trail: _Trail) -> None:
    rows = []
    for plan in conflicts:
        kept = plan.other.deal if plan.resolved_at else None
        row = RegistrationConflict(
            vendor=vendor,
            deal=plan.deal.deal,
            other=plan.other.deal,
            match=plan.match,
            detected_at=plan.detected_at,
            resolved_at=plan.resolved_at,
            resolved_by=plan.resolved_by,
            kept=kept,
            resolution_note=plan.deal.events[-1][4] if plan.resolved_at else "",
        )
        rows.append(row)
    RegistrationConflict.objects.bulk_create(rows)
    for row in rows:
        if row.resolved_at:
            for deal in (row.deal, row.other):
                changes = {"kept": [None, row.kept_id]}
                trail.add(
                    row.resolved_at,
                    row.resolved_by,
                    "conflict.resolve",
                    row,
                    deal,
                    changes,
                    row.resolution_note,
                )


def _first_registrations(plans: list[Plan], tz: ZoneInfo) -> None:
    """The onboarding checklist's "first deal registered" is the partner's first submission."""
    first = {}
    for plan in plans:
        registered = plan.deal.registered_at
        if registered and (plan.deal.partner_id not in first or registered < first[plan.deal.partner_id]):
            first[plan.deal.partner_id] = registered
    for partner_id, registered in first.items():
        day = registered.astimezone(tz).date()
        PartnerCompany.objects.filter(pk=partner_id).update(first_deal_registered_on=day)
