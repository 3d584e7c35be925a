"""``/api/v1/vendors/{v}/partners/``: list, filters, pagination, scoping, create and change (DESIGN §7)."""

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from partners.models import PartnerCompany


def list_url(vendor="acme"):
    return reverse("api_partner_list", kwargs={"vendor_slug": vendor})


def detail_url(partner, vendor="acme"):
    return reverse("api_partner_detail", kwargs={"vendor_slug": vendor, "partner_id": partner.pk})


def names(response):
    return [row["name"] for row in response.json()["results"]]


class TestList:
    def test_vendor_staff_see_every_partner_of_their_vendor(self, world, api_as):
        response = api_as(world.channel_manager).get(list_url())
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 2 and body["next"] is None and body["previous"] is None
        assert body["results"] == [
            {
                "id": world.alpha.pk,
                "name": "Alpha Systems",
                "tier": "gold",
                "status": "active",
                "channel_manager": world.channel_manager.pk,
            },
            {
                "id": world.beta.pk,
                "name": "Beta Integration",
                "tier": "silver",
                "status": "onboarding",
                "channel_manager": None,
            },
        ]

    @pytest.mark.parametrize("role", ["partner_rep", "partner_admin"])
    def test_partner_users_see_only_their_company(self, world, api_as, role):
        response = api_as(world.user(role)).get(list_url())
        assert response.status_code == 200
        assert names(response) == ["Alpha Systems"]
        assert response.json()["count"] == 1

    def test_partner_users_see_only_their_company_even_when_filtering(self, world, api_as):
        response = api_as(world.beta_rep).get(list_url(), {"q": "Alpha"})
        assert response.json()["count"] == 0

    def test_another_vendors_admin_gets_404(self, world, api_as):
        assert api_as(world.rival_admin).get(list_url()).status_code == 404

    def test_unknown_vendor_is_404(self, world, api_as):
        assert api_as(world.vendor_admin).get(list_url("nobody")).status_code == 404

    def test_pagination(self, world, api_as):
        with scopes_disabled():
            PartnerCompany.objects.bulk_create(
                PartnerCompany(vendor=world.acme, name=f"Zeta {i:02}", tier="registered") for i in range(55)
            )
        api = api_as(world.vendor_admin)
        first = api.get(list_url()).json()
        assert first["count"] == 57
        assert len(first["results"]) == 50
        assert first["previous"] is None
        assert first["next"].endswith(f"{list_url()}?page=2")
        second = api.get(first["next"]).json()
        assert len(second["results"]) == 7
        assert second["next"] is None
        assert names_of(first) + names_of(second) == sorted(names_of(first) + names_of(second))

    def test_page_out_of_range_is_404(self, world, api_as):
        assert api_as(world.vendor_admin).get(list_url(), {"page": 9}).status_code == 404

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"tier": "gold"}, ["Alpha Systems"]),
            ({"status": "onboarding"}, ["Beta Integration"]),
            ({"q": "integ"}, ["Beta Integration"]),
            ({"q": "systems", "tier": "silver"}, []),
            ({}, ["Alpha Systems", "Beta Integration"]),
        ],
    )
    def test_filters(self, world, api_as, params, expected):
        response = api_as(world.vendor_admin).get(list_url(), params)
        assert response.status_code == 200
        assert names(response) == expected

    def test_search_covers_the_contact_email(self, world, api_as):
        with scopes_disabled():
            PartnerCompany.objects.filter(pk=world.beta.pk).update(contact_email="sales@beta.example")
        assert names(api_as(world.vendor_admin).get(list_url(), {"q": "sales@"})) == ["Beta Integration"]

    def test_unknown_filter_value_is_a_400_on_that_field(self, world, api_as):
        response = api_as(world.vendor_admin).get(list_url(), {"tier": "diamond"})
        assert response.status_code == 400
        assert list(response.json()) == ["tier"]


