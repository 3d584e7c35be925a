"""Emails about deal registrations. Sent after the transaction commits, in the product's language."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from notifications.services import partner_admins, vendor_side
from prm.validators import one_line


def deal_url(deal) -> str:
    path = reverse("deal_detail", kwargs={"vendor_slug": deal.vendor.slug, "deal_id": deal.pk})
    return f"{settings.SITE_URL}{path}"


def _vendor_managers(partner) -> list[str]:
    return [user.email for user in vendor_side(partner)]


def _partner_admins(partner) -> list[str]:
    return [user.email for user in partner_admins(partner)]


def _send(recipients, subject_text, template: str, context: dict) -> None:
    recipients = sorted({address for address in recipients if address})
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = one_line(str(subject_text))
        body = render_to_string(template, context)
    transaction.on_commit(lambda: send_mail(subject, body, None, recipients))


def deal_submitted(deal, conflicts) -> None:
    """The partner's channel manager learns of a new registration; conflicts go to both sides' managers."""
    with translation.override(settings.LANGUAGE_CODE):
        _send(
            _vendor_managers(deal.partner),
            _("New deal registration: %(customer)s") % {"customer": deal.customer_name},
            "deals/email/submitted.txt",
            {"deal": deal, "url": deal_url(deal)},
        )
    conflicts_found(deal, conflicts)


def conflicts_found(deal, conflicts) -> None:
    """Both sides' channel managers get the details; each partner only hears that someone else registered."""
    with translation.override(settings.LANGUAGE_CODE):
        for conflict in conflicts:
            other = conflict.other
            managers = _vendor_managers(deal.partner) + _vendor_managers(other.partner)
            _send(
                managers,
                _("Registration conflict: %(customer)s") % {"customer": deal.customer_name},
                "deals/email/conflict_vendor.txt",
                {"conflict": conflict, "deal": deal, "other": other, "url": deal_url(deal)},
            )
            for side in (deal, other):
                _send(
                    [*_partner_admins(side.partner), side.owner.email],
                    _("Another registration for the same customer: %(customer)s")
                    % {"customer": side.customer_name},
                    "deals/email/conflict_partner.txt",
                    {"deal": side, "url": deal_url(side)},
                )


def deal_decided(deal, action: str, reason: str) -> None:
    """The owner hears that their registration was approved, rejected or returned, with the reason."""
    with translation.override(settings.LANGUAGE_CODE):
        _send(
            [deal.owner.email],
            _("Your deal registration was updated: %(customer)s") % {"customer": deal.customer_name},
            "deals/email/decided.txt",
            {"deal": deal, "action": action, "reason": reason, "url": deal_url(deal)},
        )


def protection_expired(deal) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        _send(
            [deal.owner.email, *_vendor_managers(deal.partner)],
            _("Registration protection ended: %(customer)s") % {"customer": deal.customer_name},
            "deals/email/protection_expired.txt",
            {"deal": deal, "url": deal_url(deal)},
        )
