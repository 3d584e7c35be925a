"""Writes to MEDDIC elements and the stored scores (DESIGN §5; the formulas are in ``meddic.scoring``).

A deal's elements change only through :func:`elements_apply`, called by the deal services inside their
transaction, so every change is versioned with the deal and written to the audit history.
"""

from functools import cache
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import transaction
from django.db.models import Case, DateTimeField, Max, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record, changes_between
from deals.models import OPEN_PHASES, Deal, PhaseChange
from meddic import scoring
from meddic.models import (
    COMMON_FIELDS,
    ELEMENT_FIELDS,
    MULTI_FIELDS,
    BuyerAccess,
    ChampionStatus,
    DealScore,
    ElementCode,
    ElementWeight,
    Evidence,
    Level,
    MeddicElement,
    ScoreHistory,
    VerificationMethod,
)
from meddic.permissions import can_change_weights, can_verify_elements
from prm.clock import vendor_today
from prm.events import event_record
from prm.outbox import enqueue_on_commit
from prm.tenancy import Access

TEXT_LIMITS = {"note": 500, "competitors": 200}


def elements_create(*, deal) -> list[MeddicElement]:
    """The six elements of a new deal, all unknown."""
    return MeddicElement.objects.bulk_create(
        MeddicElement(vendor_id=deal.vendor_id, deal=deal, code=code) for code in ElementCode.values
    )


def _choice_values(field_name: str) -> list | None:
    field = MeddicElement._meta.get_field(field_name)
    return [value for value, _label in field.choices] if field.choices else None


def _clean_value(code: str, name: str, value):
    """One answer, checked against its picklist; returns the value to store."""
    if name in MULTI_FIELDS:
        allowed = MULTI_FIELDS[name].values
        if not isinstance(value, list | tuple) or any(item not in allowed for item in value):
            raise ValidationError(_("Choose from: %(choices)s.") % {"choices": ", ".join(allowed)})
        return [item for item in allowed if item in value]
    if name == "level":
        if isinstance(value, bool) or not isinstance(value, int) or value not in Level.values:
            raise ValidationError(_("Choose a level from 0 to 3."))
        return value
    if name == "severity":
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise ValidationError(_("Choose a severity from 1 to 5."))
        return value
    if name in TEXT_LIMITS:
        if not isinstance(value, str):
            raise ValidationError(_("Enter text."))
        # PostgreSQL cannot store NUL in text: refuse it here as forms and serializers do, not fail on save.
        ProhibitNullCharactersValidator()(value)
        value = value.strip()
        if len(value) > TEXT_LIMITS[name]:
            raise ValidationError(
                _("Keep this to %(max)d characters (it has %(count)d).")
                % {"max": TEXT_LIMITS[name], "count": len(value)}
            )
        return value
    choices = _choice_values(name)
    if not isinstance(value, str) or value not in choices:
        raise ValidationError(_("Choose from: %(choices)s.") % {"choices": ", ".join(map(str, choices))})
    return value


def meddic_clean(payload) -> dict[str, dict]:
    """Check a ``{element: {field: value}}`` change set; errors are keyed ``meddic.<element>.<field>``."""
    if not isinstance(payload, dict):
        raise ValidationError({"meddic": _("Send an object keyed by element.")})
    errors, cleaned = {}, {}
    for code, answers in payload.items():
        if code not in ElementCode.values:
            errors[f"meddic.{code}"] = _("Unknown element.")
            continue
        if not isinstance(answers, dict):
            errors[f"meddic.{code}"] = _("Send an object of fields.")
            continue
        allowed = (*COMMON_FIELDS, *ELEMENT_FIELDS[code])
        cleaned[code] = {}
        for name, value in answers.items():
            if name not in allowed:
                errors[f"meddic.{code}.{name}"] = _("This field does not belong to this element.")
                continue
            try:
                cleaned[code][name] = _clean_value(code, name, value)
            except ValidationError as error:
                errors[f"meddic.{code}.{name}"] = error.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


# Answers that say what the vendor itself did or checked (DESIGN §17): only vendor staff give them.
VENDOR_ASSERTIONS = {
    ("economic_buyer", "access"): BuyerAccess.VENDOR_MET,
    ("champion", "status"): ChampionStatus.VERIFIED,
}


