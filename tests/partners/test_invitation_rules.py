"""Whose invitations an inviter may replace, what a partner admin learns about people outside their company, and
that a partner admin cannot undo a vendor admin's deactivation (DESIGN §17, issue: trust)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled

from partners.models import Invitation, Membership, Role
from partners.services import invitation_create, membership_deactivate, membership_reactivate
from prm.tenancy import vendor_scope
from tests.conftest import access_of

ALREADY_INVITED = "This person has already been invited."


def create(world, user, email, *, partner=None, role=Role.PARTNER_REP):
    with vendor_scope(world.acme):
        return invitation_create(access=access_of(user, world.acme), email=email, role=role, partner=partner)[
            0
        ]


def open_invitations(world, email):
    with scopes_disabled():
        return list(Invitation.objects.filter(email=email, accepted_at=None, revoked_at=None))


def test_an_inviter_replaces_an_invitation_they_could_have_made(world):
    first = create(world, world.partner_admin, "new@alpha.example", partner=world.alpha)
    second = create(world, world.vendor_admin, "new@alpha.example", partner=world.alpha)
    assert open_invitations(world, "new@alpha.example") == [second]
    assert first.pk != second.pk


def test_a_partner_admin_never_replaces_another_companys_invitation(world):
    create(world, world.vendor_admin, "wanted@beta.example", partner=world.beta)
    with pytest.raises(ValidationError) as error:
        create(world, world.partner_admin, "wanted@beta.example", partner=world.alpha)
    assert error.value.message_dict == {"email": [ALREADY_INVITED]}
    [kept] = open_invitations(world, "wanted@beta.example")
    assert kept.partner == world.beta


def test_a_partner_admin_never_replaces_a_staff_invitation(world):
    create(world, world.vendor_admin, "staff@acme.example", role=Role.CHANNEL_MANAGER)
    with pytest.raises(ValidationError) as error:
        create(world, world.partner_admin, "staff@acme.example", partner=world.alpha)
    assert error.value.message_dict == {"email": [ALREADY_INVITED]}
    [kept] = open_invitations(world, "staff@acme.example")
    assert kept.role == Role.CHANNEL_MANAGER


def test_a_partner_admin_learns_nothing_about_members_of_other_companies(world):
    with pytest.raises(ValidationError) as error:
        create(world, world.partner_admin, world.beta_rep.email, partner=world.alpha)
    assert error.value.message_dict == {"email": [ALREADY_INVITED]}
    with pytest.raises(ValidationError) as error:
        create(world, world.vendor_admin, world.beta_rep.email, partner=world.alpha)
    assert error.value.message_dict == {"email": ["This person is already a member of this vendor."]}


def test_the_page_says_already_invited(world, client_for):
    create(world, world.vendor_admin, "wanted@beta.example", partner=world.beta)
    response = client_for(world.partner_admin).post(
        reverse("partner_invite", args=["acme", world.alpha.pk]),
        {"email": "wanted@beta.example", "role": Role.PARTNER_REP},
    )
    assert response.status_code == 400
    assert ALREADY_INVITED in response.content.decode()


def membership(world, user) -> Membership:
    with scopes_disabled():
        return Membership.objects.get(user=user, vendor=world.acme)


def test_a_partner_admin_cannot_reactivate_whom_the_vendor_deactivated(world, client_for):
    with vendor_scope(world.acme):
        membership_deactivate(
            access=access_of(world.vendor_admin, world.acme), membership=membership(world, world.partner_rep)
        )
        with pytest.raises(PermissionDenied):
            membership_reactivate(
                access=access_of(world.partner_admin, world.acme),
                membership=membership(world, world.partner_rep),
            )
    response = client_for(world.partner_admin).post(
        reverse("member_reactivate", args=["acme", membership(world, world.partner_rep).pk])
    )
    assert response.status_code == 403
    assert membership(world, world.partner_rep).is_active is False
    page = client_for(world.partner_admin).get(reverse("partner_detail", args=["acme", world.alpha.pk]))
    assert "Deactivated by the vendor" in page.content.decode()
    with vendor_scope(world.acme):
        membership_reactivate(
            access=access_of(world.vendor_admin, world.acme), membership=membership(world, world.partner_rep)
        )
    assert membership(world, world.partner_rep).is_active is True


def test_a_partner_admin_reactivates_whom_they_deactivated(world):
    with vendor_scope(world.acme):
        access = access_of(world.partner_admin, world.acme)
        membership_deactivate(access=access, membership=membership(world, world.partner_rep))
        membership_reactivate(access=access, membership=membership(world, world.partner_rep))
    assert membership(world, world.partner_rep).is_active is True
