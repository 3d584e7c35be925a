"""The KPI pages and their CSV read a fixed number of queries whatever the number of partners (DESIGN §6)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from knowledge.models import KpiSnapshot
from knowledge.selectors import shown_periods
from partners.models import PartnerCompany, Tier
from tests.knowledge.test_dashboard_pages import put

URL = reverse("kpi_dashboard", kwargs={"vendor_slug": "acme"})
EXPORT = reverse("kpi_export", kwargs={"vendor_slug": "acme"})
TIERS = list(Tier.values)


def grow(world, partners: int) -> None:
    """``partners`` more partners, then every partner of acme with rows in the last six quarters, and the group
    rows above them (earlier rows replaced)."""
    periods = [period.key for period in shown_periods(world.acme, "quarter")[:6]]
    with scopes_disabled():
        start = PartnerCompany.objects.filter(vendor=world.acme).count()
        PartnerCompany.objects.bulk_create(
            PartnerCompany(
                vendor=world.acme,
                name=f"Partner {number:03d}",
                tier=TIERS[number % len(TIERS)],
                channel_manager=world.channel_manager if number % 2 else None,
            )
            for number in range(start, start + partners)
        )
        everyone = list(PartnerCompany.objects.filter(vendor=world.acme))
        KpiSnapshot.objects.filter(vendor=world.acme).delete()
        for position, period in enumerate(periods):
            n = len(everyone)
            put(world.acme, "vendor", "", period, proposals=10 * n, won=n, lost=n, amount=9000)
            for tier in TIERS:
                put(world.acme, "tier", tier, period, proposals=n, won=1, lost=1, amount=1000)
            put(
                world.acme, "channel_manager", world.channel_manager.pk, period, proposals=5, won=1, amount=10
            )
            put(world.acme, "channel_manager", "", period, proposals=5, won=1, lost=1, amount=10)
            for number, partner in enumerate(everyone):
                put(
                    world.acme,
                    "partner",
                    partner.pk,
                    period,
                    name=partner.name,
                    proposals=number + position,
                    won=number % 3,
                    lost=1,
                    amount=1000 * (number % 3),
                    status={"proposal": number, "won": number % 3, "lost": 1},
                )


def queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("user", "url", "params"),
    [
        ("channel_manager", URL, {}),
        ("channel_manager", URL, {"tier": "gold", "sort": "name"}),
        ("vendor_admin", EXPORT, {}),
        ("partner_rep", URL, {}),
        ("partner_admin", EXPORT, {}),
    ],
    ids=["vendor-page", "vendor-page-filtered", "vendor-csv", "scorecard", "scorecard-csv"],
)
def test_queries_do_not_grow_with_partners(
    world, client_for, django_assert_max_num_queries, user, url, params
):
    client = client_for(getattr(world, user))
    grow(world, 3)
    few = queries(client, url, **params)
    grow(world, 30)  # 35 partners, each with six quarters of rows
    with django_assert_max_num_queries(few):
        client.get(url, params)
    # A fixed, small plan: session, user, vendor and membership, then a handful of KPI reads.
    assert few <= 20
