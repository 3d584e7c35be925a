"""The vendors, partner companies and users of the bulk seed (``bench.seed``), and who sells for whom.

Vendors ``bulk-001`` … in Asia/Tokyo with an April fiscal year; per vendor an admin and five channel managers,
partner companies in every tier (most with a channel manager) and two reps each. Bulk users have no usable
password: they exist to own deals and to call the API with issued tokens.
"""

import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from deals.demo import words
from partners.models import Membership, PartnerCompany, PartnerStatus, Role, Tier, User, Vendor

SLUG_PREFIX = "bulk-"
TIME_ZONE = "Asia/Tokyo"
MANAGERS_PER_VENDOR = 5
REPS_PER_PARTNER = 2

TIERS = ((Tier.PLATINUM, 1), (Tier.GOLD, 2), (Tier.SILVER, 3), (Tier.REGISTERED, 4))

PARTNER_FORMS = (
    "{s}システムズ株式会社",
    "株式会社{s}ソリューションズ",
    "{s}情報サービス株式会社",
    "株式会社{s}テクノ",
    "{s}ネットワークス株式会社",
    "{s}ビジネスサポート株式会社",
)


@dataclass(frozen=True)
class Seller:
    vendor_id: int
    partner_id: int
    tier: str
    owners: tuple[int, ...]
    staff: int  # who acts for the vendor on the partner's deals: its channel manager, else the vendor admin


@transaction.atomic
def create_structure(vendors: int, partners_per_vendor: int, rng: random.Random) -> None:
    stems = words.STEMS
    made = Vendor.objects.bulk_create(
        Vendor(
            slug=f"{SLUG_PREFIX}{number:03d}",
            name=f"{stems[number % len(stems)]}テック株式会社 ({number:03d})",
            time_zone=TIME_ZONE,
            fiscal_year_start_month=4,
        )
        for number in range(1, vendors + 1)
    )
    users, memberships = [], []

    def user(email: str, name: str) -> User:
        users.append(User(email=email, name=name, password=make_password(None)))
        return users[-1]

    staff = {}
    for vendor in made:
        domain = f"{vendor.slug}.example"
        staff[vendor.pk] = (
            user(f"admin@{domain}", "管理 花子"),
            [user(f"cm{i}@{domain}", f"チャネル担当 {i}") for i in range(1, MANAGERS_PER_VENDOR + 1)],
        )
    User.objects.bulk_create(users)
    users.clear()
    partners = []
    for vendor in made:
        admin, managers = staff[vendor.pk]
        memberships.append(Membership(user=admin, vendor=vendor, role=Role.VENDOR_ADMIN))
        memberships += [Membership(user=cm, vendor=vendor, role=Role.CHANNEL_MANAGER) for cm in managers]
        offset = rng.randrange(len(stems))
        tiers = [tier for tier, weight in TIERS for _ in range(weight)]
        for index in range(partners_per_vendor):
            stem = stems[(offset + index) % len(stems)]
            form = PARTNER_FORMS[(offset + index) // len(stems) % len(PARTNER_FORMS)]
            round_ = (offset + index) // (len(stems) * len(PARTNER_FORMS))
            partners.append(
                PartnerCompany(
                    vendor=vendor,
                    name=form.format(s=stem) + (f" {round_ + 1}" if round_ else ""),
                    tier=rng.choice(tiers),
                    status=PartnerStatus.ACTIVE,
                    # About one partner in ten has no channel manager yet.
                    channel_manager=None if rng.random() < 0.1 else managers[index % len(managers)],
                    contact_email=f"info@p{index + 1:03d}.{vendor.slug}.example",
                )
            )
    PartnerCompany.objects.bulk_create(partners)
    reps = [
        (partner, user(f"rep{n}@{partner.contact_email.partition('@')[2]}", f"営業 {n}"))
        for partner in partners
        for n in range(1, REPS_PER_PARTNER + 1)
    ]
    User.objects.bulk_create(users)
    memberships += [
        Membership(user=rep, vendor_id=partner.vendor_id, role=Role.PARTNER_REP, partner=partner)
        for partner, rep in reps
    ]
    Membership.objects.bulk_create(memberships)


def sellers_of(vendors: list[Vendor]) -> tuple[dict[int, list[Seller]], dict[int, str]]:
    """Each vendor's selling partners, and the email of every user who acts on their deals."""
    owners: dict[int, list[int]] = {}
    admins: dict[int, int] = {}
    members = Membership.objects.filter(vendor__in=vendors, role__in=(Role.PARTNER_REP, Role.VENDOR_ADMIN))
    for vendor_id, partner_id, user_id, role in members.order_by("pk").values_list(
        "vendor_id", "partner_id", "user_id", "role"
    ):
        if role == Role.VENDOR_ADMIN:
            admins.setdefault(vendor_id, user_id)
        else:
            owners.setdefault(partner_id, []).append(user_id)
    sellers: dict[int, list[Seller]] = {vendor.pk: [] for vendor in vendors}
    for partner in PartnerCompany.objects.filter(vendor__in=vendors).order_by("pk"):
        staff = partner.channel_manager_id or admins.get(partner.vendor_id)
        if owners.get(partner.pk) and staff:
            sellers[partner.vendor_id].append(
                Seller(partner.vendor_id, partner.pk, partner.tier, tuple(owners[partner.pk]), staff)
            )
    emails = dict(User.objects.filter(memberships__vendor__in=vendors).values_list("pk", "email").distinct())
    return sellers, emails
