"""Writes for vendors, partner companies, memberships, invitations and API tokens.

Every function takes keyword arguments and runs inside the caller's vendor scope (views, tasks and commands
enter it); the rules each one enforces are in its docstring.
"""

import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from partners.models import (
    PARTNER_ROLES,
    VENDOR_ROLES,
    ApiToken,
    Invitation,
    Membership,
    PartnerCompany,
    Role,
    User,
    Vendor,
    token_digest,
)
from prm.tenancy import Access, vendor_scope


def _ensure_verified_email(user: User) -> None:
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def user_create(*, email: str, password: str | None, name: str = "") -> User:
    """A user whose email address is already verified (it came through an invitation or an operator)."""
    user = User.objects.create_user(email=email, password=password, name=name)
    _ensure_verified_email(user)
    return user


@transaction.atomic
def vendor_create(*, slug: str, name: str, admin_email: str, admin_password: str) -> Vendor:
    """A new tenant with its first vendor admin. The admin user is reused if the email already has an account."""
    with scopes_disabled():
        if Vendor.objects.filter(slug=slug).exists():
            raise ValidationError({"slug": _("A vendor with this URL name already exists.")})
    vendor = Vendor(slug=slug, name=name)
    vendor.full_clean()
    vendor.save()
    user = User.objects.filter(email__iexact=admin_email).first()
    if user is None:
        validate_password(admin_password)
        user = user_create(email=admin_email, password=admin_password)
    with vendor_scope(vendor):
        Membership.objects.create(user=user, vendor=vendor, role=Role.VENDOR_ADMIN)
    return vendor


def _check_channel_manager(user: User | None) -> None:
    if user is None:
        return
    if not Membership.objects.filter(user=user, role__in=VENDOR_ROLES, is_active=True).exists():
        raise ValidationError(
            {"channel_manager": _("Choose a channel manager or vendor admin of this vendor.")}
        )


def _check_partner_name_free(partner: PartnerCompany) -> None:
    # The database constraint says the same; this names the field and says it in the vendor's words.
    if PartnerCompany.objects.filter(name=partner.name).exclude(pk=partner.pk).exists():
        raise ValidationError({"name": _("A partner company with this name already exists.")})


def partner_create(
    *,
    access: Access,
    name: str,
    tier: str,
    status: str,
    channel_manager: User | None = None,
    contact_email: str = "",
) -> PartnerCompany:
    """Vendor admins onboard partner companies; names are unique within the vendor."""
    access.require(Role.VENDOR_ADMIN)
    _check_channel_manager(channel_manager)
    partner = PartnerCompany(
        vendor=access.vendor,
        name=name.strip(),
        tier=tier,
        status=status,
        channel_manager=channel_manager,
        contact_email=contact_email,
    )
    _check_partner_name_free(partner)
    partner.full_clean()
    partner.save()
    return partner


def partner_update(*, access: Access, partner: PartnerCompany, **fields) -> PartnerCompany:
    """Vendor admins change a partner's name, tier, status, channel manager and contact."""
    access.require(Role.VENDOR_ADMIN)
    if "channel_manager" in fields:
        _check_channel_manager(fields["channel_manager"])
    for field, value in fields.items():
        setattr(partner, field, value.strip() if field == "name" else value)
    _check_partner_name_free(partner)
    partner.full_clean()
    partner.save()
    return partner


CHECKLIST_FIELDS = {field for field, _label in PartnerCompany.CHECKLIST}


def partner_checklist_set(
    *, access: Access, partner: PartnerCompany, item: str, done: bool
) -> PartnerCompany:
    """Vendor staff tick onboarding steps; a step is done on the day it was ticked."""
    access.require(*VENDOR_ROLES)
    if item not in CHECKLIST_FIELDS:
        raise ValidationError(_("Unknown checklist item."))
    setattr(partner, item, timezone.localdate() if done else None)
    partner.save(update_fields=[item, "updated_at"])
    return partner


def _invitable_roles(access: Access, partner: PartnerCompany | None) -> set[str]:
    if access.is_vendor_admin:
        return set(PARTNER_ROLES) if partner else set(VENDOR_ROLES)
    if access.role == Role.PARTNER_ADMIN and partner is not None and partner.pk == access.partner.pk:
        return {Role.PARTNER_REP, Role.PARTNER_ADMIN}
    return set()


@transaction.atomic
def invitation_create(
    *, access: Access, email: str, role: str, partner: PartnerCompany | None = None
) -> tuple[Invitation, str]:
    """Invite someone into the vendor with a role.

    Vendor admins invite vendor staff (no partner) and partner users (with a partner); partner admins invite
    users of their own company only. Someone who is already an active member cannot be invited again; an
    earlier open invitation for the same address is replaced. Returns the invitation and its one-time token.
    """
    allowed = _invitable_roles(access, partner)
    if not allowed:
        raise PermissionDenied
    if role not in allowed:
        raise ValidationError({"role": _("This role cannot be given with this invitation.")})
    email = User.objects.normalize_email(email).lower()
    if Membership.objects.filter(user__email__iexact=email, is_active=True).exists():
        raise ValidationError({"email": _("This person is already a member of this vendor.")})
    now = timezone.now()
    Invitation.objects.filter(email__iexact=email, accepted_at=None, revoked_at=None).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        vendor=access.vendor,
        partner=partner,
        email=email,
        role=role,
        token_digest=token_digest(token),
        invited_by=access.user,
        expires_at=now + timedelta(days=settings.INVITATION_TTL_DAYS),
    )
    language = translation.get_language()
    transaction.on_commit(lambda: _send_invitation_email(invitation.pk, access.vendor.pk, token, language))
    return invitation, token


