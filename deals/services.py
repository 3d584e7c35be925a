"""Writes for deals: registering and editing through the template, the champion log.

Every function takes keyword arguments and runs inside the caller's vendor scope. Tenant, partner and owner
always come from ``access`` (never from input). Edits carry the ``version`` they were based on; a stale one
raises :class:`StaleVersion` and nothing is written. Every change is written to the audit history.
The registration workflow and conflicts are in ``deals.workflow``.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record, changes_between
from deals.models import ChampionActivity, Deal, Phase, PhaseChange
from deals.permissions import can_edit_deal, can_edit_elements
from deals.validation import (
    clean_proposal_reason,
    normalize_corporate_number,
    normalize_customer_name,
    validate_corporate_number,
    validate_proposal_reason,
)
from knowledge.jobs import kpis_touch
from meddic import services as meddic_services
from partners.models import Membership, Role, User
from prm.clock import vendor_today
from prm.events import event_record
from prm.tenancy import Access

# What the template asks of the partner (DESIGN §4); tenant, partner, owner and workflow fields are not input.
DEAL_FIELDS = (
    "customer_name",
    "customer_corporate_number",
    "customer_industry",
    "customer_size",
    "title",
    "amount",
    "close_date",
    "phase",
    "loss_type",
    "proposal_reason",
)
REQUIRED_ON_CREATE = ("customer_name", "title", "amount", "close_date", "phase", "proposal_reason")
# Changes to these move a deal's KPI figures (knowledge.jobs.kpis_touch).
KPI_FIELDS = frozenset({"phase", "amount", "close_date"})


class StaleVersion(Exception):
    """The edit was based on an older version of the deal; ``current`` is the deal as it is now."""

    def __init__(self, current: Deal):
        super().__init__(f"deal {current.pk} is at version {current.version}")
        self.current = current


def deal_values(deal: Deal) -> dict:
    return {field: getattr(deal, field) for field in DEAL_FIELDS}


def _apply_rules(deal: Deal, *, today: date) -> None:
    """Normalise the typed values and check the template's rules; errors name their field."""
    errors: dict[str, list] = {}
    deal.customer_name = (deal.customer_name or "").strip()
    deal.title = (deal.title or "").strip()
    deal.customer_key = normalize_customer_name(deal.customer_name)
    deal.customer_corporate_number = normalize_corporate_number(deal.customer_corporate_number)
    try:
        validate_corporate_number(deal.customer_corporate_number)
    except ValidationError as error:
        errors["customer_corporate_number"] = error.messages
    try:
        validate_proposal_reason(deal.proposal_reason or "")
        deal.proposal_reason = clean_proposal_reason(deal.proposal_reason)
    except ValidationError as error:
        errors["proposal_reason"] = error.messages
    if deal.phase in (Phase.WON, Phase.LOST):
        if deal.close_date is None:
            errors["close_date"] = [_("Enter the date the deal was won or lost.")]
        elif deal.close_date > today:
            errors["close_date"] = [_("A won or lost deal's close date cannot be in the future.")]
    if deal.phase == Phase.LOST and not deal.loss_type:
        errors["loss_type"] = [_("Choose why the deal was lost (choose Unknown if nobody knows).")]
    if deal.phase != Phase.LOST:
        deal.loss_type = ""
    try:
        deal.full_clean(exclude=["vendor", "partner", "owner", *errors])
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _record_phase(deal: Deal, *, from_phase: str, actor, now) -> None:
    PhaseChange.objects.create(
        vendor_id=deal.vendor_id,
        deal=deal,
        from_phase=from_phase,
        to_phase=deal.phase,
        changed_at=now,
        changed_by=actor,
    )
    if deal.phase in (Phase.WON, Phase.LOST):
        deal.closed_at = now
        if from_phase and from_phase not in (Phase.WON, Phase.LOST):
            code = "deal.won" if deal.phase == Phase.WON else "deal.lost"
            event_record(vendor=deal.vendor, code=code, actor=actor, deal=deal)
    elif from_phase in (Phase.WON, Phase.LOST):
        deal.closed_at = None


def _owner_for(access: Access, owner: User | None) -> User:
    """The deal's owner: the caller, or (partner admins only) an active member of the admin's own company."""
    if owner is None or owner.pk == access.user.pk:
        return access.user
    if access.role != Role.PARTNER_ADMIN:
        raise PermissionDenied(
            _("Only a partner admin can register a deal for another member of the company.")
        )
    if not Membership.objects.filter(user=owner, partner=access.partner, is_active=True).exists():
        raise ValidationError({"owner": _("The owner must be an active member of your company.")})
    return owner


