"""The support log (DESIGN §6): vendor staff only; partners get 403; another vendor's entry is 404."""

from datetime import date
from decimal import Decimal

from knowledge.support import support_log
from prm.tenancy import vendor_scope
from tests.conftest import access_of
from tests.isolation.cases import LOGIN, OK, Case, acme, expect


def _entry(world, key, user, vendor, partner) -> int:
    cache = world.__dict__.setdefault("_support", {})
    if key not in cache:
        with vendor_scope(vendor):
            cache[key] = support_log(
                access=access_of(user, vendor),
                partner=partner,
                support_type="study_session",
                date=date(2026, 1, 15),
                hours=Decimal("1"),
            ).pk
    return cache[key]


def acme_entry(world):
    return _entry(world, "acme", world.channel_manager, world.acme, world.alpha)


def rival_entry(world):
    return _entry(world, "rival", world.rival_admin, world.rival, world.gamma)


STAFF = expect(LOGIN, 403, 403, 200, 200, 404, 403)

CASES = [
    Case("support_list", STAFF),
    Case("support_export", STAFF),
    Case("support_create", STAFF),
    Case(
        "support_create",
        expect(LOGIN, 403, 403, 200, 200, 404, 403),
        method="post",
        data=lambda world: {"partner": world.alpha.pk, "support_type": "bad"},
        label="invalid",
    ),
    Case(
        "support_remove",
        expect(LOGIN, 403, 403, OK, OK, 404, 403),
        kwargs=acme(activity_id=acme_entry),
        method="post",
    ),
    Case(
        "support_remove",
        expect(LOGIN, 403, 403, 404, 404, 404, 403),
        kwargs=acme(activity_id=rival_entry),
        method="post",
        label="rival",
    ),
]
