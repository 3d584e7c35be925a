"""Deals for the isolation tables, created on demand inside the ``world`` of ``tests/conftest.py``.

- ``alpha_deal``: submitted by Alpha's rep (``partner_rep``), visible to Alpha's users and acme's staff
- ``alpha_draft``: a draft of Alpha's rep, invisible to vendor staff
- ``beta_deal``: submitted by Beta's rep (``other_partner_rep``)
- ``rival_deal``: a deal of the other vendor, asked for under acme's URL (must be 404 for everyone)
"""

from django_scopes import scopes_disabled

from deals.models import Deal
from tests.deals.conftest import register


def _once(world, key, build):
    cache = world.__dict__.setdefault("_deals", {})
    if key not in cache:
        cache[key] = build()
    return cache[key]


def alpha_deal(world) -> Deal:
    return _once(world, "alpha", lambda: register(world, world.partner_rep, submit=True))


def alpha_draft(world) -> Deal:
    return _once(world, "alpha_draft", lambda: register(world, world.partner_rep, customer_name="Draft KK"))


def beta_deal(world) -> Deal:
    return _once(world, "beta", lambda: register(world, world.beta_rep, submit=True, customer_name="別会社"))


def rival_deal(world) -> Deal:
    return _once(world, "rival", lambda: register(world, world.rival_rep, world.rival, submit=True))


def pk_of(builder):
    def pk(world):
        with scopes_disabled():
            return builder(world).pk

    return pk
