"""Writes to MEDDIC elements. Scoring and flags (DESIGN §5) join this module with the review issue.

A deal's elements change only through :func:`elements_apply`, called by the deal services inside their
transaction, so every change is versioned with the deal and written to the audit history.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record, changes_between
from meddic.models import (
    COMMON_FIELDS,
    ELEMENT_FIELDS,
    MULTI_FIELDS,
    ElementCode,
    Evidence,
    Level,
    MeddicElement,
)
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


def elements_apply(*, access: Access, deal, changes: dict[str, dict]) -> bool:
    """Apply cleaned element changes (see :func:`meddic_clean`) and record each changed element.

    Only vendor roles may set ``verified`` evidence (a partner doing so is refused, 403). A changed element
    counts as confirmed now. Returns whether anything changed.
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
            and not access.is_vendor_staff
        ):
            raise PermissionDenied(_("Only the vendor can mark an element as verified."))
        for name, value in answers.items():
            setattr(element, name, value)
        diff = changes_between(before, element.as_dict())
        if not diff:
            continue
        element.last_confirmed_at = now
        element.save()
        audit_record(
            vendor=access.vendor,
            actor=access.user,
            action="element.update",
            subject=element,
            changes={f"{code}.{name}": values for name, values in diff.items()},
            deal_id=deal.pk,
        )
        changed_any = True
    return changed_any