def names_of(page):
    return [row["name"] for row in page["results"]]


class TestRetrieve:
    def test_partner_user_reads_own_company(self, world, api_as):
        response = api_as(world.partner_rep).get(detail_url(world.alpha))
        assert response.status_code == 200
        assert response.json()["name"] == "Alpha Systems"

    def test_partner_user_gets_404_for_another_company(self, world, api_as):
        assert api_as(world.partner_rep).get(detail_url(world.beta)).status_code == 404

    def test_another_tenants_partner_is_404_never_403(self, world, api_as):
        for user in (world.vendor_admin, world.channel_manager, world.partner_rep):
            assert api_as(user).get(detail_url(world.gamma)).status_code == 404

    def test_unknown_id_is_404(self, world, api_as):
        response = api_as(world.vendor_admin).get(
            reverse("api_partner_detail", kwargs={"vendor_slug": "acme", "partner_id": 999999})
        )
        assert response.status_code == 404

    def test_put_and_delete_are_not_offered(self, world, api_as):
        api = api_as(world.vendor_admin)
        assert api.put(detail_url(world.alpha), {"name": "X"}, format="json").status_code == 405
        assert api.delete(detail_url(world.alpha)).status_code == 405


class TestCreate:
    def test_vendor_admin_creates(self, world, api_as):
        response = api_as(world.vendor_admin).post(
            list_url(),
            {"name": "  Delta Solutions ", "tier": "platinum", "channel_manager": world.channel_manager.pk},
            format="json",
        )
        assert response.status_code == 201
        body = response.json()
        assert body["name"] == "Delta Solutions"
        assert body["tier"] == "platinum"
        assert body["status"] == "invited"
        assert body["channel_manager"] == world.channel_manager.pk
        with scope(vendor=world.acme.pk):
            assert PartnerCompany.objects.get(pk=body["id"]).vendor == world.acme

    def test_defaults(self, world, api_as):
        response = api_as(world.vendor_admin).post(list_url(), {"name": "Delta"}, format="json")
        assert response.status_code == 201
        assert response.json()["tier"] == "registered"
        assert response.json()["channel_manager"] is None

    @pytest.mark.parametrize("role", ["channel_manager", "partner_admin", "partner_rep"])
    def test_other_roles_get_403(self, world, api_as, role):
        response = api_as(world.user(role)).post(list_url(), {"name": "Delta"}, format="json")
        assert response.status_code == 403
        with scopes_disabled():
            assert not PartnerCompany.objects.filter(name="Delta").exists()

    def test_another_vendors_admin_gets_404(self, world, api_as):
        assert api_as(world.rival_admin).post(list_url(), {"name": "Delta"}, format="json").status_code == 404

    def test_errors_name_their_fields(self, world, api_as):
        response = api_as(world.vendor_admin).post(
            list_url(), {"tier": "diamond", "status": "asleep"}, format="json"
        )
        assert response.status_code == 400
        body = response.json()
        assert set(body) == {"name", "tier", "status"}
        assert all(isinstance(messages, list) and messages for messages in body.values())

    def test_duplicate_name_is_refused_on_the_name_field(self, world, api_as):
        response = api_as(world.vendor_admin).post(list_url(), {"name": " Alpha Systems "}, format="json")
        assert response.status_code == 400
        assert response.json() == {"name": ["A partner company with this name already exists."]}
        with scopes_disabled():
            assert PartnerCompany.objects.filter(vendor=world.acme, name="Alpha Systems").count() == 1

    def test_same_name_in_another_vendor_is_fine(self, world, api_as):
        response = api_as(world.vendor_admin).post(list_url(), {"name": "Gamma Partners"}, format="json")
        assert response.status_code == 201

    @pytest.mark.parametrize("who", ["rival_admin", "partner_admin", "vendor_admin", "nobody"])
    def test_channel_manager_must_be_a_channel_manager_of_this_vendor(self, world, api_as, who):
        user_id = 999999 if who == "nobody" else getattr(world, who).pk
        response = api_as(world.vendor_admin).post(
            list_url(), {"name": "Delta", "channel_manager": user_id}, format="json"
        )
        assert response.status_code == 400
        assert response.json() == {"channel_manager": ["Choose a channel manager of this vendor."]}

    def test_form_posts_are_not_accepted(self, world, api_as):
        response = api_as(world.vendor_admin).post(list_url(), {"name": "Delta"})
        assert response.status_code == 415


