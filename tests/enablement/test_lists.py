"""The lists: filters, CSV exports of what the list shows, and query counts that do not grow with the rows."""

import csv
import io

import pytest
from django_scopes import scopes_disabled

from enablement.models import Delivery
from partners.models import Role
from tests.conftest import add_member, make_user
from tests.enablement.conftest import QUIZ, publish, url


def rows_of(response) -> list[list[str]]:
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode(
        "utf-8-sig"
    )
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def contents(world, client_for):
    quiz = publish(world, title="Quiz guide", tiers=["gold"], questions=QUIZ)
    link = publish(
        world, title="Webinar", tiers=["gold", "silver"], kind="link", url="https://example.com/w", body=""
    )
    draft = publish(world, title="Next year's programme", tiers=["gold"], publish=False)
    rep = client_for(world.partner_rep)
    rep.get(url("content_view", content_id=link.pk))
    rep.post(url("content_read", content_id=link.pk))
    return {"quiz": quiz, "link": link, "draft": draft}


def test_the_content_list_filters(world, client_for, contents):
    client = client_for(world.vendor_admin)
    html = client.get(url("content_list"), {"state": "draft"}).content.decode()
    assert "Next year&#x27;s programme" in html and "Webinar" not in html
    html = client.get(url("content_list"), {"kind": "link"}).content.decode()
    assert "Webinar" in html and "Quiz guide" not in html
    html = client.get(url("content_list"), {"tier": "silver"}).content.decode()
    assert "Webinar" in html and "Quiz guide" not in html
    html = client.get(url("content_list"), {"q": "guide"}).content.decode()
    assert "Quiz guide" in html and "Webinar" not in html
    html = client.get(url("content_list"), {"q": "nothing like it"}).content.decode()
    assert "No content matches these filters." in html


def test_the_content_export_has_the_funnel(world, client_for, contents):
    rows = rows_of(client_for(world.channel_manager).get(url("content_export"), {"kind": "link"}))
    header, *body = rows
    assert header[:2] == ["ID", "Title"] and "Opened (%)" in header
    assert len(body) == 1
    row = dict(zip(header, body[0], strict=True))
    assert row["Title"] == "Webinar" and row["Audience"] == "Gold; Silver"
    assert (row["Delivered"], row["Opened"], row["Read"], row["Understood"]) == ("3", "1", "1", "0")
    assert (row["Opened (%)"], row["Not opened"]) == ("33", "2")


def test_recipients_filter_by_stage_and_export(world, client_for, contents):
    client = client_for(world.vendor_admin)
    link = contents["link"]
    html = client.get(url("content_recipients", content_id=link.pk), {"stage": "not_opened"}).content.decode()
    assert "rep@beta.example" in html and "padmin@alpha.example" in html and "rep@alpha.example" not in html
    html = client.get(
        url("content_recipients", content_id=link.pk), {"stage": "not_opened", "partner": world.beta.pk}
    ).content.decode()
    assert "rep@beta.example" in html and "padmin@alpha.example" not in html
    rows = rows_of(client.get(url("content_recipients_export", content_id=link.pk), {"stage": "read"}))
    assert [row[1] for row in rows[1:]] == ["rep@alpha.example"]
    assert rows[1][3] == "Read"


def test_the_partner_funnels_and_one_partners_funnel(world, client_for, contents):
    client = client_for(world.vendor_admin)
    rows = rows_of(client.get(url("content_partner_funnels_export")))
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Alpha Systems"][2:6] == ["4", "1", "1", "0"]  # two contents × two users
    assert by_name["Beta Integration"][2:6] == ["1", "0", "0", "0"]
    html = client.get(url("content_partner_funnels"), {"tier": "silver"}).content.decode()
    assert "Beta Integration" in html and "Alpha Systems" not in html
    html = client.get(url("content_partner_funnel", partner_id=world.alpha.pk)).content.decode()
    assert "Quiz guide" in html and "Webinar" in html and "Next year" not in html
    rows = rows_of(client.get(url("content_partner_funnel_export", partner_id=world.beta.pk)))
    assert [row[1] for row in rows[1:]] == ["Webinar"]
    rows = rows_of(client.get(url("content_partners_export", content_id=contents["link"].pk)))
    assert [row[0] for row in rows[1:]] == ["Alpha Systems", "Beta Integration"]


