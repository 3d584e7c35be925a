"""Every state-changing action on partners, memberships, invitations, settings and content writes one entry:
who, which vendor, what, each changed field before and after, and the request it came with."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from enablement import services as enablement_services
from enablement.models import Content, ContentAudience
from partners import services
from partners.models import Invitation, Membership, Role
from partners.tasks import expire_invitations
from prm.tenancy import vendor_scope
from tests.audit.conftest import entries
from tests.conftest import access_of, invitation_token

RID = "req-0123456789abcdef"


def header(request_id=RID):
    return {"headers": {"x-request-id": request_id}}


def test_creating_a_partner_records_its_values(world, as_admin):
    response = as_admin.post(
        reverse("partner_create", args=["acme"]),
        {"name": "Delta Works", "tier": "silver", "status": "onboarding", "contact_email": "d@delta.example"},
        **header(),
    )
    assert response.status_code == 302
    [entry] = entries(world.acme, "partner.create")
    assert entry.actor == world.vendor_admin
    assert entry.actor_email == "admin@acme.example"
    assert entry.request_id == RID
    assert entry.subject_type == "partnercompany"
    assert entry.changes["name"] == [None, "Delta Works"]
    assert entry.changes["tier"] == [None, "silver"]


def test_changing_a_partner_on_the_page_records_before_and_after(world, as_admin):
    response = as_admin.post(
        reverse("partner_update", args=["acme", world.beta.pk]),
        {
            "name": "Beta Integration",
            "tier": "gold",
            "status": "active",
            "channel_manager": world.channel_manager.pk,
            "contact_email": "",
        },
        **header(),
    )
    assert response.status_code == 302
    [entry] = entries(world.acme, "partner.update")
    assert entry.subject_id == world.beta.pk
    assert entry.changes == {
        "tier": ["silver", "gold"],
        "status": ["onboarding", "active"],
        "channel_manager": [None, "Chika Manager"],
    }
    assert entry.request_id == RID


def test_changing_a_partner_through_the_api_is_recorded(world, client_for):
    client = client_for(world.vendor_admin)
    response = client.patch(
        f"/api/v1/vendors/acme/partners/{world.alpha.pk}/",
        {"tier": "platinum"},
        content_type="application/json",
        **header(),
    )
    assert response.status_code == 200, response.content
    [entry] = entries(world.acme, "partner.update")
    assert entry.changes == {"tier": ["gold", "platinum"]}
    assert entry.request_id == RID


def test_an_unchanged_save_writes_nothing(world):
    with vendor_scope(world.acme):
        services.partner_update(
            access=access_of(world.vendor_admin, world.acme), partner=world.beta, tier="silver"
        )
    assert entries(world.acme, "partner.update") == []


def test_onboarding_checklist(world, client_for):
    client = client_for(world.channel_manager)
    client.post(
        reverse("partner_checklist", args=["acme", world.beta.pk]),
        {"item": "contract_signed_on", "done": "1"},
    )
    [entry] = entries(world.acme, "partner.checklist")
    assert entry.actor == world.channel_manager
    assert entry.changes["contract_signed_on"][0] is None
    assert entry.changes["contract_signed_on"][1] == timezone.localdate().isoformat()


def test_invitations_created_replaced_and_accepted(world, client):
    invitation_token(world, email="new@alpha.example")
    token = invitation_token(world, email="new@alpha.example")
    [created_first, created_second] = entries(world.acme, "invitation.create")
    assert created_first.changes["email"] == [None, "new@alpha.example"]
    assert created_first.changes["role"] == [None, Role.PARTNER_REP]
    assert created_first.changes["partner"] == [None, "Alpha Systems"]
    [revoked] = entries(world.acme, "invitation.revoke")
    assert revoked.subject_id == created_first.subject_id
    assert revoked.actor == world.vendor_admin

    response = client.post(
        reverse("invitation_accept", args=[token]),
        {
            "name": "Nina New",
            "password": "a-long-enough-passphrase",
            "password_confirm": "a-long-enough-passphrase",
            "proof": services.invitation_mail_proof(token),
        },
        **header(),
    )
    assert response.status_code == 302
    [accepted] = entries(world.acme, "invitation.accept")
    assert accepted.subject_id == created_second.subject_id
    assert accepted.actor.email == "new@alpha.example"
    assert accepted.request_id == RID
    [member] = entries(world.acme, "membership.create")
    assert member.actor == accepted.actor
    assert member.changes["role"] == [None, Role.PARTNER_REP]
    assert member.changes["partner"] == [None, "Alpha Systems"]
    assert member.request_id == RID


def test_staff_invitation_from_the_page(world, as_admin):
    as_admin.post(
        reverse("staff_list", args=["acme"]),
        {"email": "cm2@acme.example", "role": "channel_manager"},
        **header(),
    )
    [entry] = entries(world.acme, "invitation.create")
    assert entry.changes["role"] == [None, "channel_manager"]
    assert "partner" not in entry.changes  # vendor staff belong to no partner
    assert entry.request_id == RID


def test_deactivating_and_reactivating_a_member(world, as_admin):
    with scopes_disabled():
        membership = Membership.objects.get(user=world.partner_rep, vendor=world.acme)
    as_admin.post(reverse("member_deactivate", args=["acme", membership.pk]), **header("req-deactivate-1"))
    as_admin.post(reverse("member_reactivate", args=["acme", membership.pk]), **header("req-reactivate-1"))
    [off] = entries(world.acme, "membership.deactivate")
    [on] = entries(world.acme, "membership.reactivate")
    assert off.changes == {"is_active": [True, False]}
    assert on.changes == {"is_active": [False, True]}
    assert (off.request_id, on.request_id) == ("req-deactivate-1", "req-reactivate-1")
    assert off.actor == on.actor == world.vendor_admin


def test_expired_invitations_are_recorded_with_the_task_id(world):
    invitation_token(world, email="late@alpha.example")
    with scopes_disabled():
        Invitation.objects.filter(email="late@alpha.example").update(
            expires_at=timezone.now() - timedelta(days=1)
        )
    result = expire_invitations.delay(vendor_id=world.acme.pk)
    assert result.get() == 1
    [entry] = entries(world.acme, "invitation.expire")
    assert entry.actor is None
    assert entry.changes["revoked_at"][0] is None
    assert entry.request_id == result.id
    # Running again changes nothing and records nothing.
    expire_invitations.delay(vendor_id=world.acme.pk)
    assert len(entries(world.acme, "invitation.expire")) == 1


def test_vendor_settings(world, as_admin):
    response = as_admin.post(
        reverse("vendor_settings", args=["acme"]),
        {
            "name": "Acme Software",
            "protection_days": 120,
            "time_zone": "Asia/Tokyo",
            "fiscal_year_start_month": 4,
        },
        **header(),
    )
    assert response.status_code == 302, response.content
    [entry] = entries(world.acme, "vendor.settings")
    assert entry.changes == {"protection_days": [90, 120]}
    assert entry.subject_type == "vendor"
    assert entry.request_id == RID


def test_creating_a_vendor_records_it_and_its_first_admin(db):
    vendor = services.vendor_create(
        slug="newco",
        name="NewCo",
        admin_email="boss@newco.example",
        admin_password="a-long-enough-passphrase",
    )
    assert [entry.action for entry in entries(vendor)] == ["vendor.create", "membership.create"]
    assert entries(vendor, "membership.create")[0].changes["role"] == [None, Role.VENDOR_ADMIN]


def test_publishing_content(world):
    access = access_of(world.vendor_admin, world.acme)
    with vendor_scope(world.acme):
        content = Content(vendor=world.acme, title="ROI guide", kind="text", body="Read me")
        enablement_services.content_save(
            access=access, content=content, tiers=["gold"], partners=[], questions=[]
        )
        enablement_services.content_publish(access=access, content=content)
        assert ContentAudience.objects.filter(content=content).exists()
    [created] = entries(world.acme, "content.create")
    assert created.changes["title"] == [None, "ROI guide"]
    [published] = entries(world.acme, "content.publish")
    assert published.changes["published_at"][0] is None


@pytest.mark.parametrize("value", ["short", "x" * 65, "bad id with spaces", "<script>alert(1)</script>"])
def test_an_unsafe_request_id_is_replaced(world, as_admin, value):
    response = as_admin.post(
        reverse("partner_create", args=["acme"]),
        {"name": "Echo", "tier": "silver", "status": "onboarding"},
        **header(value),
    )
    [entry] = entries(world.acme, "partner.create")
    assert entry.request_id != value
    assert len(entry.request_id) == 32
    assert response["X-Request-ID"] == entry.request_id


def test_every_response_carries_its_request_id(db, client):
    assert len(client.get("/healthz")["X-Request-ID"]) == 32
    assert client.get("/healthz", headers={"x-request-id": "lb-1234:abcd"})["X-Request-ID"] == "lb-1234:abcd"
