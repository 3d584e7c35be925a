"""The caller's own notifications through the API: rendered in the caller's language, marked read."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from notifications.models import Notification
from tests.conftest import notification_add
from tests.deals.conftest import register


def list_url(vendor="acme"):
    return reverse("api_notifications", kwargs={"vendor_slug": vendor})


def read_url(vendor="acme"):
    return reverse("api_notifications_read", kwargs={"vendor_slug": vendor})


def tell(world, user, *, kind="review.changed", deal=None, vendor=None, actor=None, **params):
    with scopes_disabled():
        notification_add(
            vendor=vendor or world.acme,
            recipient=user,
            kind=kind,
            deal=deal,
            actor=actor or world.channel_manager,
            params=params,
        )
        return Notification.objects.filter(recipient=user).order_by("-pk").first()


def unread(user):
    with scopes_disabled():
        return Notification.objects.filter(recipient=user, read_at=None).count()


def test_the_callers_own_notifications_newest_first(world, api_as):
    deal = register(world, world.partner_rep, submit=True, customer_name="株式会社サンプル商事")
    first = tell(world, world.partner_rep, deal=deal, state="qualified", detail="要件確認済み")
    second = tell(
        world, world.partner_rep, kind="info_request.sent", deal=deal, element="metrics", due="2030-01-31"
    )
    tell(world, world.partner_admin, deal=deal, state="qualified")
    tell(world, world.rival_rep, vendor=world.rival, actor=world.rival_admin)
    body = api_as(world.partner_rep).get(list_url()).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert [row["id"] for row in body["results"]] == [second.pk, first.pk]
    row = body["results"][1]
    assert set(row) == {"id", "kind", "text", "detail", "deal", "created_at", "read"}
    assert row["kind"] == "review.changed" and row["deal"] == deal.pk and row["read"] is False
    assert row["text"] == "株式会社サンプル商事 was reviewed: Qualified"
    assert row["detail"] == "要件確認済み"
    assert "Metrics" in body["results"][0]["text"]


def test_text_follows_the_request_language(world, api_as):
    tell(world, world.partner_rep, state="qualified", customer="X社")
    text = api_as(world.partner_rep).get(list_url(), HTTP_ACCEPT_LANGUAGE="ja").json()["results"][0]["text"]
    assert "X社" in text
    english = api_as(world.partner_rep).get(list_url()).json()["results"][0]["text"]
    assert english == "X社 was reviewed: Qualified"


def test_a_notification_without_a_deal(world, api_as):
    tell(world, world.channel_manager, kind="element.verified", actor=world.vendor_admin, element="champion")
    row = api_as(world.channel_manager).get(list_url()).json()["results"][0]
    assert row["deal"] is None


def test_unread_filter_and_marking_some_read(world, api_as):
    one, two, three = (tell(world, world.partner_rep, state="qualified") for _ in range(3))
    others = tell(world, world.partner_admin, state="qualified")
    api = api_as(world.partner_rep)
    response = api.post(read_url(), {"ids": [one.pk, two.pk, others.pk]}, format="json")
    assert response.status_code == 200
    assert response.json() == {"marked": 2}
    assert unread(world.partner_admin) == 1  # someone else's id is ignored
    assert [row["id"] for row in api.get(list_url(), {"unread": "true"}).json()["results"]] == [three.pk]
    read = api.get(list_url(), {"unread": "false"}).json()["results"]
    assert {row["id"] for row in read} == {one.pk, two.pk} and all(row["read"] for row in read)
    assert api.post(read_url(), {"ids": [one.pk]}, format="json").json() == {"marked": 0}


def test_marking_all_read(world, api_as):
    for _ in range(2):
        tell(world, world.channel_manager, actor=world.vendor_admin, state="qualified")
    rival = tell(world, world.rival_admin, vendor=world.rival, actor=world.rival_rep, state="qualified")
    response = api_as(world.channel_manager).post(read_url(), format="json")
    assert response.json() == {"marked": 2}
    assert unread(world.channel_manager) == 0
    assert rival.read_at is None and unread(world.rival_admin) == 1


def test_marking_read_only_in_this_vendor(world, api_as):
    # The rival admin's own notification, named from acme's URL: not a member there, so 404.
    rival = tell(world, world.rival_admin, vendor=world.rival, actor=world.rival_rep, state="qualified")
    response = api_as(world.rival_admin).post(read_url(), {"ids": [rival.pk]}, format="json")
    assert response.status_code == 404
    assert unread(world.rival_admin) == 1


def test_bad_input_is_400(world, api_as):
    api = api_as(world.partner_rep)
    response = api.post(read_url(), {"ids": ["x"]}, format="json")
    assert response.status_code == 400 and "ids" in response.json()
    assert api.get(list_url(), {"unread": "maybe"}).status_code == 400


def test_another_vendor_is_404(world, api_as):
    assert api_as(world.partner_rep).get(list_url("rival")).status_code == 404


def test_list_queries_do_not_grow_with_notifications(world, api_as, django_assert_max_num_queries):
    deal = register(world, world.partner_rep, submit=True)
    api = api_as(world.partner_rep)
    tell(world, world.partner_rep, deal=deal, state="qualified")
    with CaptureQueriesContext(connection) as few:
        assert api.get(list_url()).json()["count"] == 1
    budget = len(few)
    for number in range(6):
        actor = world.vendor_admin if number % 2 else world.channel_manager
        tell(world, world.partner_rep, kind="info_request.sent", deal=deal, actor=actor, element="champion")
    with django_assert_max_num_queries(budget):
        assert api.get(list_url()).json()["count"] == 7
