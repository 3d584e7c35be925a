"""Demo data: two vendors with partners in every tier, users in every role and about 400 deals.

Safe to run repeatedly: users, partners and memberships are updated in place, and a vendor that already has
deals gets no more (``deals.demo``).
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from deals.demo import demo_deals_seed
from enablement.demo import demo_content_seed
from knowledge.demo import demo_support_seed
from knowledge.kpis import kpis_recompute
from meddic.demo import demo_reviews_seed
from meddic.services import scores_refresh
from partners.models import Membership, PartnerCompany, PartnerStatus, Role, Tier, User, Vendor
from partners.services import user_create
from prm.tenancy import vendor_scope

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105  (printed for the demo on purpose)

VENDORS = [
    {
        "slug": "kumo",
        "name": "クモテック株式会社 (Kumo Tech)",
        "domain": "kumo.example",
        "deals": 280,
        "partners": [
            ("東京システムソリューションズ株式会社", Tier.PLATINUM, PartnerStatus.ACTIVE, "tss"),
            ("大阪ITパートナーズ株式会社", Tier.GOLD, PartnerStatus.ACTIVE, "oitp"),
            ("名古屋データ工房株式会社", Tier.GOLD, PartnerStatus.ACTIVE, "ndk"),
            ("福岡クラウドインテグレーション株式会社", Tier.SILVER, PartnerStatus.ONBOARDING, "fci"),
            ("札幌ネットワークス株式会社", Tier.SILVER, PartnerStatus.ACTIVE, "sapnet"),
            ("Global Reseller Japan K.K.", Tier.REGISTERED, PartnerStatus.INVITED, "grj"),
            ("仙台ビジネスシステム株式会社", Tier.REGISTERED, PartnerStatus.SUSPENDED, "sbs"),
        ],
    },
    {
        "slug": "hikari",
        "name": "ヒカリデータ株式会社 (Hikari Data)",
        "domain": "hikari.example",
        "deals": 120,
        "partners": [
            ("横浜インテグレーター株式会社", Tier.PLATINUM, PartnerStatus.ACTIVE, "yokoint"),
            ("京都ソフトサービス株式会社", Tier.GOLD, PartnerStatus.ACTIVE, "kss"),
            ("広島テクノロジー株式会社", Tier.SILVER, PartnerStatus.ONBOARDING, "hirotech"),
            ("Pacific Solutions Inc.", Tier.REGISTERED, PartnerStatus.ACTIVE, "pacific"),
        ],
    },
]


def _user(email: str, name: str, password_hash: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        # Hashing once for all demo users keeps the seed fast (they share the printed password anyway).
        user = user_create(email=email, password=None, name=name)
        user.password = password_hash
        user.save(update_fields=["password"])
    return user


def _member(user: User, vendor: Vendor, role: str, partner: PartnerCompany | None = None) -> None:
    Membership.objects.update_or_create(
        user=user, vendor=vendor, defaults={"role": role, "partner": partner, "is_active": True}
    )


class Command(BaseCommand):
    help = "Load demo vendors, partners and users (idempotent) and print the demo logins."

    @transaction.atomic
    def handle(self, *args, **options):
        logins: list[tuple[str, str, str]] = []
        self.password_hash = make_password(DEMO_PASSWORD)
        deals = []
        for spec in VENDORS:
            vendor, _created = Vendor.objects.update_or_create(
                slug=spec["slug"], defaults={"name": spec["name"], "require_mfa_for_admins": False}
            )
            with vendor_scope(vendor):
                logins += self._seed_vendor(vendor, spec)
        # One channel manager works for both vendors: the vendor switcher in the navigation bar.
        both = User.objects.get(email="cm2@kumo.example")
        hikari = Vendor.objects.get(slug="hikari")
        with vendor_scope(hikari):
            _member(both, hikari, Role.CHANNEL_MANAGER)
        logins.append(("kumo+hikari", f"{Role.CHANNEL_MANAGER.label} ×2", both.email))
        for spec in VENDORS:
            vendor = Vendor.objects.get(slug=spec["slug"])
            with vendor_scope(vendor):
                deals.append((vendor.slug, demo_deals_seed(vendor=vendor, count=spec["deals"])))
                # Scores are derived from the facts just written (and catch up on a database seeded earlier).
                scores_refresh(vendor=vendor)
                demo_reviews_seed(vendor=vendor)
                demo_support_seed(vendor=vendor)
                demo_content_seed(vendor=vendor)
                kpis_recompute(vendor=vendor)  # the dashboards open filled, before the first night
        self._print(logins, deals)

    def _seed_vendor(self, vendor: Vendor, spec: dict) -> list[tuple[str, str, str]]:
        domain = spec["domain"]
        admin = _user(f"admin@{domain}", "管理 花子", self.password_hash)
        cms = [
            _user(f"cm{i}@{domain}", name, self.password_hash)
            for i, name in enumerate(["営業 一郎", "Emma Channel"], 1)
        ]
        _member(admin, vendor, Role.VENDOR_ADMIN)
        for cm in cms:
            _member(cm, vendor, Role.CHANNEL_MANAGER)
        logins = [
            (vendor.slug, Role.VENDOR_ADMIN.label, admin.email),
            (vendor.slug, Role.CHANNEL_MANAGER.label, cms[0].email),
        ]
        today = timezone.localdate()
        for index, (name, tier, status, key) in enumerate(spec["partners"]):
            partner, _created = PartnerCompany.objects.update_or_create(
                vendor=vendor,
                name=name,
                defaults={
                    "tier": tier,
                    "status": status,
                    "channel_manager": cms[index % len(cms)],
                    "contact_email": f"info@{key}.example",
                },
            )
            if status in (PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED):
                partner.contract_signed_on = partner.contract_signed_on or today - timedelta(
                    days=600 - 45 * index
                )
                partner.first_training_on = partner.first_training_on or today - timedelta(
                    days=580 - 45 * index
                )
                partner.save()
            elif status == PartnerStatus.ONBOARDING:
                partner.contract_signed_on = partner.contract_signed_on or today - timedelta(days=20)
                partner.save()
            if status == PartnerStatus.INVITED:
                continue
            padmin = _user(f"admin@{key}.example", f"{key.upper()} 管理者", self.password_hash)
            _member(padmin, vendor, Role.PARTNER_ADMIN, partner)
            for n in (1, 2):
                _member(
                    _user(f"rep{n}@{key}.example", f"{key.upper()} 営業{n}", self.password_hash),
                    vendor,
                    Role.PARTNER_REP,
                    partner,
                )
            if index == 0:
                logins += [
                    (vendor.slug, Role.PARTNER_ADMIN.label, padmin.email),
                    (vendor.slug, Role.PARTNER_REP.label, f"rep1@{key}.example"),
                ]
        return logins

    def _print(self, logins, deals):
        made = ", ".join(f"{slug} {count}" for slug, count in deals)
        self.stdout.write(
            f"Demo deals created: {made}" if any(c for _s, c in deals) else "Demo deals: already there"
        )
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Log in at {settings.SITE_URL}/ with:"))
        for vendor, role, email in logins:
            self.stdout.write(f"  {vendor:8} {role!s:18} {email:28} {DEMO_PASSWORD}")
        self.stdout.write("  (every demo user has the same password)")
