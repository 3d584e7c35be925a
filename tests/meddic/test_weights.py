"""Per-vendor MEDDIC weights (DESIGN §5): vendor admins set them on a settings page and through the API; each
change is audited and re-scores the vendor's deals."""

from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled

from audit.models import AuditEntry
from meddic import services
from meddic.models import DealScore, ElementWeight
from prm.tenancy import vendor_scope
from tests.conftest import access_of
from tests.deals.conftest import register

EQUAL = {
    "metrics": 1,
    "economic_buyer": 1,
    "decision_criteria": 1,
    "decision_process": 1,
    "identify_pain": 1,
    "champion": 1,
}


def weights(**changes) -> dict[str, int]:
    return {**EQUAL, **changes}


def set_weights(world, user, values, vendor=None):
    vendor = vendor or world.acme
    with vendor_scope(vendor):
        return services.weights_set(access=access_of(user, vendor), weights=values)


def current_weights(vendor) -> dict[str, int]:
    with vendor_scope(vendor):
        return services.vendor_weights(vendor)


def stored_weights(vendor) -> dict[str, int]:
    with scopes_disabled():
        return dict(ElementWeight.objects.filter(vendor=vendor).values_list("code", "weight"))


def quality(deal) -> int:
    with scopes_disabled():
        return DealScore.objects.get(deal=deal).quality


def weight_entries(vendor):
    with scopes_disabled():
        return list(AuditEntry.objects.filter(vendor=vendor, action="weights.update").order_by("pk"))


# --- Service -------------------------------------------------------------------------------------------------


def test_weights_are_equal_by_default(world):
    assert current_weights(world.acme) == EQUAL


def test_a_vendor_admin_sets_weights_and_the_change_is_audited(world):
    saved = set_weights(world, world.vendor_admin, weights(metrics=4, champion=0))
    assert saved == weights(metrics=4, champion=0)
    assert current_weights(world.acme) == weights(metrics=4, champion=0)
    [entry] = weight_entries(world.acme)
    assert entry.actor == world.vendor_admin
    assert (entry.subject_type, entry.subject_id) == ("vendor", world.acme.pk)
    assert entry.changes == {"metrics": [1, 4], "champion": [1, 0]}
    # Setting them again updates the rows in place and records only what changed.
    set_weights(world, world.vendor_admin, weights(metrics=2, champion=0))
    assert stored_weights(world.acme) == {"metrics": 2, "champion": 0}
    assert weight_entries(world.acme)[-1].changes == {"metrics": [4, 2]}
    # Nothing changed: nothing recorded.
    set_weights(world, world.vendor_admin, weights(metrics=2, champion=0))
    assert len(weight_entries(world.acme)) == 2


def test_weights_are_per_vendor(world):
    set_weights(world, world.vendor_admin, weights(metrics=5))
    assert current_weights(world.rival) == EQUAL


@pytest.mark.parametrize("role", ["channel_manager", "partner_admin", "partner_rep"])
def test_only_vendor_admins_set_weights(world, role):
    with pytest.raises(PermissionDenied):
        set_weights(world, world.user(role), weights(metrics=4))
    assert stored_weights(world.acme) == {}


@pytest.mark.parametrize(
    "values, field",
    [
        (weights(metrics=11), "metrics"),
        (weights(metrics=-1), "metrics"),
        (weights(metrics=2.5), "metrics"),
        (weights(metrics="3"), "metrics"),
        (weights(metrics=True), "metrics"),
        ({code: 1 for code in EQUAL if code != "champion"}, "champion"),
        (weights(budget=1), "budget"),
    ],
)
def test_each_weight_is_an_integer_from_0_to_10(world, values, field):
    with pytest.raises(ValidationError) as caught:
        set_weights(world, world.vendor_admin, values)
    assert list(caught.value.message_dict) == [field]
    assert stored_weights(world.acme) == {}


def test_at_least_one_weight_is_above_zero(world):
    with pytest.raises(ValidationError) as caught:
        set_weights(world, world.vendor_admin, dict.fromkeys(EQUAL, 0))
    assert set(caught.value.message_dict) == set(EQUAL)
    set_weights(world, world.vendor_admin, {**dict.fromkeys(EQUAL, 0), "metrics": 1})
    assert stored_weights(world.acme)["champion"] == 0


def test_changed_weights_rescore_every_deal_of_the_vendor(world):
    deal = register(world, world.partner_rep, meddic={"metrics": {"level": 3}})
    rival_deal = register(world, world.rival_rep, vendor=world.rival, meddic={"metrics": {"level": 3}})
    assert quality(deal) == quality(rival_deal) == 17  # 100·3 / (3·6)
    set_weights(world, world.vendor_admin, weights(metrics=4))
    assert quality(deal) == 44  # 100·4·3 / (3·9) = 44.4
    assert quality(rival_deal) == 17
    set_weights(world, world.vendor_admin, EQUAL)
    assert quality(deal) == 17