class TestPatch:
    def test_vendor_admin_changes_fields(self, world, api_as):
        response = api_as(world.vendor_admin).patch(
            detail_url(world.beta),
            {"tier": "gold", "channel_manager": world.channel_manager.pk},
            format="json",
        )
        assert response.status_code == 200
        assert response.json() == {
            "id": world.beta.pk,
            "name": "Beta Integration",
            "tier": "gold",
            "status": "onboarding",
            "channel_manager": world.channel_manager.pk,
        }

    def test_patch_leaves_other_fields_alone(self, world, api_as):
        response = api_as(world.vendor_admin).patch(
            detail_url(world.alpha), {"status": "suspended"}, format="json"
        )
        assert response.json()["tier"] == "gold"
        assert response.json()["channel_manager"] == world.channel_manager.pk

    def test_channel_manager_can_be_cleared(self, world, api_as):
        response = api_as(world.vendor_admin).patch(
            detail_url(world.alpha), {"channel_manager": None}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["channel_manager"] is None

    def test_channel_manager_from_another_vendor_is_refused(self, world, api_as):
        response = api_as(world.vendor_admin).patch(
            detail_url(world.alpha), {"channel_manager": world.rival_admin.pk}, format="json"
        )
        assert response.status_code == 400
        assert list(response.json()) == ["channel_manager"]

    def test_renaming_onto_another_partner_is_refused(self, world, api_as):
        response = api_as(world.vendor_admin).patch(
            detail_url(world.beta), {"name": "Alpha Systems"}, format="json"
        )
        assert response.status_code == 400
        assert list(response.json()) == ["name"]

    def test_keeping_its_own_name_is_fine(self, world, api_as):
        response = api_as(world.vendor_admin).patch(
            detail_url(world.alpha), {"name": "Alpha Systems"}, format="json"
        )
        assert response.status_code == 200

    def test_blank_name_is_refused(self, world, api_as):
        response = api_as(world.vendor_admin).patch(detail_url(world.alpha), {"name": "  "}, format="json")
        assert response.status_code == 400
        assert list(response.json()) == ["name"]

    @pytest.mark.parametrize("role", ["channel_manager", "partner_admin"])
    def test_other_roles_get_403_for_a_partner_they_see(self, world, api_as, role):
        response = api_as(world.user(role)).patch(
            detail_url(world.alpha), {"tier": "platinum"}, format="json"
        )
        assert response.status_code == 403
        assert response.json() == {
            "detail": "You do not have permission to perform this action.",
            "code": "permission_denied",
        }
        world.alpha.refresh_from_db()
        assert world.alpha.tier == "gold"

    def test_partner_user_gets_404_for_another_company(self, world, api_as):
        response = api_as(world.partner_admin).patch(
            detail_url(world.beta), {"tier": "platinum"}, format="json"
        )
        assert response.status_code == 404

    def test_another_tenants_partner_is_404(self, world, api_as):
        response = api_as(world.vendor_admin).patch(detail_url(world.gamma), {"tier": "gold"}, format="json")
        assert response.status_code == 404
        world.gamma.refresh_from_db()
        assert world.gamma.tier == "platinum"

    def test_works_with_a_token(self, world, api_with_token):
        response = api_with_token(world.vendor_admin).patch(
            detail_url(world.alpha), {"tier": "silver"}, format="json"
        )
        assert response.status_code == 200
