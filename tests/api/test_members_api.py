"""Members and vendor settings through the API, with the rules of their pages."""

from django.urls import reverse
from django_scopes import scopes_disabled

from audit.models import AuditEntry
from partners.models import Membership, Vendor


def member_of(world, user):
    with scopes_disabled():
        return Membership.objects.get(user=user, vendor=world.acme)


def test_vendor_admins_list_everyone_and_partner_admins_their_company(world, api_as):
    url = reverse("api_members", args=["acme"])
    everyone = {row["email"] for row in api_as(world.vendor_admin).get(url).json()["results"]}
    assert {"rep@alpha.example", "rep@beta.example", "cm@acme.example"} <= everyone
    own = {row["email"] for row in api_as(world.partner_admin).get(url).json()["results"]}
    assert own == {"rep@alpha.example", "padmin@alpha.example"}
    staff = api_as(world.vendor_admin).get(url, {"role": "channel_manager"}).json()["results"]
    assert [row["email"] for row in staff] == ["cm@acme.example"]
    assert api_as(world.vendor_admin).get(url, {"active": "maybe"}).status_code == 400


def test_a_partner_admin_deactivates_their_rep_but_not_one_the_vendor_deactivated(world, api_as):
    rep = member_of(world, world.partner_rep)
    deactivate = reverse("api_member_deactivate", args=["acme", rep.pk])
    reactivate = reverse("api_member_reactivate", args=["acme", rep.pk])
    response = api_as(world.partner_admin).post(deactivate, format="json")
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert api_as(world.partner_admin).post(reactivate, format="json").json()["is_active"] is True
    api_as(world.vendor_admin).post(deactivate, format="json")
    refused = api_as(world.partner_admin).post(reactivate, format="json")
    assert refused.status_code == 403 and "only a vendor admin" in refused.json()["detail"]
    assert member_of(world, world.partner_rep).is_active is False


def test_nobody_deactivates_themselves_or_another_company(world, api_as):
    admin = member_of(world, world.vendor_admin)
    response = api_as(world.vendor_admin).post(
        reverse("api_member_deactivate", args=["acme", admin.pk]), format="json"
    )
    assert response.status_code == 400
    beta = member_of(world, world.beta_rep)
    other = api_as(world.partner_admin).post(
        reverse("api_member_deactivate", args=["acme", beta.pk]), format="json"
    )
    assert other.status_code == 404 and member_of(world, world.beta_rep).is_active


def test_vendor_settings_are_read_and_changed_with_the_pages_rules(world, api_as):
    url = reverse("api_vendor_settings", args=["acme"])
    api = api_as(world.vendor_admin)
    assert api.get(url).json()["time_zone"] == "Asia/Tokyo"
    response = api.patch(url, {"protection_days": 120, "fiscal_year_start_month": 4}, format="json")
    assert response.status_code == 200 and response.json()["protection_days"] == 120
    with scopes_disabled():
        assert Vendor.objects.get(pk=world.acme.pk).protection_days == 120
        assert AuditEntry.objects.filter(vendor=world.acme, action="vendor.settings").exists()
    bad = api.patch(url, {"fiscal_year_start_month": 13, "time_zone": "Mars/Olympus"}, format="json")
    assert bad.status_code == 400 and set(bad.json()) == {"fiscal_year_start_month", "time_zone"}
    assert api_as(world.channel_manager).get(url).status_code == 403