def vendor_assertion_refused(access: Access, code: str, name: str, value, current) -> bool:
    """True when ``access`` may not set ``code.name`` to ``value``: a vendor assertion, newly made by a partner
    user (keeping the value the vendor set is not making it)."""
    return (
        VENDOR_ASSERTIONS.get((code, name)) == value and value != current and not can_verify_elements(access)
    )


def elements_apply(*, access: Access, deal, changes: dict[str, dict]) -> bool:
    """Apply cleaned element changes (see :func:`meddic_clean`) and record each changed element.

    Trust rules (DESIGN §17): only vendor roles may set ``verified`` evidence or a vendor assertion
    (:data:`VENDOR_ASSERTIONS`); a partner doing so is refused (403). When a partner user changes anything in a
    verified element, the vendor no longer vouches for what is there: its evidence drops to ``reported``, the
    verification is cleared, the history says why and the vendor side is told (``element.verification_lost``).
    A changed element counts as confirmed now. Returns whether anything changed.
    """
    if not changes:
        return False
    elements = {element.code: element for element in deal.elements.select_for_update()}
    changed_any = False
    now = timezone.now()
    for code, answers in changes.items():
        element = elements[code]
        before = element.as_dict()
        if (
            answers.get("evidence") == Evidence.VERIFIED
            and before["evidence"] != Evidence.VERIFIED
            and not can_verify_elements(access)
        ):
            raise PermissionDenied(_("Only the vendor can mark an element as verified."))
        for name, value in answers.items():
            if vendor_assertion_refused(access, code, name, value, before.get(name)):
                raise PermissionDenied(_("Only the vendor can record what the vendor itself has checked."))
            setattr(element, name, value)
        diff = changes_between(before, element.as_dict())
        if not diff:
            continue
        lost = before["evidence"] == Evidence.VERIFIED and not can_verify_elements(access)
        if lost:
            _verification_drop(element)
            diff = changes_between(before, element.as_dict())
        element.last_confirmed_at = now
        element.save()
        audit_record(
            vendor=access.vendor,
            actor=access.user,
            action="element.update",
            subject=element,
            changes={f"{code}.{name}": values for name, values in diff.items()},
            deal_id=deal.pk,
            reason=_("Changed by the partner after the vendor verified it: no longer verified.")
            if lost
            else "",
        )
        if lost:
            _verification_lost_notify(access, deal, code)
        changed_any = True
    return changed_any


def _verification_drop(element: MeddicElement) -> None:
    element.evidence = Evidence.REPORTED
    element.verified_by = None
    element.verified_at = None
    element.verification_method = ""
    element.verification_note = ""


def _verification_lost_notify(access: Access, deal, code: str) -> None:
    event_record(
        vendor=access.vendor,
        code="element.verification_lost",
        actor=access.user,
        deal=deal,
        params={"element": code},
    )


# --- Scores (DESIGN §5) ---------------------------------------------------------------------------------------

SCORE_CHUNK = 500
SCORE_VALUES = ("quality", "visibility", "forecast_category", "flag_codes")


def vendor_weights(vendor) -> dict[str, int]:
    """Each element's weight for this vendor; equal (1) unless a vendor admin changed it."""
    weights = dict.fromkeys(ElementCode.values, 1)
    weights.update(ElementWeight.objects.filter(vendor=vendor).values_list("code", "weight"))
    return weights


@cache
def _unknown_element(code: str) -> SimpleNamespace:
    """What the score reads of an element that has no row: the model's defaults (level 0, evidence unknown,
    never confirmed)."""
    fields = {name: MeddicElement._meta.get_field(name).get_default() for name in scoring.ELEMENT_INPUTS}
    return SimpleNamespace(code=code, **fields)


def _elements_of(vendor, deal_ids: list[int]) -> dict[int, dict[str, object]]:
    """The six elements of each deal by code, as the answers the score reads; an element without a row counts
    as unknown (nothing is written)."""
    rows = MeddicElement.objects.filter(vendor=vendor, deal_id__in=deal_ids).values_list(
        "deal_id", "code", *scoring.ELEMENT_INPUTS, named=True
    )
    elements = {deal_id: {} for deal_id in deal_ids}
    for row in rows:
        elements[row.deal_id][row.code] = row
    return {
        deal_id: {code: found.get(code) or _unknown_element(code) for code in scoring.CODES}
        for deal_id, found in elements.items()
    }