def invitation_accept_url(token: str) -> str:
    return f"{settings.SITE_URL}{reverse('invitation_accept', kwargs={'token': token})}"


def _send_invitation_email(invitation_id: int, vendor_id: int, token: str, language: str) -> None:
    with scopes_disabled():
        invitation = Invitation.objects.select_related("vendor", "partner", "invited_by").get(
            pk=invitation_id
        )
    with translation.override(language):
        context = {
            "invitation": invitation,
            "accept_url": invitation_accept_url(token),
        }
        subject = _("You are invited to %(vendor)s on Partner MEDDIC") % {"vendor": invitation.vendor.name}
        body = render_to_string("partners/email/invitation.txt", context)
    send_mail(subject, body, None, [invitation.email])


def invitation_by_token(token: str) -> Invitation | None:
    """Look an invitation up by its secret token, across vendors: the token itself is the authority."""
    with scopes_disabled():
        return (
            Invitation.objects.select_related("vendor", "partner")
            .filter(token_digest=token_digest(token), vendor__is_active=True)
            .first()
        )


@transaction.atomic
def invitation_accept(
    *, token: str, name: str = "", password: str | None = None, user: User | None = None
) -> Membership:
    """Accept an invitation once, before it expires.

    A new person sets a name and password; the account's email address counts as verified because the link
    reached it. Someone who already has an account accepts while logged in as that account.
    """
    found = invitation_by_token(token)
    if found is None:
        raise ValidationError(_("This invitation link is not valid."))
    with vendor_scope(found.vendor):
        invitation = Invitation.objects.select_for_update().get(pk=found.pk)
        if invitation.accepted_at:
            raise ValidationError(_("This invitation has already been used."))
        if invitation.revoked_at:
            raise ValidationError(
                _("This invitation was replaced by a newer one. Use the latest link you received.")
            )
        if invitation.is_expired:
            raise ValidationError(_("This invitation has expired. Ask for a new one."))
        existing = User.objects.filter(email__iexact=invitation.email).first()
        if existing is not None:
            if user is None or user.pk != existing.pk:
                raise ValidationError(
                    _("An account with this email address already exists. Log in as it to accept.")
                )
            account = existing
        else:
            if not password:
                raise ValidationError({"password": _("Choose a password.")})
            candidate = User(email=invitation.email, name=name)
            try:
                validate_password(password, user=candidate)
            except ValidationError as error:
                raise ValidationError({"password": error.messages}) from error
            account = user_create(email=invitation.email, password=password, name=name.strip())
        membership = Membership.objects.filter(user=account).first()
        if membership is not None and membership.is_active:
            raise ValidationError(_("You are already a member of this vendor."))
        if membership is None:
            membership = Membership(user=account, vendor=invitation.vendor)
        membership.role, membership.partner = invitation.role, invitation.partner
        membership.is_active, membership.deactivated_at = True, None
        membership.save()
        invitation.accepted_at, invitation.accepted_by = timezone.now(), account
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        partner = invitation.partner
        if partner is not None and partner.status == "invited":
            partner.status = "onboarding"
            partner.save(update_fields=["status", "updated_at"])
    return membership


def membership_deactivate(*, access: Access, membership: Membership) -> Membership:
    """Vendor admins deactivate anyone but themselves; partner admins deactivate users of their own company.

    The user's sessions and API tokens end at once.
    """
    if membership.user_id == access.user.pk:
        raise ValidationError(_("You cannot deactivate yourself."))
    own_company = access.role == Role.PARTNER_ADMIN and membership.partner_id == access.partner.pk
    if not (access.is_vendor_admin or own_company):
        raise PermissionDenied
    membership.is_active = False
    membership.deactivated_at = timezone.now()
    membership.save(update_fields=["is_active", "deactivated_at"])
    membership.user.end_all_sessions()
    return membership


def membership_reactivate(*, access: Access, membership: Membership) -> Membership:
    own_company = access.role == Role.PARTNER_ADMIN and membership.partner_id == access.partner.pk
    if not (access.is_vendor_admin or own_company):
        raise PermissionDenied
    membership.is_active, membership.deactivated_at = True, None
    membership.save(update_fields=["is_active", "deactivated_at"])
    return membership


def api_token_issue(*, user: User) -> str:
    """A new personal API token; only its digest is stored, so the key is returned once."""
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, key_digest=token_digest(key))
    return key
