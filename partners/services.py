"""Writes for vendors, partner companies, memberships, invitations and API tokens.

Every function takes keyword arguments and runs inside the caller's vendor scope (views, tasks and commands
enter it); the rules each one enforces are in its docstring.
"""

import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_scopes import scopes_disabled

from audit.services import audit_record, changes_between, snapshot
from partners.auth_events import auth_event_record
from partners.models import (
    ApiToken,
    AuthEventKind,
    Invitation,
    Membership,
    PartnerCompany,
    Role,
    User,
    Vendor,
    token_digest,
)
from partners.permissions import (
    can_change_vendor_settings,
    can_manage_member,
    can_onboard_partners,
    can_reactivate_member,
    can_track_onboarding,
    invitable_roles,
)
from partners.selectors import channel_manager_choices
from partners.user_sessions import user_sessions_end_all
from prm.mailer import mail_queue
from prm.tenancy import Access, vendor_scope
from prm.validators import validate_single_line


def _ensure_verified_email(user: User) -> None:
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def user_language_set(*, user: User, language: str) -> None:
    """The language this person reads the product and its mail in."""
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


def user_create(*, email: str, password: str | None, name: str = "", language: str = "") -> User:
    """A user whose email address is already verified (it came through an invitation or an operator)."""
    try:
        validate_single_line(name)
    except ValidationError as error:
        raise ValidationError({"name": error.messages}) from error
    user = User.objects.create_user(email=email, password=password, name=name, language=language)
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
        membership = Membership.objects.create(user=user, vendor=vendor, role=Role.VENDOR_ADMIN)
        audit_record(
            vendor=vendor, actor=None, action="vendor.create", subject=vendor, changes={"name": [None, name]}
        )
        _audit_membership(None, "membership.create", membership, {})
    return vendor


# What the audit trail keeps of partners, memberships and invitations (before and after each change).
PARTNER_AUDITED = ["name", "tier", "status", "channel_manager", "contact_email"]
MEMBERSHIP_AUDITED = ["user", "role", "partner", "is_active"]
INVITATION_AUDITED = ["email", "role", "partner", "expires_at", "accepted_at", "revoked_at"]


def _audit_membership(actor, action: str, membership: Membership, before: dict) -> None:
    audit_record(
        vendor=membership.vendor,
        actor=actor,
        action=action,
        subject=membership,
        changes=changes_between(before, snapshot(membership, MEMBERSHIP_AUDITED)),
    )


def _check_channel_manager(access: Access, user: User | None, current: User | None = None) -> None:
    """The channel manager must be one of ``channel_manager_choices`` (the current one may stay as it is)."""
    if user is None or (current is not None and user.pk == current.pk):
        return
    if not channel_manager_choices(access).filter(pk=user.pk).exists():
        raise ValidationError({"channel_manager": _("Choose a channel manager of this vendor.")})


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
    if not can_onboard_partners(access):
        raise PermissionDenied
    _check_channel_manager(access, channel_manager)
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
    audit_record(
        vendor=access.vendor,
        actor=access.user,
        action="partner.create",
        subject=partner,
        changes=changes_between({}, snapshot(partner, PARTNER_AUDITED)),
    )
    return partner


def partner_update(*, access: Access, partner: PartnerCompany, **fields) -> PartnerCompany:
    """Vendor admins change a partner's name, tier, status, channel manager and contact."""
    if not can_onboard_partners(access):
        raise PermissionDenied
    # From the database: a form may already have written the new values onto ``partner``.
    stored = PartnerCompany.objects.select_related("channel_manager").get(pk=partner.pk)
    if "channel_manager" in fields:
        _check_channel_manager(access, fields["channel_manager"], current=stored.channel_manager)
    before = snapshot(stored, PARTNER_AUDITED)
    for field, value in fields.items():
        setattr(partner, field, value.strip() if field == "name" else value)
    _check_partner_name_free(partner)
    partner.full_clean()
    partner.save()
    changes = changes_between(before, snapshot(partner, PARTNER_AUDITED))
    if changes:
        audit_record(
            vendor=access.vendor, actor=access.user, action="partner.update", subject=partner, changes=changes
        )
    return partner


CHECKLIST_FIELDS = {field for field, _label in PartnerCompany.CHECKLIST}


