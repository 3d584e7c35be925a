"""Deal fixtures: a valid template answer set and helpers to register deals as a given user."""

from datetime import date, timedelta

import pytest

from deals import services, workflow
from prm.tenancy import vendor_scope
from tests.conftest import access_of


def deal_fields(**overrides) -> dict:
    fields = {
        "customer_name": "株式会社サンプル商事",
        "title": "基幹システム刷新",
        "amount": 12_000_000,
        "close_date": date.today() + timedelta(days=60),
        "phase": "evaluation",
        "proposal_reason": "現行システムの保守切れ\n在庫の見える化が急務",
        "customer_industry": "manufacturing",
        "customer_size": "300_999",
    }
    fields.update(overrides)
    return fields


def register(world, user, vendor=None, *, submit=False, meddic=None, **overrides):
    """A deal created by ``user`` in ``vendor`` (acme by default), optionally submitted."""
    vendor = vendor or world.acme
    with vendor_scope(vendor):
        access = access_of(user, vendor)
        deal = services.deal_create(access=access, fields=deal_fields(**overrides), meddic=meddic)
        if submit:
            deal = workflow.deal_transition(access=access, deal=deal, action="submit")
    return deal


@pytest.fixture
def register_deal(world):
    def make(user=None, **kwargs):
        return register(world, user or world.partner_rep, **kwargs)

    return make
