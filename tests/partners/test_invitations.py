"""Invitations: single use, expiring, bound to one vendor and role, never for existing members."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from partners import services
from partners.models import Invitation, Membership, Role, User
from prm.tenancy import vendor_scope
from tests.conftest import PASSWORD, access_of


def invite(world, email="new@alpha.example", role=Role.PARTNER_REP, by=None, partner="alpha", vendor=None):
    vendor = vendor or world.acme
    access = access_of(by or world.vendor_admin, vendor)
    with vendor_scope(vendor):
        return services.invitation_create(
            access=access, email=email, role=role, partner=getattr(world, partner) if partner else None
        )


def test_invitation_email_carries_a_working_link(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invitation, token = invite(world)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@alpha.example"]
    assert f"/invitations/{token}/" in mail.outbox[0].body


def test_accepting_creates_the_user_in_the_right_vendor_role_and_partner(world):
    _invitation, token = invite(world)
    membership = services.invitation_accept(
        token=token, proof=services.invitation_mail_proof(token), name="新人 太郎", password=PASSWORD
    )
    assert (membership.vendor, membership.role, membership.partner) == (
        world.acme,
        Role.PARTNER_REP,
        world.alpha,
    )
    assert membership.user.name == "新人 太郎"
    assert membership.user.check_password(PASSWORD)


def test_an_invitation_is_single_use(world):
    _invitation, token = invite(world)
    services.invitation_accept(
        token=token, proof=services.invitation_mail_proof(token), name="A", password=PASSWORD
    )
    with pytest.raises(ValidationError, match="already been used"):
        services.invitation_accept(
            token=token, proof=services.invitation_mail_proof(token), name="B", password=PASSWORD
        )


def test_an_expired_invitation_is_refused(world):
    invitation, token = invite(world)
    with scopes_disabled():
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ValidationError, match="expired"):
        services.invitation_accept(
            token=token, proof=services.invitation_mail_proof(token), name="A", password=PASSWORD
        )
    assert not User.objects.filter(email="new@alpha.example").exists()


def test_an_unknown_token_is_refused(world):
    with pytest.raises(ValidationError, match="not valid"):
        services.invitation_accept(token="made-up", name="A", password=PASSWORD)


def test_a_member_cannot_be_invited_again(world):
    with pytest.raises(ValidationError) as error:
        invite(world, email=world.partner_rep.email)
    assert "already a member" in str(error.value)


def test_member_of_another_vendor_accepts_with_their_existing_account(world):
    _invitation, token = invite(world, email=world.rival_admin.email, role=Role.CHANNEL_MANAGER, partner=None)
    with pytest.raises(ValidationError, match="Log in"):
        services.invitation_accept(
            token=token, proof=services.invitation_mail_proof(token), name="X", password=PASSWORD
        )
    membership = services.invitation_accept(token=token, user=world.rival_admin)
    assert membership.vendor == world.acme and membership.role == Role.CHANNEL_MANAGER
    with vendor_scope(world.rival):
        assert Membership.objects.get(user=world.rival_admin).role == Role.VENDOR_ADMIN


def test_someone_else_cannot_accept_an_invitation_for_an_existing_account(world):
    _invitation, token = invite(world, email=world.rival_admin.email, role=Role.CHANNEL_MANAGER, partner=None)
    with pytest.raises(ValidationError):
        services.invitation_accept(token=token, user=world.rival_rep)


def test_a_new_invitation_replaces_the_open_one(world):
    _first, first_token = invite(world)
    invite(world)
    with pytest.raises(ValidationError, match="replaced"):
        services.invitation_accept(
            token=first_token, proof=services.invitation_mail_proof(first_token), name="A", password=PASSWORD
        )


def test_partner_admin_invites_only_into_their_own_company(world):
    invitation, _token = invite(world, by=world.partner_admin)
    assert invitation.partner == world.alpha
    with pytest.raises(PermissionDenied):
        invite(world, by=world.partner_admin, partner="beta")


def test_partner_admin_cannot_invite_vendor_staff(world):
    with pytest.raises(PermissionDenied):
        invite(world, by=world.partner_admin, role=Role.CHANNEL_MANAGER, partner=None)


def test_vendor_admin_cannot_give_a_partner_role_without_a_partner(world):
    with pytest.raises(ValidationError):
        invite(world, role=Role.PARTNER_REP, partner=None)


def test_weak_password_is_refused_and_nothing_is_created(world):
    _invitation, token = invite(world)
    with pytest.raises(ValidationError):
        services.invitation_accept(
            token=token, proof=services.invitation_mail_proof(token), name="A", password="12345"
        )
    assert not User.objects.filter(email="new@alpha.example").exists()


def test_first_partner_admin_moves_an_invited_company_to_onboarding(world):
    with scopes_disabled():
        world.beta.status = "invited"
        world.beta.save()
    _invitation, token = invite(world, email="boss@beta.example", role=Role.PARTNER_ADMIN, partner="beta")
    services.invitation_accept(
        token=token, proof=services.invitation_mail_proof(token), name="Boss", password=PASSWORD
    )
    with scopes_disabled():
        world.beta.refresh_from_db()
    assert world.beta.status == "onboarding"


# The acceptance page


def mailed_link(token):
    """The path of the link in the invitation mail."""
    return services.invitation_mail_url(token).removeprefix(settings.SITE_URL)


def test_accept_page_sets_name_and_password_and_lands_in_the_vendor(world, client):
    _invitation, token = invite(world)
    url = reverse("invitation_accept", args=[token])
    page = client.get(mailed_link(token))
    assert "Acme Software" in page.content.decode() and 'name="password"' in page.content.decode()
    response = client.post(
        url,
        {
            "name": "New Rep",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
            "proof": page.context["proof"],
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("dashboard", args=["acme"])
    dashboard = client.get(response["Location"])
    assert dashboard.status_code == 200 and "Alpha Systems" in dashboard.content.decode()


def test_accept_page_keeps_the_typed_name_on_error(world, client):
    _invitation, token = invite(world)
    url = reverse("invitation_accept", args=[token])
    response = client.post(
        url,
        {
            "name": "山田 花子",
            "password": PASSWORD,
            "password_confirm": "different-one",
            "proof": services.invitation_mail_proof(token),
        },
    )
    assert response.status_code == 400
    assert "山田 花子" in response.content.decode()


def test_accept_page_of_a_used_invitation_says_so(world, client):
    _invitation, token = invite(world)
    services.invitation_accept(
        token=token, proof=services.invitation_mail_proof(token), name="A", password=PASSWORD
    )
    response = client.get(reverse("invitation_accept", args=[token]))
    assert response.status_code == 410


def test_the_page_without_the_mailed_link_looks_the_same_whether_the_address_has_an_account(world, client):
    # The inviter holds this link too: it must not tell them the rival vendor's rep has an account here.
    pages = []
    for email in ("rep@gamma.example", "nobody@alpha.example"):
        _invitation, token = invite(world, email=email)
        html = client.get(reverse("invitation_accept", args=[token])).content.decode()
        html_without_nonces = re.sub(r"[\w+/=-]{40,}", "", html)
        pages.append(html_without_nonces.replace(email, "EMAIL").replace(token, "TOKEN"))
        assert 'name="password"' not in html and 'name="resend"' in html
    assert pages[0] == pages[1]


def test_a_password_posted_without_the_mailed_link_joins_no_one(world, client):
    _invitation, token = invite(world)
    url = reverse("invitation_accept", args=[token])
    response = client.post(url, {"name": "Intruder", "password": PASSWORD, "password_confirm": PASSWORD})
    assert response.status_code == 400
    assert "open the link in the invitation mail" in response.content.decode()
    assert not User.objects.filter(email="new@alpha.example").exists()


def test_the_page_sends_the_mail_again_once_a_minute(world, client, django_capture_on_commit_callbacks):
    _invitation, token = invite(world)
    url = reverse("invitation_accept", args=[token])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {"resend": "1"}, follow=True)
        again = client.post(url, {"resend": "1"}, follow=True)
    assert "was sent to new@alpha.example again" in first.content.decode()
    assert "sent a moment ago" in again.content.decode()
    assert [message.to for message in mail.outbox] == [["new@alpha.example"]]
    assert mailed_link(token) in mail.outbox[0].body


def test_someone_logged_in_as_the_invited_address_accepts_with_one_button(world, client):
    _invitation, token = invite(world, email=world.rival_rep.email)
    client.force_login(world.rival_rep)
    url = reverse("invitation_accept", args=[token])
    page = client.get(url).content.decode()
    assert 'name="password"' not in page and "Accept invitation" in page
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("dashboard", args=["acme"])


def test_the_mailed_link_tells_its_reader_to_log_in_to_their_existing_account(world, client):
    _invitation, token = invite(world, email=world.rival_rep.email)
    page = client.get(mailed_link(token)).content.decode()
    assert "already exists. Log in as it" in page and 'name="password"' not in page
