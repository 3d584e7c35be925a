"""Deal CSV import: the owner rule it relies on, reading Excel's files, row checks, all-or-nothing, the page."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scopes_disabled

from audit.models import AuditEntry
from deals import services
from partners.models import Membership, Role
from prm.tenancy import vendor_scope
from tests.conftest import access_of, add_member, make_user
from tests.deals.conftest import deal_fields

pytestmark = pytest.mark.django_db


# --- deal_create(owner=...) --------------------------------------------------------------------------------


def create_as(world, user, owner):
    with vendor_scope(world.acme):
        return services.deal_create(access=access_of(user, world.acme), fields=deal_fields(), owner=owner)


def test_partner_admin_registers_a_deal_for_a_member_of_their_company(world):
    deal = create_as(world, world.partner_admin, world.partner_rep)
    assert (deal.owner, deal.partner) == (world.partner_rep, world.alpha)
    with scopes_disabled():
        entry = AuditEntry.objects.get(deal_id=deal.pk, action="deal.create")
    assert entry.actor == world.partner_admin
    assert entry.changes["owner"] == [None, world.partner_rep.email]


def test_owner_defaults_to_the_caller(world):
    assert create_as(world, world.partner_admin, None).owner == world.partner_admin
    assert create_as(world, world.partner_rep, world.partner_rep).owner == world.partner_rep


def test_a_rep_cannot_name_another_owner(world):
    with pytest.raises(PermissionDenied):
        create_as(world, world.partner_rep, world.partner_admin)


@pytest.mark.parametrize("who", ["beta_rep", "channel_manager", "rival_rep"])
def test_owner_outside_the_company_is_refused(world, who):
    with pytest.raises(ValidationError) as caught:
        create_as(world, world.partner_admin, getattr(world, who))
    assert "owner" in caught.value.message_dict


def test_inactive_member_cannot_own_a_new_deal(world):
    with scopes_disabled():
        Membership.objects.filter(user=world.partner_rep).update(is_active=False)
    with pytest.raises(ValidationError):
        create_as(world, world.partner_admin, world.partner_rep)


def test_member_of_the_company_in_another_vendor_only_is_refused(world):
    # Same person, but their membership is in the rival vendor: not a member of Alpha.
    outsider = make_user("someone@alpha.example")
    with scopes_disabled():
        add_member(outsider, world.rival, Role.PARTNER_REP, world.gamma)
    with pytest.raises(ValidationError):
        create_as(world, world.partner_admin, outsider)