def partner_checklist_set(
    *, access: Access, partner: PartnerCompany, item: str, done: bool
) -> PartnerCompany:
    """Vendor staff tick onboarding steps; a step is done on the day it was ticked."""
    if not can_track_onboarding(access):
        raise PermissionDenied
    if item not in CHECKLIST_FIELDS:
        raise ValidationError(_("Unknown checklist item."))
    before = {item: getattr(partner, item)}
    setattr(partner, item, timezone.localdate() if done else None)
    partner.save(update_fields=[item, "updated_at"])
    changes = changes_between(before, {item: getattr(partner, item)})
    if changes:
        audit_record(
            vendor=access.vendor,
            actor=access.user,
            action="partner.checklist",
            subject=partner,
            changes=changes,
        )
    return partner


def _invitation_refused(access: Access, email: str, partner: PartnerCompany | None, now) -> None:
    """Refuse inviting ``email`` when they are a member already, or hold an open invitation that this inviter
    could not have made (another company's, or the vendor's own staff's): that one is not theirs to replace.

    A partner admin learns no more than "already invited" about people outside their company.
    """
    member = Membership.objects.filter(user__email__iexact=email, is_active=True).first()
    if member is not None:
        if access.is_vendor_admin or (partner is not None and member.partner_id == partner.pk):
            raise ValidationError({"email": _("This person is already a member of this vendor.")})
        raise ValidationError({"email": _("This person has already been invited.")})
    pending = Invitation.objects.filter(
        email__iexact=email, accepted_at=None, revoked_at=None, expires_at__gt=now
    )
    for invitation in pending.select_related("partner"):
        same_company = invitation.partner_id == (partner.pk if partner else None)
        if not same_company or invitation.role not in invitable_roles(access, invitation.partner):
            raise ValidationError({"email": _("This person has already been invited.")})


@transaction.atomic
def invitation_create(
    *, access: Access, email: str, role: str, partner: PartnerCompany | None = None
) -> tuple[Invitation, str]:
    """Invite someone into the vendor with a role.

    Vendor admins invite vendor staff (no partner) and partner users (with a partner); partner admins invite
    users of their own company only. Someone who is already an active member cannot be invited again; an
    earlier open invitation for the same address is replaced only when this inviter could have made it (the
    same company; see :func:`_invitation_refused`). Returns the invitation and its one-time token.
    """
    allowed = invitable_roles(access, partner)
    if not allowed:
        raise PermissionDenied
    if role not in allowed:
        raise ValidationError({"role": _("This role cannot be given with this invitation.")})
    email = User.objects.normalize_email(email).lower()
    now = timezone.now()
    _invitation_refused(access, email, partner, now)
    replaced = Invitation.objects.filter(
        email__iexact=email, accepted_at=None, revoked_at=None, partner=partner
    ).exclude(expires_at__lte=now)
    for old in replaced.select_related("partner"):
        audit_record(
            vendor=access.vendor,
            actor=access.user,
            action="invitation.revoke",
            subject=old,
            changes={"revoked_at": [None, now.isoformat()]},
            reason=_("Replaced by a new invitation."),
        )
    replaced.update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        vendor=access.vendor,
        partner=partner,
        email=email,
        role=role,
        token_digest=token_digest(token),
        invited_by=access.user,
        language=_language(),
        expires_at=now + timedelta(days=settings.INVITATION_TTL_DAYS),
    )
    audit_record(
        vendor=access.vendor,
        actor=access.user,
        action="invitation.create",
        subject=invitation,
        changes=changes_between({}, snapshot(invitation, INVITATION_AUDITED)),
    )
    _send_invitation_email(invitation, token)
    return invitation, token


def _language() -> str:
    """The active language as one of the product's (``ja``/``en``)."""
    active = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return active if active in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def invitation_accept_url(token: str) -> str:
    """The invitation's page: what the inviter gets back (DESIGN §7). Whoever holds only this link can ask for the
    mail again, or accept by logging in as the invited address; joining as a new account needs the mailed link."""
    return f"{settings.SITE_URL}{reverse('invitation_accept', kwargs={'token': token})}"


def invitation_mail_proof(token: str) -> str:
    """The part of the mailed link that the inviter never sees: holding it proves the invitee read the mail."""
    return salted_hmac(MAIL_PROOF_SALT, token).hexdigest()[:32]


