"""Who receives a content: its tiers' partners and its named partners, active users only, late joiners too."""

from django_scopes import scopes_disabled

from enablement.models import Delivery
from partners.models import Membership, PartnerStatus, Role
from prm.tenancy import vendor_scope
from tests.conftest import access_of, add_member, make_user
from tests.enablement.conftest import delivery_of, publish, recipients, url


def test_a_tier_audience_reaches_every_active_user_of_that_tiers_partners(world):
    content = publish(world, tiers=["gold"])  # Alpha is gold, Beta silver
    assert recipients(content) == {"padmin@alpha.example", "rep@alpha.example"}
    with scopes_disabled():
        assert set(Delivery.objects.filter(content=content).values_list("partner", flat=True)) == {
            world.alpha.pk
        }


def test_a_named_partner_audience_reaches_only_that_partner(world):
    content = publish(world, tiers=[], partners=[world.beta])
    assert recipients(content) == {"rep@beta.example"}


def test_tiers_and_named_partners_together_deliver_once_per_person(world):
    content = publish(world, tiers=["gold", "silver"], partners=[world.alpha])
    assert recipients(content) == {"padmin@alpha.example", "rep@alpha.example", "rep@beta.example"}
    with scopes_disabled():
        assert Delivery.objects.filter(content=content).count() == 3


def test_a_draft_reaches_nobody_until_it_is_published(world, client_for):
    content = publish(world, publish=False)
    assert recipients(content) == set()
    client = client_for(world.vendor_admin)
    assert client.post(url("content_publish", content_id=content.pk)).status_code == 302
    assert recipients(content) == {"padmin@alpha.example", "rep@alpha.example"}
    # The rep never sees the draft before that: no delivery, no page.


def test_inactive_members_and_suspended_partners_are_left_out(world):
    with scopes_disabled():
        Membership.objects.filter(user=world.partner_admin).update(is_active=False)
        world.beta.status = PartnerStatus.SUSPENDED
        world.beta.save()
    content = publish(world, tiers=["gold", "silver"])
    assert recipients(content) == {"rep@alpha.example"}


def test_vendor_staff_never_receive_content(world):
    content = publish(world, tiers=["gold", "silver", "platinum", "registered"])
    assert "admin@acme.example" not in recipients(content)
    assert "cm@acme.example" not in recipients(content)


def test_a_user_who_joins_later_finds_the_content_in_their_inbox(world, client_for):
    content = publish(world, tiers=["gold"])
    with scopes_disabled():
        newcomer = make_user("new@alpha.example", "Nina Newcomer")
        add_member(newcomer, world.acme, Role.PARTNER_REP, world.alpha)
    assert delivery_of(content, newcomer) is None
    response = client_for(newcomer).get(url("content_inbox"))
    assert content.title in response.content.decode()
    delivery = delivery_of(content, newcomer)
    assert delivery is not None and delivery.partner_id == world.alpha.pk and delivery.opened_at is None


def test_a_partner_moved_into_the_tier_gets_the_content_when_opening_it(world, client_for):
    content = publish(world, tiers=["gold"])
    assert client_for(world.beta_rep).get(url("content_view", content_id=content.pk)).status_code == 404
    with scopes_disabled():
        world.beta.tier = "gold"
        world.beta.save()
    assert client_for(world.beta_rep).get(url("content_view", content_id=content.pk)).status_code == 200
    assert delivery_of(content, world.beta_rep).opened_at is not None


def test_saving_published_content_with_a_wider_audience_delivers_to_the_newcomers_only(world):
    content = publish(world, tiers=["gold"])
    before = delivery_of(content, world.partner_rep)
    with vendor_scope(world.acme):
        from enablement import services

        added = services.content_save(
            access=access_of(world.vendor_admin, world.acme),
            content=content,
            tiers=["gold"],
            partners=[world.beta],
            questions=[],
        )
    assert added == 1
    assert recipients(content) == {"padmin@alpha.example", "rep@alpha.example", "rep@beta.example"}
    assert delivery_of(content, world.partner_rep).delivered_at == before.delivered_at


def test_another_vendors_partner_in_the_same_tier_receives_nothing(world):
    with scopes_disabled():
        world.gamma.tier = "gold"
        world.gamma.save()
    content = publish(world, tiers=["gold"])
    assert "rep@gamma.example" not in recipients(content)
