"""Invitations through the API: partner users, vendor staff, acceptance (DESIGN §7)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from partners import services
from partners.models import Invitation, Membership, User
from prm.tenancy import vendor_scope
from tests.conftest import PASSWORD, access_of


def partner_invite_url(partner, vendor="acme"):
    return reverse("api_partner_invitations", kwargs={"vendor_slug": vendor, "partner_id": partner.pk})


def staff_invite_url(vendor="acme"):
    return reverse("api_staff_invitations", kwargs={"vendor_slug": vendor})


def accept_url(token):
    return reverse("api_invitation_accept", kwargs={"token": token})


proof = services.invitation_mail_proof


def invite(world, *, email="new@alpha.example", role="partner_rep", partner="alpha", by="vendor_admin"):
    access = access_of(getattr(world, by), world.acme)
    with vendor_scope(world.acme):
        _invitation, token = services.invitation_create(
            access=access, email=email, role=role, partner=getattr(world, partner) if partner else None
        )
    return token


class TestPartnerInvitations:
    def test_partner_admin_invites_a_rep_for_own_company(
        self, world, api_as, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = api_as(world.partner_admin).post(
                partner_invite_url(world.alpha),
                {"email": "New@Alpha.example", "role": "partner_rep"},
                format="json",
            )
        assert response.status_code == 201
        body = response.json()
        assert set(body) == {"id", "token", "accept_url", "expires_at"}
        assert body["accept_url"] == f"{settings.SITE_URL}/invitations/{body['token']}/"
        with scopes_disabled():
            invitation = Invitation.objects.get(pk=body["id"])
        assert (invitation.vendor, invitation.partner, invitation.role) == (
            world.acme,
            world.alpha,
            "partner_rep",
        )
        assert invitation.email == "new@alpha.example"
        assert invitation.token_digest != body["token"]
        assert abs(
            invitation.expires_at - (timezone.now() + timedelta(days=settings.INVITATION_TTL_DAYS))
        ) < timedelta(minutes=1)
        assert [message.to for message in mail.outbox] == [["new@alpha.example"]]
        assert body["token"] in mail.outbox[0].body

    def test_partner_admin_may_invite_another_partner_admin(self, world, api_as):
        response = api_as(world.partner_admin).post(
            partner_invite_url(world.alpha),
            {"email": "boss@alpha.example", "role": "partner_admin"},
            format="json",
        )
        assert response.status_code == 201

    def test_partner_admin_cannot_invite_for_another_company(self, world, api_as):
        response = api_as(world.partner_admin).post(
            partner_invite_url(world.beta), {"email": "x@beta.example", "role": "partner_rep"}, format="json"
        )
        assert response.status_code == 404
        with scopes_disabled():
            assert not Invitation.objects.exists()

    def test_partner_admin_cannot_give_a_vendor_role(self, world, api_as):
        response = api_as(world.partner_admin).post(
            partner_invite_url(world.alpha),
            {"email": "x@alpha.example", "role": "vendor_admin"},
            format="json",
        )
        assert response.status_code == 400
        assert list(response.json()) == ["role"]

    def test_vendor_admin_invites_for_any_partner(self, world, api_as):
        response = api_as(world.vendor_admin).post(
            partner_invite_url(world.beta),
            {"email": "admin@beta.example", "role": "partner_admin"},
            format="json",
        )
        assert response.status_code == 201

    @pytest.mark.parametrize("role", ["partner_rep", "channel_manager"])
    def test_other_roles_get_403(self, world, api_as, role):
        response = api_as(world.user(role)).post(
            partner_invite_url(world.alpha),
            {"email": "x@alpha.example", "role": "partner_rep"},
            format="json",
        )
        assert response.status_code == 403

    def test_another_tenants_partner_is_404(self, world, api_as):
        response = api_as(world.vendor_admin).post(
            partner_invite_url(world.gamma),
            {"email": "x@gamma.example", "role": "partner_rep"},
            format="json",
        )
        assert response.status_code == 404

    def test_existing_member_cannot_be_invited(self, world, api_as):
        response = api_as(world.vendor_admin).post(
            partner_invite_url(world.alpha),
            {"email": "rep@beta.example", "role": "partner_rep"},
            format="json",
        )
        assert response.status_code == 400
        assert response.json() == {"email": ["This person is already a member of this vendor."]}

    def test_missing_and_invalid_fields(self, world, api_as):
        response = api_as(world.vendor_admin).post(
            partner_invite_url(world.alpha), {"email": "nope", "role": "king"}, format="json"
        )
        assert response.status_code == 400
        assert set(response.json()) == {"email", "role"}


class TestStaffInvitations:
    def test_vendor_admin_invites_a_channel_manager(self, world, api_as):
        response = api_as(world.vendor_admin).post(
            staff_invite_url(), {"email": "cm2@acme.example", "role": "channel_manager"}, format="json"
        )
        assert response.status_code == 201
        with scopes_disabled():
            invitation = Invitation.objects.get(pk=response.json()["id"])
        assert (invitation.role, invitation.partner) == ("channel_manager", None)

    def test_a_partner_role_is_refused(self, world, api_as):
        response = api_as(world.vendor_admin).post(
            staff_invite_url(), {"email": "x@acme.example", "role": "partner_rep"}, format="json"
        )
        assert response.status_code == 400
        assert list(response.json()) == ["role"]

    @pytest.mark.parametrize("role", ["channel_manager", "partner_admin", "partner_rep"])
    def test_only_vendor_admins(self, world, api_as, role):
        response = api_as(world.user(role)).post(
            staff_invite_url(), {"email": "x@acme.example", "role": "channel_manager"}, format="json"
        )
        assert response.status_code == 403

    def test_another_vendors_admin_gets_404(self, world, api_as):
        response = api_as(world.rival_admin).post(
            staff_invite_url(), {"email": "x@acme.example", "role": "channel_manager"}, format="json"
        )
        assert response.status_code == 404


class TestAccept:
    def test_accept_creates_the_user_and_membership(self, world, api):
        token = invite(world, by="partner_admin")
        response = api.post(
            accept_url(token),
            {"proof": proof(token), "name": " Nana New ", "password": PASSWORD},
            format="json",
        )
        assert response.status_code == 201
        assert response.json() == {
            "email": "new@alpha.example",
            "vendor": "acme",
            "role": "partner_rep",
            "partner": world.alpha.pk,
        }
        user = User.objects.get(email="new@alpha.example")
        assert user.name == "Nana New"
        assert user.check_password(PASSWORD)
        with scopes_disabled():
            membership = Membership.objects.get(user=user)
        assert (membership.vendor, membership.partner, membership.role) == (
            world.acme,
            world.alpha,
            "partner_rep",
        )

    def test_the_new_user_can_obtain_a_token_and_see_own_company(self, world, api):
        token = invite(world)
        api.post(
            accept_url(token), {"proof": proof(token), "name": "Nana", "password": PASSWORD}, format="json"
        )
        key = api.post(
            reverse("api_token"), {"email": "new@alpha.example", "password": PASSWORD}, format="json"
        ).json()["token"]
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        response = api.get(reverse("api_partner_list", kwargs={"vendor_slug": "acme"}))
        assert [row["name"] for row in response.json()["results"]] == ["Alpha Systems"]

    def test_vendor_staff_invitation(self, world, api):
        token = invite(world, email="cm2@acme.example", role="channel_manager", partner=None)
        response = api.post(
            accept_url(token), {"proof": proof(token), "name": "Cee", "password": PASSWORD}, format="json"
        )
        assert response.status_code == 201
        assert response.json()["role"] == "channel_manager"
        assert response.json()["partner"] is None

    def test_second_accept_is_400(self, world, api):
        token = invite(world)
        assert (
            api.post(
                accept_url(token), {"proof": proof(token), "name": "N", "password": PASSWORD}, format="json"
            ).status_code
            == 201
        )
        response = api.post(
            accept_url(token), {"proof": proof(token), "name": "N", "password": PASSWORD}, format="json"
        )
        assert response.status_code == 400
        assert response.json() == {"non_field_errors": ["This invitation has already been used."]}

    def test_expired_is_400(self, world, api):
        token = invite(world)
        with scopes_disabled():
            Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
        response = api.post(
            accept_url(token), {"proof": proof(token), "name": "N", "password": PASSWORD}, format="json"
        )
        assert response.status_code == 400
        assert response.json() == {"non_field_errors": ["This invitation has expired. Ask for a new one."]}
        assert not User.objects.filter(email="new@alpha.example").exists()

    def test_unknown_token_is_400(self, world, api):
        response = api.post(accept_url("not-a-token"), {"name": "N", "password": PASSWORD}, format="json")
        assert response.status_code == 400
        assert response.json() == {"non_field_errors": ["This invitation link is not valid."]}

    def test_weak_password_is_a_400_on_password(self, world, api):
        token = invite(world)
        response = api.post(
            accept_url(token), {"proof": proof(token), "name": "N", "password": "12345"}, format="json"
        )
        assert response.status_code == 400
        assert list(response.json()) == ["password"]
        assert not User.objects.filter(email="new@alpha.example").exists()
        # Nothing was used up: a better password still works.
        assert (
            api.post(
                accept_url(token), {"proof": proof(token), "name": "N", "password": PASSWORD}, format="json"
            ).status_code
            == 201
        )

    def test_missing_password_is_a_400_on_password(self, world, api):
        token = invite(world)
        response = api.post(accept_url(token), {"proof": proof(token), "name": "N"}, format="json")
        assert response.status_code == 400
        assert list(response.json()) == ["password"]

    def test_existing_account_accepts_while_authenticated(self, world, api, api_as):
        # The rival's rep also joins acme: one account, memberships in two vendors.
        token = invite(world, email="rep@gamma.example")
        anonymous = api.post(accept_url(token), {"password": PASSWORD}, format="json")
        assert anonymous.status_code == 400
        response = api_as(world.rival_rep).post(accept_url(token), {}, format="json")
        assert response.status_code == 201
        assert response.json()["email"] == "rep@gamma.example"
        vendors = [m["vendor"] for m in api.get(reverse("api_me")).json()["memberships"]]
        assert sorted(vendors) == ["acme", "rival"]


class TestAcceptWithoutTheMail:
    """The inviter gets the token back; it alone joins no one and tells nothing about the address."""

    def test_the_answer_is_the_same_for_an_address_with_an_account_elsewhere_and_a_new_one(self, world, api):
        elsewhere = invite(world, email="rep@gamma.example")  # the rival vendor's rep
        new = invite(world, email="nobody@alpha.example")
        body = {"name": "N", "password": PASSWORD}
        answers = [api.post(accept_url(token), body, format="json") for token in (elsewhere, new)]
        assert [answer.status_code for answer in answers] == [400, 400]
        assert answers[0].json() == answers[1].json() == {"proof": [services.MAILBOX_UNPROVEN]}
        assert not User.objects.filter(email="nobody@alpha.example").exists()

    def test_a_proof_for_another_invitation_is_refused(self, world, api):
        token, other = invite(world), invite(world, email="other@alpha.example")
        response = api.post(
            accept_url(token), {"proof": proof(other), "name": "N", "password": PASSWORD}, format="json"
        )
        assert response.status_code == 400 and list(response.json()) == ["proof"]

    def test_the_mailed_link_carries_the_proof_and_the_returned_link_does_not(
        self, world, api_as, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            body = (
                api_as(world.vendor_admin)
                .post(
                    partner_invite_url(world.alpha),
                    {"email": "new@alpha.example", "role": "partner_rep"},
                    format="json",
                )
                .json()
            )
        assert "proof" not in body["accept_url"]
        assert f"{body['accept_url']}?proof={proof(body['token'])}" in mail.outbox[-1].body