def invitation_mail_url(token: str) -> str:
    """The link in the invitation mail: the page's address with the proof that the mail reached its reader."""
    return f"{invitation_accept_url(token)}?{urlencode({'proof': invitation_mail_proof(token)})}"


def invitation_proof_valid(token: str, proof: str | None) -> bool:
    return bool(proof) and constant_time_compare(proof, invitation_mail_proof(token))


def invitation_mail_resend(*, token: str) -> bool:
    """Send an open invitation's mail again (at most once per ``INVITATION_RESEND_SECONDS``); ``False`` when the
    link is unknown, closed or asked again too soon. The answer is the same whether the address has an account."""
    invitation = invitation_by_token(token)
    if invitation is None or not invitation.is_open:
        return False
    if not cache.add(f"prm:invitation-resend:{invitation.pk}", 1, settings.INVITATION_RESEND_SECONDS):
        return False
    _send_invitation_email(invitation, token)
    return True


def _send_invitation_email(invitation: Invitation, token: str) -> None:
    """The invitation's mail, in the inviter's language, sent after the transaction commits (``prm.mailer``)."""
    with translation.override(invitation.language or settings.LANGUAGE_CODE):
        context = {"invitation": invitation, "accept_url": invitation_mail_url(token)}
        subject = _("You are invited to %(vendor)s on Partner MEDDIC") % {"vendor": invitation.vendor.name}
        body = render_to_string("partners/email/invitation.txt", context)
    mail_queue(to=invitation.email, subject=subject, body=body, sensitive=True)


MAIL_PROOF_SALT = "prm.invitation.mailbox"
MAILBOX_UNPROVEN = gettext_noop(
    "To join with a new account, open the link in the invitation mail. If you already have an account with this "
    "address, log in as it first."
)


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
    *,
    token: str,
    name: str = "",
    password: str | None = None,
    user: User | None = None,
    proof: str | None = None,
) -> Membership:
    """Accept an invitation once, before it expires.

    Someone logged in as the invited address accepts as that account. Anyone else must hold the mailed link
    (``proof``, see :func:`invitation_mail_proof`): the inviter also knows the token, and must learn neither whether
    the address has an account anywhere on this installation nor be able to create one for it. With the proof, a
    new person sets a name and password (the address counts as verified: the mail reached it); someone who already
    has an account is asked to log in as it.
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
        is_invitee = user is not None and user.email.lower() == invitation.email.lower()
        if not is_invitee and not invitation_proof_valid(token, proof):
            raise ValidationError({"proof": _(MAILBOX_UNPROVEN)})
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
            account = user_create(
                email=invitation.email,
                password=password,
                name=name.strip(),
                language=invitation.language,
            )
        membership = Membership.objects.filter(user=account).first()
        if membership is not None and membership.is_active:
            raise ValidationError(_("You are already a member of this vendor."))
        before = {} if membership is None else snapshot(membership, MEMBERSHIP_AUDITED)
        if membership is None:
            membership = Membership(user=account, vendor=invitation.vendor)
        membership.role, membership.partner = invitation.role, invitation.partner
        membership.is_active, membership.deactivated_at = True, None
        membership.save()
        invitation.accepted_at, invitation.accepted_by = timezone.now(), account
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit_record(
            vendor=invitation.vendor,
            actor=account,
            action="invitation.accept",
            subject=invitation,
            changes={"accepted_at": [None, invitation.accepted_at.isoformat()]},
        )
        _audit_membership(
            account, "membership.reactivate" if before else "membership.create", membership, before
        )
        partner = invitation.partner
        if partner is not None and partner.status == "invited":
            partner.status = "onboarding"
            partner.save(update_fields=["status", "updated_at"])
            audit_record(
                vendor=invitation.vendor,
                actor=account,
                action="partner.update",
                subject=partner,
                changes={"status": ["invited", "onboarding"]},
            )
    return membership


def membership_deactivate(*, access: Access, membership: Membership) -> Membership:
    """Vendor admins deactivate anyone but themselves; partner admins deactivate users of their own company.

    Access to this vendor ends at once. When the user has no other access (another vendor, platform staff), all
    their sessions and API tokens end at once too.
    """
    if membership.user_id == access.user.pk:
        raise ValidationError(_("You cannot deactivate yourself."))
    if not can_manage_member(access, membership):
        raise PermissionDenied
    before = snapshot(membership, MEMBERSHIP_AUDITED)
    membership.is_active = False
    membership.deactivated_at = timezone.now()
    membership.deactivated_by_vendor = access.is_vendor_admin
    membership.save(update_fields=["is_active", "deactivated_at", "deactivated_by_vendor"])
    _audit_membership(access.user, "membership.deactivate", membership, before)
    if not _has_access_elsewhere(membership):
        user_sessions_end_all(user=membership.user, reason="membership_deactivated")
    return membership


def _has_access_elsewhere(membership: Membership) -> bool:
    """Someone still active in another vendor (or platform staff) keeps their sessions and API tokens: ending them
    is not this vendor's to decide, and access to this vendor ends anyway (it is resolved on every request)."""
    user = membership.user
    if user.is_staff or user.is_superuser:
        return True
    with scopes_disabled():
        others = Membership.objects.filter(user=user, is_active=True, vendor__is_active=True)
        return others.exclude(pk=membership.pk).exists()


