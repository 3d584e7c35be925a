"""``manage.py seed_bulk`` (DESIGN §8): a small bulk load, its tenancy, KPIs over it, top-ups and refusals."""

from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F
from django.utils import timezone
from django_scopes import scopes_disabled

from deals.models import Deal, Phase, RegistrationStatus
from knowledge.kpis import kpi_rows
from knowledge.periods import MONTH, QUARTER, add_months, periods_between
from meddic.models import DealScore
from partners.models import Membership, PartnerCompany, Role, Tier, Vendor
from prm.clock import vendor_today
from prm.tenancy import vendor_scope


def seed(vendors=2, partners=3, deals=500):
    out = StringIO()
    call_command("seed_bulk", vendors=vendors, partners_per_vendor=partners, deals=deals, stdout=out)
    return out.getvalue()


@pytest.fixture
def bulk(db):
    seed()
    with scopes_disabled():
        return list(Vendor.objects.order_by("slug"))


def test_loads_vendors_partners_and_deals_with_their_scores(bulk):
    assert [vendor.slug for vendor in bulk] == ["bulk-001", "bulk-002"]
    with scopes_disabled():
        assert Deal.objects.count() == DealScore.objects.count() == 500
        assert dict(Deal.objects.values_list("vendor").annotate(n=Count("pk")).order_by()) == {
            bulk[0].pk: 250,
            bulk[1].pk: 250,
        }
        assert PartnerCompany.objects.filter(vendor=bulk[0]).count() == 3
        assert set(PartnerCompany.objects.values_list("tier", flat=True)) <= set(Tier.values)
        assert set(Deal.objects.values_list("phase", flat=True)) == set(Phase.values)
        drafts = Deal.objects.filter(registration_status=RegistrationStatus.DRAFT)
        assert drafts.exists() and not drafts.filter(registered_at__isnull=False).exists()
        assert (
            not Deal.objects.exclude(registration_status=RegistrationStatus.DRAFT)
            .filter(registered_at__isnull=True)
            .exists()
        )
        amounts = list(Deal.objects.values_list("amount", flat=True))
        assert min(amounts) >= 300_000 and all(amount % 10_000 == 0 for amount in amounts)
        first_month = add_months(vendor_today(bulk[0]), -17)
        oldest = Deal.objects.order_by("created_at").first().created_at
        assert timezone.localdate(oldest, ZoneInfo(bulk[0].time_zone)) >= first_month
        assert not Deal.objects.filter(
            phase__in=(Phase.WON, Phase.LOST), close_date__gt=timezone.now()
        ).exists()


def test_every_row_belongs_to_its_vendor(bulk):
    with scopes_disabled():
        assert not Deal.objects.exclude(partner__vendor=F("vendor")).exists()
        assert not DealScore.objects.exclude(deal__vendor=F("vendor")).exists()
        assert (
            not PartnerCompany.objects.exclude(channel_manager=None)
            .exclude(
                channel_manager__memberships__vendor=F("vendor"),
                channel_manager__memberships__role=Role.CHANNEL_MANAGER,
            )
            .exists()
        )
        owners = set(Deal.objects.values_list("owner", "vendor", "partner").distinct())
        reps = set(Membership.objects.filter(role=Role.PARTNER_REP).values_list("user", "vendor", "partner"))
        assert owners <= reps


def test_kpis_add_up_over_the_bulk_data(bulk):
    vendor = bulk[0]
    today = vendor_today(vendor)
    months = periods_between(add_months(today, -17), today, MONTH)
    with vendor_scope(vendor):
        rows = kpi_rows(vendor=vendor, periods=months, group_type="vendor")
        counted = Deal.objects.exclude(registration_status=RegistrationStatus.DRAFT)
        assert sum(row["proposals"] for row in rows) == counted.count()
        assert sum(row["won"] for row in rows) == counted.filter(phase=Phase.WON).count()
        quarter = periods_between(today, today, QUARTER)
        (whole,) = kpi_rows(vendor=vendor, periods=quarter, group_type="vendor")
        partners = kpi_rows(vendor=vendor, periods=quarter, group_type="partner")
    assert len(partners) == 3
    for name in ("proposals", "won", "lost", "won_amount", "open_pipeline_amount"):
        assert sum(row[name] for row in partners) == whole[name]


def test_a_rerun_adds_nothing_and_a_larger_count_tops_up(bulk):
    assert "0 added" in seed()
    assert "100 added" in seed(deals=600)
    with scopes_disabled():
        assert Deal.objects.count() == DealScore.objects.count() == 600
        assert Deal.objects.filter(vendor=bulk[1]).count() == 300
        assert PartnerCompany.objects.count() == 6


def test_refuses_a_database_of_another_shape(bulk):
    with pytest.raises(CommandError, match="2 vendors and 3 partners"):
        seed(vendors=3)
    with scopes_disabled():
        assert Vendor.objects.count() == 2 and Deal.objects.count() == 500


def test_refuses_a_database_with_other_vendors(world):
    with pytest.raises(CommandError, match="other vendors"):
        seed()
    with scopes_disabled():
        assert not Vendor.objects.filter(slug__startswith="bulk-").exists()
