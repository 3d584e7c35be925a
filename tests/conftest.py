"""Shared fixtures: two vendors (acme, rival), each with users in every role, as in DESIGN §2.

``world`` builds:
- acme: vendor_admin, channel_manager, partner "Alpha" (partner_admin, partner_rep), partner "Beta" (rep)
- rival: vendor_admin and partner "Gamma" (partner_rep)
Fixtures run with scopes disabled; code under test enters scopes itself.
"""

from dataclasses import dataclass

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.test import Client
from django.utils import translation
from django_scopes import scopes_disabled

from partners import services
from partners.models import Membership, PartnerCompany, Role, Tier, User, Vendor
from prm.tenancy import Access, vendor_scope

PASSWORD = "correct-horse-battery-staple"


@dataclass
class World:
    acme: Vendor
    rival: Vendor
    alpha: PartnerCompany
    beta: PartnerCompany
    gamma: PartnerCompany
    vendor_admin: User
    channel_manager: User
    partner_admin: User
    partner_rep: User
    beta_rep: User
    rival_admin: User
    rival_rep: User

    def user(self, role: str) -> User | None:
        return {
            "anonymous": None,
            "vendor_admin": self.vendor_admin,
            "channel_manager": self.channel_manager,
            "partner_admin": self.partner_admin,
            "partner_rep": self.partner_rep,
            "other_partner_rep": self.beta_rep,
            "other_vendor_admin": self.rival_admin,
        }[role]


def make_user(email: str, name: str = "") -> User:
    return services.user_create(email=email, password=PASSWORD, name=name)


def add_member(user: User, vendor: Vendor, role: str, partner: PartnerCompany | None = None) -> Membership:
    return Membership.objects.create(user=user, vendor=vendor, role=role, partner=partner)


def access_of(user: User, vendor: Vendor) -> Access:
    """What ``user`` may do in ``vendor``, as the request would resolve it."""
    with scopes_disabled():
        membership = Membership.objects.select_related("user", "partner").get(user=user, vendor=vendor)
    return Access(vendor=vendor, membership=membership)


def invitation_token(world: World, email: str = "guest@example.com") -> str:
    """A fresh invitation by acme's admin for a new rep of Alpha; returns its one-time token."""
    with vendor_scope(world.acme):
        _invitation, token = services.invitation_create(
            access=access_of(world.vendor_admin, world.acme),
            email=email,
            role=Role.PARTNER_REP,
            partner=world.alpha,
        )
    return token


def make_superuser(email: str, name: str) -> User:
    """Platform staff: a superuser with a second factor, as the platform admin requires."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    with scopes_disabled():
        user = make_user(email, name)
        user.is_superuser = user.is_staff = True
        user.save()
        TOTP.activate(user, generate_totp_secret())
    return user


def build_world() -> World:
    with scopes_disabled():
        acme = Vendor.objects.create(slug="acme", name="Acme Software", require_mfa_for_admins=False)
        rival = Vendor.objects.create(slug="rival", name="Rival Systems", require_mfa_for_admins=False)
        vendor_admin = make_user("admin@acme.example", "Aiko Admin")
        channel_manager = make_user("cm@acme.example", "Chika Manager")
        partner_admin = make_user("padmin@alpha.example", "Pat Admin")
        partner_rep = make_user("rep@alpha.example", "Riku Rep")
        beta_rep = make_user("rep@beta.example", "Ben Rep")
        rival_admin = make_user("admin@rival.example", "Rita Rival")
        rival_rep = make_user("rep@gamma.example", "Gil Gamma")
        alpha = PartnerCompany.objects.create(
            vendor=acme,
            name="Alpha Systems",
            tier=Tier.GOLD,
            status="active",
            channel_manager=channel_manager,
        )
        beta = PartnerCompany.objects.create(
            vendor=acme, name="Beta Integration", tier=Tier.SILVER, status="onboarding"
        )
        gamma = PartnerCompany.objects.create(
            vendor=rival, name="Gamma Partners", tier=Tier.PLATINUM, status="active"
        )
        add_member(vendor_admin, acme, Role.VENDOR_ADMIN)
        add_member(channel_manager, acme, Role.CHANNEL_MANAGER)
        add_member(partner_admin, acme, Role.PARTNER_ADMIN, alpha)
        add_member(partner_rep, acme, Role.PARTNER_REP, alpha)
        add_member(beta_rep, acme, Role.PARTNER_REP, beta)
        add_member(rival_admin, rival, Role.VENDOR_ADMIN)
        add_member(rival_rep, rival, Role.PARTNER_REP, gamma)
    return World(
        acme,
        rival,
        alpha,
        beta,
        gamma,
        vendor_admin,
        channel_manager,
        partner_admin,
        partner_rep,
        beta_rep,
        rival_admin,
        rival_rep,
    )


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def _fresh_local_cache():
    """The in-process cache of the SQLite run starts empty in every test: ids are reused there after each test's
    rollback, so marks keyed by id (refusal windows, rate limits) would carry over. The Redis cache of the
    PostgreSQL run is shared with the broker and is not flushed; ids are not reused there."""
    if isinstance(caches["default"], LocMemCache):
        caches["default"].clear()


@pytest.fixture(autouse=True)
def _english_by_default():
    """Tests read English messages unless they switch to Japanese themselves (the product default is ja)."""
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """The Django test client, speaking English unless a test asks for Japanese (the product default is ja)."""
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def client_for(client):
    """``client_for(user)`` logs the test client in as ``user`` (or leaves it anonymous for None)."""

    def login(user):
        client.logout()
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return login


def notification_add(*, vendor, recipient, kind: str, deal=None, actor=None, params: dict | None = None):
    """One bell notification for ``recipient``, as the fan-out of an event writes it (``notifications.fanout``)."""
    from notifications.models import Notification

    params = {**(params or {})}
    if deal is not None:
        params.setdefault("customer", deal.customer_name)
    with scopes_disabled():
        return Notification.objects.create(
            vendor=vendor, recipient=recipient, kind=kind, deal=deal, actor=actor, params=params
        )


def raw_body(response) -> bytes:
    """A response's bytes, whether it was streamed (the CSV exports) or not. A stream can be read once."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def body(response, encoding: str = "utf-8-sig") -> str:
    """A response's text, whether it was streamed (the CSV exports) or not."""
    return raw_body(response).decode(encoding)
