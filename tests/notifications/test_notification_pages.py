"""The notifications page: the caller's own notifications in this vendor only, filters, pages, CSV, opening one
and marking all as read."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from meddic.models import ElementCode
from notifications.models import Notification
from partners.models import Role
from prm.tenancy import vendor_scope
from tests.conftest import add_member, body, notification_add
from tests.deals.conftest import register


def send(world, recipient, *, deal=None, vendor=None, kind="info_request.sent", actor=None, **params):
    """One notification for ``recipient`` (acme, a question about metrics by default), made by ``notify``."""
    vendor = vendor or world.acme
    params = {"element": "metrics", "due": "2026-12-01", "detail": "御社の効果指標は？", **params}
    with vendor_scope(vendor):
        notification_add(
            vendor=vendor,
            recipient=recipient,
            kind=kind,
            deal=deal,
            actor=actor if actor is not None else world.channel_manager,
            params=params,
        )
        return Notification.objects.filter(recipient=recipient).latest("pk")


def list_url(vendor_slug="acme", **query):
    url = reverse("notification_list", kwargs={"vendor_slug": vendor_slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def export_url(**query):
    url = reverse("notification_export", kwargs={"vendor_slug": "acme"})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def reload(notification):
    with scopes_disabled():
        return Notification.objects.get(pk=notification.pk)


@pytest.fixture
def deal(world):
    return register(world, world.partner_rep, submit=True, customer_name="東邦精機株式会社")


@pytest.fixture
def rep_in_rival(world):
    """Alpha's rep also works with the rival vendor (a second membership)."""
    with scopes_disabled():
        add_member(world.partner_rep, world.rival, Role.PARTNER_REP, world.gamma)
    return world.partner_rep


# --- the list ----------------------------------------------------------------------------------------------


def test_shows_only_the_callers_own_notifications_of_this_vendor(world, client_for, deal, rep_in_rival):
    send(world, world.partner_rep, deal=deal, detail="自分宛の質問")
    send(world, world.partner_admin, deal=deal, detail="管理者宛の質問")
    send(
        world,
        world.partner_rep,
        vendor=world.rival,
        kind="review.changed",
        customer="Rival KK",
        state="qualified",
    )

    page = client_for(world.partner_rep).get(list_url()).content.decode()

    assert "自分宛の質問" in page
    assert "Chika Manager asks about Metrics on 東邦精機株式会社" in page
    assert "管理者宛の質問" not in page
    assert "Rival KK" not in page
    rival_page = client_for(world.partner_rep).get(list_url("rival")).content.decode()
    assert "Rival KK" in rival_page and "自分宛の質問" not in rival_page


@pytest.mark.parametrize("role", ["vendor_admin", "channel_manager", "partner_admin", "partner_rep"])
def test_every_role_has_the_page(world, client_for, role):
    user = world.user(role)
    send(world, user, actor=world.beta_rep, detail=f"for {role}")
    response = client_for(user).get(list_url())
    assert response.status_code == 200
    assert f"for {role}" in response.content.decode()


def test_newest_first_with_unread_ones_highlighted_and_an_open_button(world, client_for, deal):
    older = send(world, world.partner_rep, deal=deal, detail="古い質問")
    newer = send(world, world.partner_rep, deal=deal, detail="新しい質問")
    with scopes_disabled():
        Notification.objects.filter(pk=older.pk).update(read_at=older.created_at)

    page = client_for(world.partner_rep).get(list_url()).content.decode()

    assert page.index("新しい質問") < page.index("古い質問")
    assert page.count('bg-primary bg-opacity-10"') == 1
    assert reverse("notification_open", args=["acme", newer.pk]) in page
    assert 'method="post"' in page and "csrfmiddlewaretoken" in page
    assert "bi-question-circle" in page


def test_empty_states(world, client_for):
    client = client_for(world.partner_rep)
    assert "You have no notifications here yet." in client.get(list_url()).content.decode()
    send(world, world.partner_rep)
    page = client.get(list_url(kind="review.changed")).content.decode()
    assert "No notifications match these filters." in page


# --- filters and pages -------------------------------------------------------------------------------------


def test_unread_filter(world, client_for, deal):
    read = send(world, world.partner_rep, deal=deal, detail="既読の質問")
    send(world, world.partner_rep, deal=deal, detail="未読の質問")
    with scopes_disabled():
        Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    client = client_for(world.partner_rep)

    unread = client.get(list_url(show="unread")).content.decode()
    every = client.get(list_url(show="all")).content.decode()

    assert "未読の質問" in unread and "既読の質問" not in unread
    assert "未読の質問" in every and "既読の質問" in every


def test_kind_filter(world, client_for, deal):
    send(world, world.partner_rep, deal=deal, detail="質問です")
    send(world, world.partner_rep, deal=deal, kind="review.changed", state="qualified", detail="")
    page = client_for(world.partner_rep).get(list_url(kind="review.changed")).content.decode()
    assert "東邦精機株式会社 was reviewed: Qualified" in page
    assert "質問です" not in page