def test_large_vendors_are_rescored_in_the_background(world, django_capture_on_commit_callbacks):
    deal = register(world, world.partner_rep, meddic={"metrics": {"level": 3}})
    with (
        mock.patch.object(services, "RESCORE_INLINE_LIMIT", 0),
        mock.patch("meddic.tasks.rescore.apply_async") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        set_weights(world, world.vendor_admin, weights(metrics=4))
        delay.assert_not_called()  # only once the change is committed
    delay.assert_called_once_with(kwargs={"vendor_id": world.acme.pk})
    assert quality(deal) == 17  # not yet: the task does it


# --- Page ----------------------------------------------------------------------------------------------------


def page(world):
    return reverse("meddic_weights", kwargs={"vendor_slug": world.acme.slug})


def test_the_page_shows_the_current_weights(world, client_for):
    set_weights(world, world.vendor_admin, weights(metrics=4))
    response = client_for(world.vendor_admin).get(page(world))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["metrics"].value() == 4 and form["champion"].value() == 1
    html = response.content.decode()
    assert "Economic buyer" in html and 'name="reset"' in html
    assert "weighted average" in html


def test_saving_the_page(world, client_for):
    client = client_for(world.vendor_admin)
    response = client.post(page(world), weights(metrics=4, champion=0), follow=True)
    assert response.redirect_chain[-1][0] == page(world)
    assert current_weights(world.acme) == weights(metrics=4, champion=0)
    assert "MEDDIC weights saved" in response.content.decode()


def test_page_errors_stand_next_to_the_fields_and_keep_what_was_typed(world, client_for):
    client = client_for(world.vendor_admin)
    response = client.post(page(world), weights(metrics=12, champion="x", identify_pain=3))
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"metrics", "champion"}
    assert form["metrics"].value() == "12" and form["identify_pain"].value() == "3"
    assert stored_weights(world.acme) == {}
    response = client.post(page(world), dict.fromkeys(EQUAL, 0))
    assert set(response.context["form"].errors) == set(EQUAL)
    assert "At least one element needs a weight above 0." in response.content.decode()


def test_reset_to_equal_weights(world, client_for):
    set_weights(world, world.vendor_admin, weights(metrics=4, champion=0))
    response = client_for(world.vendor_admin).post(page(world), {"reset": "1", "metrics": "oops"})
    assert response.status_code == 302
    assert current_weights(world.acme) == EQUAL


def test_the_settings_page_links_to_the_weights(world, client_for):
    response = client_for(world.vendor_admin).get(reverse("vendor_settings", kwargs={"vendor_slug": "acme"}))
    assert page(world) in response.content.decode()


# --- API -----------------------------------------------------------------------------------------------------


def api(vendor_slug="acme"):
    return reverse("api_meddic_weights", kwargs={"vendor_slug": vendor_slug})


def test_api_reads_the_weights(world, client_for):
    set_weights(world, world.vendor_admin, weights(metrics=4))
    response = client_for(world.channel_manager).get(api())
    assert response.status_code == 200
    assert response.json() == {"weights": weights(metrics=4)}


def test_api_sets_the_weights(world, client_for):
    deal = register(world, world.partner_rep, meddic={"metrics": {"level": 3}})
    client = client_for(world.vendor_admin)
    response = client.put(api(), {"weights": weights(metrics=4)}, content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {"weights": weights(metrics=4)}
    assert quality(deal) == 44
    assert weight_entries(world.acme)[0].changes == {"metrics": [1, 4]}


@pytest.mark.parametrize(
    "body, errors",
    [
        ({"weights": weights(metrics=11)}, {"weights.metrics"}),
        ({"weights": dict.fromkeys(EQUAL, 0)}, {f"weights.{code}" for code in EQUAL}),
        ({"weights": [1, 2]}, {"weights"}),
        ({}, {"weights"}),
    ],
)
def test_api_refuses_invalid_weights(world, client_for, body, errors):
    response = client_for(world.vendor_admin).put(api(), body, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == errors
    assert stored_weights(world.acme) == {}


def test_api_permissions(world, client_for):
    body = {"weights": weights(metrics=4)}
    for role in ("channel_manager", "partner_admin", "partner_rep"):
        response = client_for(world.user(role)).put(api(), body, content_type="application/json")
        assert response.status_code == 403, role
    assert client_for(world.partner_rep).get(api()).status_code == 403
    assert client_for(world.vendor_admin).get(api("rival")).status_code == 404
    response = client_for(world.vendor_admin).put(api("rival"), body, content_type="application/json")
    assert response.status_code == 404
    assert stored_weights(world.acme) == stored_weights(world.rival) == {}
