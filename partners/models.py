"""Tenancy core: users, vendors (the tenant), partner companies, memberships, invitations, API tokens."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from prm.validators import validate_single_line


def new_security_stamp() -> str:
    return secrets.token_hex(16)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        """Platform staff (``manage.py createsuperuser``): their address counts as verified, so they can sign in
        through the product's login; the platform admin then asks them to set up a second factor."""
        from allauth.account.models import EmailAddress

        extra.update(is_staff=True, is_superuser=True)
        user = self._create_user(email, password, **extra)
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        return user


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True, validators=[validate_single_line])
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("platform staff"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # The language of the mail this person gets (ja/en); the language switch sets it.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    # Per group of events, how mail comes: {"registrations": "digest", …} (notifications.preferences).
    mail_preferences = models.JSONField(_("mail settings"), default=dict, blank=True)
    # Part of the session hash: changing it ends every session of this user at once.
    security_stamp = models.CharField(max_length=32, default=new_security_stamp, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.name or self.email

    def _get_session_auth_hash(self, secret=None):
        # Django checks this hash on every request; mixing in the stamp lets us end all sessions of a user
        # (deactivation) without finding them in the session store.
        return salted_hmac(
            "partners.User.session_auth_hash",
            f"{self.password}:{self.security_stamp}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def end_all_sessions(self) -> None:
        self.security_stamp = new_security_stamp()
        self.save(update_fields=["security_stamp"])
        self.api_tokens.all().delete()


class Vendor(models.Model):
    """The tenant: a company running a partner programme."""

    slug = models.SlugField(_("URL name"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Tokyo")
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("fiscal year starts in month"), default=4, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    currency = models.CharField(_("currency"), max_length=3, default="JPY")
    require_mfa_for_admins = models.BooleanField(
        _("require two-factor authentication for vendor admins"), default=True
    )
    protection_days = models.PositiveSmallIntegerField(_("deal registration protection (days)"), default=90)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    VENDOR_ADMIN = "vendor_admin", _("Vendor admin")
    CHANNEL_MANAGER = "channel_manager", _("Channel manager")
    PARTNER_ADMIN = "partner_admin", _("Partner admin")
    PARTNER_REP = "partner_rep", _("Partner rep")


VENDOR_ROLES = frozenset({Role.VENDOR_ADMIN, Role.CHANNEL_MANAGER})
PARTNER_ROLES = frozenset({Role.PARTNER_ADMIN, Role.PARTNER_REP})
ALL_ROLES = VENDOR_ROLES | PARTNER_ROLES


class Tier(models.TextChoices):
    PLATINUM = "platinum", _("Platinum")
    GOLD = "gold", _("Gold")
    SILVER = "silver", _("Silver")
    REGISTERED = "registered", _("Registered")


class PartnerStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ONBOARDING = "onboarding", pgettext_lazy("partner status", "Onboarding")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")


class PartnerCompany(models.Model):
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(_("company name"), max_length=200, validators=[validate_single_line])
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, default=Tier.REGISTERED)
    status = models.CharField(
        _("status"), max_length=16, choices=PartnerStatus.choices, default=PartnerStatus.INVITED
    )
    channel_manager = models.ForeignKey(
        User,
        verbose_name=_("channel manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_partners",
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    # Onboarding checklist: each step is done when its date is set.
    contract_signed_on = models.DateField(_("contract signed"), null=True, blank=True)
    first_training_on = models.DateField(_("first training"), null=True, blank=True)
    first_deal_registered_on = models.DateField(_("first deal registered"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(vendor="vendor")

    CHECKLIST = (
        ("contract_signed_on", _("Contract signed")),
        ("first_training_on", _("First training")),
        ("first_deal_registered_on", _("First deal registered")),
    )

    class Meta:
        verbose_name = _("partner company")
        verbose_name_plural = _("partner companies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "name"], name="partner_name_unique_per_vendor")
        ]
        indexes = [models.Index(fields=["vendor", "tier"]), models.Index(fields=["vendor", "status"])]

    def __str__(self):
        return self.name

    @property
    def checklist(self) -> list[tuple[str, str, object]]:
        return [(field, label, getattr(self, field)) for field, label in self.CHECKLIST]

    @property
    def onboarding_done(self) -> int:
        return sum(1 for field, _label in self.CHECKLIST if getattr(self, field))

    @property
    def onboarding_percent(self) -> int:
        return round(100 * self.onboarding_done / len(self.CHECKLIST))


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    partner = models.ForeignKey(
        PartnerCompany,
        verbose_name=_("partner company"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    # Set when a vendor admin deactivated the membership: then only a vendor admin may reactivate it.
    deactivated_by_vendor = models.BooleanField(default=False)

    objects = ScopedManager(vendor="vendor")

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["vendor", "user"], name="one_membership_per_vendor"),
            models.CheckConstraint(
                condition=(Q(role__in=["partner_admin", "partner_rep"], partner__isnull=False))
                | (Q(role__in=["vendor_admin", "channel_manager"], partner__isnull=True)),
                name="partner_roles_have_partner",
            ),
        ]

    def __str__(self):
        return f"{self.user} @ {self.vendor} ({self.get_role_display()})"

    @property
    def is_vendor_staff(self) -> bool:
        return self.role in VENDOR_ROLES

    @property
    def is_partner_role(self) -> bool:
        return self.role in PARTNER_ROLES


class Invitation(models.Model):
    """A single-use, expiring invitation into one vendor with a role (and a partner for partner roles)."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="invitations")
    partner = models.ForeignKey(
        PartnerCompany, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    # The inviter's language: the mail's, and the new account's until its owner switches.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(vendor="vendor")

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["vendor", "email"])]

    def __str__(self):
        return f"{self.email} → {self.vendor}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        return "expired" if self.is_expired else "open"


class ApiToken(models.Model):
    """A personal API token (DESIGN §11). Only its digest is stored; the key is shown once when issued. It stops
    working at ``expires_at``, when its owner revokes it, and when their password or second factor changes."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100, blank=True, validators=[validate_single_line])
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"))

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.user} ({self.created_at:%Y-%m-%d})"


class UserSession(models.Model):
    """One logged-in session of a user, so that all of them can be ended at once (deactivation, new password).

    Written when the user logs in, followed when the session key changes, removed when the session ends.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(_("logged in"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("login session")
        verbose_name_plural = _("login sessions")
        ordering = ["-last_seen_at"]

    def __str__(self):
        return f"{self.user} ({self.created_at:%Y-%m-%d %H:%M})"


class AuthEventKind(models.TextChoices):
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Login failed")
    LOGOUT = "logout", _("Logged out")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PASSWORD_RESET_REQUESTED = "password_reset_requested", _("Password reset requested")
    PASSWORD_RESET = "password_reset", _("Password reset completed")
    MFA_ENABLED = "mfa_enabled", _("Two-factor authentication enabled")
    MFA_DISABLED = "mfa_disabled", _("Two-factor authentication disabled")
    MFA_FAILED = "mfa_failed", _("Two-factor code refused")
    API_TOKEN_ISSUED = "api_token_issued", _("API token issued")
    API_TOKEN_FAILED = "api_token_failed", _("API token refused")
    SESSION_EXPIRED_IDLE = "session_expired_idle", _("Session expired (inactivity)")
    SESSION_EXPIRED_ABSOLUTE = "session_expired_absolute", _("Session expired (maximum length)")
    SESSIONS_ENDED = "sessions_ended", _("All sessions ended")


class AppendOnlyError(Exception):
    """Authentication events are never changed or removed."""


class AuthEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Authentication events cannot be updated.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("Authentication events cannot be updated.")

    def delete(self):
        raise AppendOnlyError("Authentication events cannot be deleted.")


class AuthEvent(models.Model):
    """Append-only record of logins, failures, logouts, password and two-factor changes, API tokens and ended
    sessions. Never a password; the email is what was typed (failed logins) or the account's."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    event = models.CharField(_("event"), max_length=32, choices=AuthEventKind.choices)
    # No database constraint: the record outlives the account it names.
    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    email = models.CharField(_("email address"), max_length=254, blank=True, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=255, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    # Event-specific facts: the expiry reason, how many sessions ended and why, the authenticator type.
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = models.Manager.from_queryset(AuthEventQuerySet)()

    class Meta:
        verbose_name = _("authentication event")
        verbose_name_plural = _("authentication events")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.event} {self.email}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Authentication events cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Authentication events cannot be deleted.")