def test_an_unknown_kind_is_refused_with_a_message_and_the_rest_still_shows(world, client_for):
    send(world, world.partner_rep, detail="質問です")
    response = client_for(world.partner_rep).get(list_url(kind="nonsense"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice." in page
    assert "is-invalid" in page
    assert "質問です" in page


def test_pages_of_thirty(world, client_for):
    for number in range(31):
        send(world, world.partner_rep, detail=f"question-{number:02d}")
    client = client_for(world.partner_rep)

    first = client.get(list_url()).content.decode()
    second = client.get(list_url(page=2)).content.decode()

    assert "question-30" in first and "question-01" in first and "question-00" not in first
    assert "question-00" in second and "question-30" not in second
    assert "1–30 of 31" in first


# --- CSV ---------------------------------------------------------------------------------------------------


def rows_of(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(body(response))))


def test_export_has_the_callers_rows_with_the_same_filters(world, client_for, deal, rep_in_rival):
    read = send(world, world.partner_rep, deal=deal, detail="既読の質問")
    send(world, world.partner_rep, deal=deal, kind="info_request.answered", detail="=SUM(A1)")
    send(world, world.partner_admin, deal=deal, detail="管理者宛")
    send(
        world,
        world.partner_rep,
        vendor=world.rival,
        kind="review.changed",
        customer="Rival KK",
        state="qualified",
    )
    with scopes_disabled():
        Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    client = client_for(world.partner_rep)

    rows = rows_of(client.get(export_url()))

    assert rows[0] == ["When", "Kind", "Notification", "Detail", "Customer", "Read"]
    assert len(rows) == 3
    answered, asked = rows[1], rows[2]
    assert answered[1:5] == [
        "Question answered",
        "Chika Manager answered the question about Metrics on 東邦精機株式会社",
        "'=SUM(A1)",
        "東邦精機株式会社",
    ]
    assert answered[5] == "" and asked[5] != ""
    assert asked[1] == "Question asked" and asked[3] == "既読の質問"
    unread_only = rows_of(client.get(export_url(show="unread")))
    assert len(unread_only) == 2 and unread_only[1][1] == "Question answered"
    by_kind = rows_of(client.get(export_url(kind="info_request.sent")))
    assert [row[3] for row in by_kind[1:]] == ["既読の質問"]


# --- opening one -------------------------------------------------------------------------------------------


def open_url(notification, vendor_slug="acme"):
    return reverse(
        "notification_open", kwargs={"vendor_slug": vendor_slug, "notification_id": notification.pk}
    )


def test_open_marks_read_and_goes_to_the_deal(world, client_for, deal):
    notification = send(world, world.partner_rep, deal=deal)
    response = client_for(world.partner_rep).post(open_url(notification))
    assert response.status_code == 302
    assert response["Location"] == reverse("deal_detail", kwargs={"vendor_slug": "acme", "deal_id": deal.pk})
    assert not reload(notification).is_unread


def test_open_without_a_deal_goes_back_to_the_list(world, client_for):
    notification = send(world, world.partner_rep, kind="review.changed", customer="無しKK", state="qualified")
    response = client_for(world.partner_rep).post(open_url(notification))
    assert response.status_code == 302 and response["Location"] == list_url()
    assert not reload(notification).is_unread


def test_someone_elses_notification_is_404_and_stays_unread(world, client_for, deal, rep_in_rival):
    theirs = send(world, world.partner_admin, deal=deal)
    other_vendor = send(world, world.partner_rep, vendor=world.rival, customer="Rival KK", element="champion")
    client = client_for(world.partner_rep)

    assert client.post(open_url(theirs)).status_code == 404
    # The caller's own notification, but of another vendor than the URL's.
    assert client.post(open_url(other_vendor)).status_code == 404
    assert reload(theirs).is_unread and reload(other_vendor).is_unread


def test_open_is_post_only(world, client_for, deal):
    notification = send(world, world.partner_rep, deal=deal)
    assert client_for(world.partner_rep).get(open_url(notification)).status_code == 405
    assert reload(notification).is_unread


# --- marking all as read -----------------------------------------------------------------------------------


def test_read_all_marks_the_callers_unread_of_this_vendor(world, client_for, deal, rep_in_rival):
    mine = [send(world, world.partner_rep, deal=deal), send(world, world.partner_rep, deal=deal)]
    theirs = send(world, world.partner_admin, deal=deal)
    elsewhere = send(world, world.partner_rep, vendor=world.rival, customer="Rival KK")
    client = client_for(world.partner_rep)

    response = client.post(reverse("notification_read_all", kwargs={"vendor_slug": "acme"}), follow=True)

    assert response.redirect_chain == [(list_url(), 302)]
    assert "2 notifications marked as read." in response.content.decode()
    assert all(not reload(n).is_unread for n in mine)
    assert reload(theirs).is_unread and reload(elsewhere).is_unread
    assert "Mark all as read" not in response.content.decode()


def test_read_all_with_nothing_unread_says_so(world, client_for):
    response = client_for(world.partner_rep).post(
        reverse("notification_read_all", kwargs={"vendor_slug": "acme"}), follow=True
    )
    assert "You have no unread notifications." in response.content.decode()


def test_rendered_in_the_viewers_language_at_view_time(world, client_for, deal):
    send(world, world.partner_rep, deal=deal)
    with translation.override("ja"):
        metrics_ja = str(ElementCode.METRICS.label)
    client = client_for(world.partner_rep)
    english = client.get(list_url()).content.decode()
    japanese = client.get(list_url(), headers={"accept-language": "ja"}).content.decode()
    assert "asks about Metrics" in english
    assert metrics_ja != "Metrics" and metrics_ja in japanese


def test_list_queries_do_not_grow_with_notifications(world, client_for, deal, django_assert_max_num_queries):
    client = client_for(world.partner_rep)
    send(world, world.partner_rep, deal=deal)
    with CaptureQueriesContext(connection) as few:
        client.get(list_url())
    for _ in range(10):
        send(world, world.partner_rep, deal=deal, actor=world.vendor_admin)
    with django_assert_max_num_queries(len(few)):
        client.get(list_url())