def _facts_of(deals: list[Deal], *, vendor, weights) -> list[tuple[Deal, scoring.Facts]]:
    zone, today = ZoneInfo(vendor.time_zone), vendor_today(vendor)
    elements = _elements_of(vendor, [deal.pk for deal in deals])
    return [
        (
            deal,
            scoring.Facts(
                phase=deal.phase,
                close_date=deal.close_date,
                elements=elements[deal.pk],
                weights=weights,
                last_champion_activity=deal.last_champion_activity,
                has_conflict=deal.has_conflict,
                today=today,
                zone=zone,
                phase_since=deal.phase_since,
            ),
        )
        for deal in deals
    ]


def _phase_since():
    """Annotation: when a deal that is not open entered its current phase (its last change into that phase; the
    close, or the deal's creation, when no change was recorded). Null for open deals, which do not need it."""
    entered = (
        PhaseChange.objects.filter(
            vendor_id=OuterRef("vendor_id"), deal=OuterRef("pk"), to_phase=OuterRef("phase")
        )
        .order_by("-changed_at")
        .values("changed_at")[:1]
    )
    return Case(
        When(phase__in=OPEN_PHASES, then=Value(None, output_field=DateTimeField())),
        default=Coalesce(Subquery(entered), "closed_at", "created_at"),
        output_field=DateTimeField(),
    )


def scores_refresh(*, vendor, deals: QuerySet[Deal] | None = None) -> int:
    """Recompute the score of ``deals`` (default: all of the vendor's) from their facts and store what
    changed, with a history row each. Loads deals in chunks with a fixed number of queries per chunk;
    idempotent. Returns how many scores changed."""
    from deals.selectors import open_conflict_exists

    weights = vendor_weights(vendor)
    selected = (deals if deals is not None else Deal.objects.all()).filter(vendor=vendor)
    ids = list(selected.order_by("pk").values_list("pk", flat=True))
    base = (
        Deal.objects.filter(vendor=vendor)
        .only("pk", "vendor_id", "phase", "close_date", "closed_at", "created_at")
        .annotate(
            last_champion_activity=Max("champion_activities__date"),
            has_conflict=open_conflict_exists(),
            phase_since=_phase_since(),
        )
        .order_by("pk")
    )
    changed = 0
    for start in range(0, len(ids), SCORE_CHUNK):
        chunk = list(base.filter(pk__in=ids[start : start + SCORE_CHUNK]))
        changed += _store_scores(vendor, _facts_of(chunk, vendor=vendor, weights=weights))
    return changed


def _store_scores(vendor, facts: list[tuple[Deal, scoring.Facts]]) -> int:
    now = timezone.now()
    existing = {
        row["deal_id"]: row
        for row in DealScore.objects.filter(deal_id__in=[deal.pk for deal, _f in facts]).values(
            "deal_id", *SCORE_VALUES
        )
    }
    changed, history = [], []
    for deal, deal_facts in facts:
        result = scoring.score(deal_facts)
        codes = "".join(f",{code}" for code in result.flags) + ("," if result.flags else "")
        values = {
            "quality": result.quality,
            "visibility": result.visibility,
            "forecast_category": result.forecast_category,
            "flag_codes": codes,
        }
        current = existing.get(deal.pk)
        if current is not None and all(current[k] == v for k, v in values.items()):
            continue
        changed.append(
            DealScore(
                vendor_id=vendor.pk, deal_id=deal.pk, flag_count=len(result.flags), computed_at=now, **values
            )
        )
        history.append(ScoreHistory(vendor_id=vendor.pk, deal_id=deal.pk, at=now, **values))
    # One upsert writes the new and the changed scores alike.
    DealScore.objects.bulk_create(
        changed,
        update_conflicts=True,
        unique_fields=["deal"],
        update_fields=[*SCORE_VALUES, "flag_count", "computed_at"],
    )
    ScoreHistory.objects.bulk_create(history)
    return len(history)


def score_refresh(*, deal: Deal) -> None:
    """Recompute one deal's score after a change of the deal, its elements, its champion log or its conflicts."""
    scores_refresh(vendor=deal.vendor, deals=Deal.objects.filter(pk=deal.pk))


# --- Weights (DESIGN §5) --------------------------------------------------------------------------------------

WEIGHT_MAX = 10
# Above this many deals, a weight change re-scores in the background instead of inside the request.
RESCORE_INLINE_LIMIT = 2000