def membership_reactivate(*, access: Access, membership: Membership) -> Membership:
    """Vendor admins reactivate anyone; partner admins users of their own company whom no vendor admin
    deactivated (the vendor's decision stands until a vendor admin changes it)."""
    if not can_manage_member(access, membership):
        raise PermissionDenied
    if not can_reactivate_member(access, membership):
        raise PermissionDenied(
            _("The vendor deactivated this person; only a vendor admin can reactivate them.")
        )
    before = snapshot(membership, MEMBERSHIP_AUDITED)
    membership.is_active, membership.deactivated_at, membership.deactivated_by_vendor = True, None, False
    membership.save(update_fields=["is_active", "deactivated_at", "deactivated_by_vendor"])
    _audit_membership(access.user, "membership.reactivate", membership, before)
    return membership


# Every setting a vendor admin can change (whatever the settings form offers), not the id or creation time.
VENDOR_SETTINGS_AUDITED = [
    field.name for field in Vendor._meta.concrete_fields if field.editable and not field.primary_key
]


def vendor_settings_save(*, access: Access, vendor: Vendor) -> Vendor:
    """Vendor admins change their vendor's settings (``vendor`` carries the new values, not yet saved)."""
    if not can_change_vendor_settings(access):
        raise PermissionDenied
    with scopes_disabled():
        stored = Vendor.objects.get(pk=vendor.pk)
    vendor.save()
    changes = changes_between(
        snapshot(stored, VENDOR_SETTINGS_AUDITED), snapshot(vendor, VENDOR_SETTINGS_AUDITED)
    )
    if changes:
        audit_record(
            vendor=vendor, actor=access.user, action="vendor.settings", subject=vendor, changes=changes
        )
    return vendor


def api_token_create(*, user: User, name: str = "", days: int | None = None) -> tuple[ApiToken, str]:
    """A new personal API token valid for ``days`` (``API_TOKEN_TTL_DAYS`` unless given, at most
    ``API_TOKEN_MAX_DAYS``). Only its digest is stored, so the key is returned this once."""
    days = settings.API_TOKEN_TTL_DAYS if days is None else days
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise ValidationError(
            {
                "expires_in_days": _("Choose between 1 and %(max)s days.")
                % {"max": settings.API_TOKEN_MAX_DAYS}
            }
        )
    name = (name or "").strip()
    try:
        validate_single_line(name)
    except ValidationError as error:
        raise ValidationError({"name": error.messages}) from error
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, key_digest=token_digest(key), name=name, expires_at=timezone.now() + timedelta(days=days)
    )
    auth_event_record(AuthEventKind.API_TOKEN_ISSUED, user=user, name=name, days=days)
    return token, key


def api_token_issue(*, user: User, name: str = "") -> str:
    """A new personal API token of the default lifetime; returns its key (shown once)."""
    return api_token_create(user=user, name=name)[1]


def api_token_revoke(*, user: User, token_id: int) -> None:
    """A user revokes one of their own tokens; someone else's (or a missing one) is :class:`Http404`."""
    deleted, _by_model = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise Http404