def test_the_inbox_shows_new_pending_and_done(world, client_for, contents):
    client = client_for(world.partner_rep)
    html = client.get(url("content_inbox")).content.decode()
    assert "Quiz guide" in html and "Webinar" in html and "Next year" not in html
    assert "Quiz guide" in client.get(url("content_inbox"), {"show": "new"}).content.decode()
    pending = client.get(url("content_inbox"), {"show": "pending"}).content.decode()
    assert "Webinar" in pending and "Quiz guide" not in pending
    rows = rows_of(client.get(url("content_inbox_export")))
    assert [(row[0], row[2]) for row in rows[1:]] == [("Quiz guide", "Delivered"), ("Webinar", "Read")]


def test_the_inbox_lists_only_the_callers_own_content(world, client_for, contents):
    beta_only = publish(world, title="Beta only", tiers=[], partners=[world.beta])
    html = client_for(world.partner_rep).get(url("content_inbox")).content.decode()
    assert beta_only.title not in html
    rows = rows_of(client_for(world.beta_rep).get(url("content_inbox_export")))
    assert sorted(row[0] for row in rows[1:]) == ["Beta only", "Webinar"]


def test_vendor_staff_are_sent_from_the_inbox_to_the_content_list(world, client_for):
    response = client_for(world.channel_manager).get(url("content_inbox"))
    assert response.status_code == 302 and response["Location"] == url("content_list")


def _more_content(world, n: int) -> None:
    for i in range(n):
        publish(world, title=f"Content {i}", tiers=["gold", "silver"], partners=[world.alpha], questions=QUIZ)
    with scopes_disabled():
        for i in range(n):
            user = make_user(f"extra{i}-{Delivery.objects.count()}@alpha.example")
            add_member(user, world.acme, Role.PARTNER_REP, world.alpha)


@pytest.mark.parametrize(
    ("name", "kwargs", "who", "limit"),
    [
        ("content_list", {}, "vendor_admin", 12),
        ("content_export", {}, "vendor_admin", 9),
        ("content_detail", {"content_id": "first"}, "vendor_admin", 16),
        ("content_recipients", {"content_id": "first"}, "vendor_admin", 15),
        ("content_recipients_export", {"content_id": "first"}, "vendor_admin", 11),
        ("content_partner_funnels", {}, "vendor_admin", 11),
        ("content_partner_funnel", {"partner_id": "alpha"}, "vendor_admin", 13),
        ("content_inbox", {}, "partner_rep", 14),
        ("content_inbox_export", {}, "partner_rep", 8),
    ],
)
def test_queries_do_not_grow_with_content_or_people(
    world, client_for, django_assert_max_num_queries, name, kwargs, who, limit
):
    client = client_for(getattr(world, who))
    counts = []
    for size in (2, 8):
        _more_content(world, size)
        with scopes_disabled():
            first = Delivery.objects.order_by("pk").first().content_id
        resolved = {key: {"first": first, "alpha": world.alpha.pk}[value] for key, value in kwargs.items()}
        client.get(url("content_inbox"))  # late deliveries are created on the first visit, not measured here
        with django_assert_max_num_queries(limit) as captured:
            response = client.get(url(name, **resolved))
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], f"{name}: {counts}"


def test_partners_can_be_ordered_by_who_lags(world, client_for, contents):
    # Alpha: 4 delivered, 1 opened, 0 understood; Beta: 1 delivered, none opened.
    client = client_for(world.vendor_admin)
    rows = rows_of(client.get(url("content_partner_funnels_export"), {"sort": "not_opened"}))
    assert [row[0] for row in rows[1:]][:2] == ["Alpha Systems", "Beta Integration"]
    rep = client_for(world.beta_rep)
    rep.post(url("content_understood", content_id=contents["link"].pk))
    rows = rows_of(
        client_for(world.vendor_admin).get(url("content_partner_funnels_export"), {"sort": "understood"})
    )
    assert [row[0] for row in rows[1:]] == ["Alpha Systems", "Beta Integration"]
    html = client.get(url("content_partner_funnels"), {"sort": "bogus"}).content.decode()
    assert "Select a valid choice." in html
