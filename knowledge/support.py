"""The vendor's support log: what vendor staff did for which partner (and deal), read by the playbook.

Only vendor staff log and remove entries; each write is audited. A deal, when named, must be of that partner.
"""

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from audit.services import audit_record, changes_between
from deals.models import Deal
from knowledge.models import SupportActivity
from knowledge.permissions import can_log_support
from partners.models import PartnerCompany
from prm.clock import vendor_today
from prm.tenancy import Access

HOURS_MIN = Decimal("0.1")
HOURS_MAX = Decimal("100")
# How far back an activity may be logged (the playbook looks at four quarters).
DAYS_BACK_MAX = 3 * 366


def support_log(
    *,
    access: Access,
    partner: PartnerCompany,
    support_type: str,
    date,
    hours: Decimal,
    note: str = "",
    deal: Deal | None = None,
) -> SupportActivity:
    _require_staff(access)
    today = vendor_today(access.vendor)
    errors = {}
    if deal is not None and deal.partner_id != partner.pk:
        errors["deal"] = [_("This deal is not one of the partner's.")]
    if date > today:
        errors["date"] = [_("Log support that has happened; the date cannot be in the future.")]
    elif date < today - timedelta(days=DAYS_BACK_MAX):
        errors["date"] = [_("The date is too far in the past.")]
    if not Decimal("0") < hours <= HOURS_MAX:
        errors["hours"] = [_("Enter hours between 0.1 and %(max)s.") % {"max": HOURS_MAX}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        activity = SupportActivity.objects.create(
            vendor=access.vendor,
            partner=partner,
            deal=deal,
            support_type=support_type,
            date=date,
            hours=hours,
            note=note.strip(),
            logged_by=access.user,
        )
        audit_record(
            vendor=access.vendor,
            actor=access.user,
            action="support.log",
            subject=activity,
            changes=changes_between({}, _logged(activity)),
            deal_id=deal.pk if deal else None,
        )
    return activity


def support_remove(*, access: Access, activity: SupportActivity) -> None:
    _require_staff(access)
    with transaction.atomic():
        audit_record(
            vendor=access.vendor,
            actor=access.user,
            action="support.remove",
            subject=activity,
            changes={
                field: [after, before]  # what was logged, now gone
                for field, (before, after) in changes_between({}, _logged(activity)).items()
            },
            deal_id=activity.deal_id,
        )
        activity.delete()


def support_activities(access: Access) -> QuerySet[SupportActivity]:
    _require_staff(access)
    return SupportActivity.objects.filter(vendor=access.vendor).select_related("partner", "deal", "logged_by")


def _logged(activity: SupportActivity) -> dict:
    return {"support_type": activity.support_type, "date": activity.date, "hours": activity.hours}


def _require_staff(access: Access) -> None:
    if not can_log_support(access):
        raise PermissionDenied(_("Only vendor staff keep the support log."))