def weights_clean(weights) -> dict[str, int]:
    """Check a ``{element: weight}`` set: every element, each an integer 0–10, not all zero.

    Errors are keyed by element code (``__all__`` when every weight is zero)."""
    if not isinstance(weights, dict):
        raise ValidationError(_("Send an object keyed by element."))
    errors, cleaned = {}, {}
    for code in weights:
        if code not in ElementCode.values:
            errors[code] = _("Unknown element.")
    for code in ElementCode.values:
        value = weights.get(code)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= WEIGHT_MAX:
            errors[code] = _("Enter a whole number from 0 to %(max)d.") % {"max": WEIGHT_MAX}
            continue
        cleaned[code] = value
    if not errors and not any(cleaned.values()):
        errors = {code: _("At least one element needs a weight above 0.") for code in ElementCode.values}
    if errors:
        raise ValidationError(errors)
    return cleaned


def weights_set(*, access: Access, weights: dict[str, int]) -> dict[str, int]:
    """A vendor admin sets the weight of every element (equal weights are all 1); the change is audited and every
    deal of the vendor is re-scored (in the background for large vendors). Returns the weights now in force."""
    if not can_change_weights(access):
        raise PermissionDenied(_("Only vendor admins can change the MEDDIC weights."))
    cleaned = weights_clean(weights)
    vendor = access.vendor
    with transaction.atomic():
        rows = {row.code: row for row in ElementWeight.objects.select_for_update().filter(vendor=vendor)}
        before = vendor_weights(vendor)
        changes = {
            code: [before[code], cleaned[code]]
            for code in ElementCode.values
            if before[code] != cleaned[code]
        }
        if not changes:
            return cleaned
        for code in changes:
            row = rows.get(code)
            if row is None:
                ElementWeight.objects.create(vendor=vendor, code=code, weight=cleaned[code])
            else:
                row.weight = cleaned[code]
                row.save(update_fields=["weight"])
        audit_record(
            vendor=vendor, actor=access.user, action="weights.update", subject=vendor, changes=changes
        )
        if Deal.objects.filter(vendor=vendor).count() > RESCORE_INLINE_LIMIT:
            from meddic.tasks import rescore

            enqueue_on_commit(rescore, {"vendor_id": vendor.pk})
        else:
            scores_refresh(vendor=vendor)
    return cleaned


def text_clean(value, *, field: str, limit: int, errors: dict, required: bool = False) -> str:
    """``value`` stripped; a missing required text or one over ``limit`` characters adds to ``errors``."""
    text = (value or "").strip()
    if required and not text:
        errors[field] = [_("This field is required.")]
    elif len(text) > limit:
        errors[field] = [
            _("Keep this to %(max)d characters (it has %(count)d).") % {"max": limit, "count": len(text)}
        ]
    return text


# --- Verification by the vendor (DESIGN §5 review) ---------------------------------------------------------------


@transaction.atomic
def element_verify(*, access: Access, deal: Deal, code: str, method: str, note: str) -> MeddicElement:
    """Vendor staff mark an element verified and say how (joint visit, call with the economic buyer…).

    The element counts as confirmed now; the deal's version goes up (it is an edit of the deal's facts), the
    change is in the history and the score is recomputed.
    """
    if not can_verify_elements(access):
        raise PermissionDenied(_("Only the vendor can mark an element as verified."))
    errors = {}
    if code not in ElementCode.values:
        errors["element"] = [_("Unknown element.")]
    if method not in VerificationMethod.values:
        errors["method"] = [_("Choose how the element was verified.")]
    note = text_clean(note, field="note", limit=TEXT_LIMITS["note"], errors=errors)
    if errors:
        raise ValidationError(errors)
    current = Deal.objects.select_for_update().get(pk=deal.pk)
    element = current.elements.select_for_update().get(code=code)
    before = {"evidence": element.evidence, "verification_method": element.verification_method}
    now = timezone.now()
    element.evidence = Evidence.VERIFIED
    element.last_confirmed_at = element.verified_at = now
    element.verified_by = access.user
    element.verification_method = method
    element.verification_note = note
    element.save()
    current.version += 1
    current.save(update_fields=["version", "updated_at"])
    audit_record(
        vendor=access.vendor,
        actor=access.user,
        action="element.verify",
        subject=element,
        changes={
            f"{code}.{name}": values
            for name, values in changes_between(
                before, {"evidence": element.evidence, "verification_method": method}
            ).items()
        },
        deal_id=current.pk,
        reason=note,
    )
    score_refresh(deal=current)
    event_record(
        vendor=access.vendor,
        code="element.verified",
        actor=access.user,
        deal=current,
        params={"element": code, "detail": note},
    )
    return element