@transaction.atomic
def deal_create(
    *, access: Access, fields: dict, meddic: dict | None = None, owner: User | None = None
) -> Deal:
    """A partner user registers a deal for their own company, as its owner, in draft.

    ``fields`` are the template's answers (``DEAL_FIELDS``); ``meddic`` optional element answers. A partner
    admin may name another active member of their company as ``owner`` (e.g. when importing a file).
    """
    if not access.is_partner_role:
        raise PermissionDenied(_("Deals are registered by partner users."))
    owner = _owner_for(access, owner)
    unknown = set(fields) - set(DEAL_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be set.") for name in sorted(unknown)})
    missing = [name for name in REQUIRED_ON_CREATE if fields.get(name) in (None, "")]
    if missing:
        raise ValidationError({name: _("This field is required.") for name in missing})
    changes = meddic_services.meddic_clean(meddic or {})
    now = timezone.now()
    deal = Deal(vendor=access.vendor, partner=access.partner, owner=owner, **fields)
    _apply_rules(deal, today=vendor_today(access.vendor))
    deal.save()
    _record_phase(deal, from_phase="", actor=access.user, now=now)
    if deal.closed_at:
        deal.save(update_fields=["closed_at"])
    meddic_services.elements_create(deal=deal)
    audit_record(
        vendor=access.vendor,
        actor=access.user,
        action="deal.create",
        subject=deal,
        changes=changes_between(
            {},
            {
                **{k: v for k, v in deal_values(deal).items() if v not in ("", None)},
                # Recorded only when it is not the person registering.
                **({"owner": owner.email} if owner.pk != access.user.pk else {}),
            },
        ),
        deal_id=deal.pk,
    )
    meddic_services.elements_apply(access=access, deal=deal, changes=changes)
    meddic_services.score_refresh(deal=deal)
    return deal


@transaction.atomic
def deal_update(
    *, access: Access, deal: Deal, version: int, fields: dict | None = None, meddic: dict | None = None
) -> Deal:
    """Change a deal's answers and elements, based on ``version``.

    The row is locked, so of two edits of the same version exactly one wins and the other gets
    :class:`StaleVersion`. Only what actually changes is written; the version goes up once per saved edit.
    """
    fields = fields or {}
    unknown = set(fields) - set(DEAL_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be set.") for name in sorted(unknown)})
    if fields and not can_edit_deal(access, deal):
        raise PermissionDenied(_("Only the deal's owner or their partner admin can change it."))
    if meddic and not can_edit_elements(access, deal):
        raise PermissionDenied(_("Only the deal's owner or their partner admin can change it."))
    changes = meddic_services.meddic_clean(meddic or {})
    current = Deal.objects.select_for_update().get(pk=deal.pk)
    if current.version != version:
        raise StaleVersion(current)
    before = deal_values(current)
    for name, value in fields.items():
        setattr(current, name, value)
    _apply_rules(current, today=vendor_today(access.vendor))
    diff = changes_between(before, deal_values(current))
    elements_changed = meddic_services.elements_apply(access=access, deal=current, changes=changes)
    if not diff and not elements_changed:
        return current
    now = timezone.now()
    if "phase" in diff:
        _record_phase(current, from_phase=before["phase"], actor=access.user, now=now)
    current.version += 1
    current.save()
    if diff:
        audit_record(
            vendor=access.vendor,
            actor=access.user,
            action="deal.update",
            subject=current,
            changes=diff,
            deal_id=current.pk,
        )
    if {"customer_name", "customer_corporate_number"} & set(diff):
        from deals.workflow import registration_customer_changed

        registration_customer_changed(access=access, deal=current)
    meddic_services.score_refresh(deal=current)
    if KPI_FIELDS & set(diff):
        kpis_touch(current, before={before["close_date"]} if before["close_date"] else set())
    return current


@transaction.atomic
def champion_activity_add(*, access: Access, deal: Deal, **entry) -> ChampionActivity:
    """Log what the champion (or the partner or vendor on their behalf) did, in the fixed format.

    Whoever may edit the deal's elements may log; the date cannot be in the future.
    """
    if not can_edit_elements(access, deal):
        raise PermissionDenied(_("Only the deal's owner or their partner admin can log champion activity."))
    activity = ChampionActivity(vendor=access.vendor, deal=deal, logged_by=access.user, **entry)
    activity.next_step = (activity.next_step or "").strip()
    errors = {}
    if activity.date and activity.date > vendor_today(access.vendor):
        errors["date"] = [_("Log activities that have happened; the date cannot be in the future.")]
    try:
        activity.full_clean(exclude=["vendor", "deal", "logged_by", *errors])
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    activity.save()
    audit_record(
        vendor=access.vendor,
        actor=access.user,
        action="champion_activity.create",
        subject=activity,
        changes=changes_between(
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
        deal_id=deal.pk,
    )
    meddic_services.score_refresh(deal=deal)
    return activity
