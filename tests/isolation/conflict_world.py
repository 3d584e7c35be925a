"""Registration conflicts for the isolation tables, built on demand inside the ``world`` of ``tests/conftest.py``.

- ``acme_conflict``: Beta's rep submits the customer of ``alpha_deal`` again (same name) → one open conflict
- ``rival_conflict``: the same between two partners of the other vendor (asked for under acme's URL: 404)
"""

from django_scopes import scopes_disabled

from deals.models import RegistrationConflict
from partners.models import PartnerCompany, Role
from tests.conftest import add_member, make_user
from tests.deals.conftest import register
from tests.isolation.deal_world import _once, alpha_deal, rival_deal


def _conflict_of(deal) -> RegistrationConflict:
    with scopes_disabled():
        return RegistrationConflict.objects.get(deal=deal)


def acme_conflict(world) -> RegistrationConflict:
    def build():
        alpha = alpha_deal(world)
        later = register(world, world.beta_rep, submit=True, customer_name=alpha.customer_name)
        return _conflict_of(later)

    return _once(world, "acme_conflict", build)


def rival_conflict(world) -> RegistrationConflict:
    def build():
        first = rival_deal(world)
        with scopes_disabled():
            delta = PartnerCompany.objects.create(vendor=world.rival, name="Delta Rival", status="active")
            delta_rep = make_user("rep@delta.example", "Dee Delta")
            add_member(delta_rep, world.rival, Role.PARTNER_REP, delta)
        later = register(world, delta_rep, world.rival, submit=True, customer_name=first.customer_name)
        return _conflict_of(later)

    return _once(world, "rival_conflict", build)


def conflict_pk(builder):
    def pk(world):
        return builder(world).pk

    return pk
