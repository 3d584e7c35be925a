"""The review queue: who sees which deals, every sort and filter, the CSV export and a constant query count."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from deals.models import Deal
from meddic.models import DealReview, DealScore, InfoRequest, ReviewState
from tests.conftest import body
from tests.deals.conftest import register

QUEUE = "review_queue"


def scored(deal, q=0, v=0, flags=(), forecast="pipeline"):
    """Give ``deal`` a stored score (replacing the computed one)."""
    with scopes_disabled():
        DealScore.objects.update_or_create(
            deal=deal,
            defaults={
                "vendor_id": deal.vendor_id,
                "quality": q,
                "visibility": v,
                "forecast_category": forecast,
                "flag_codes": f",{','.join(flags)}," if flags else "",
                "flag_count": len(flags),
                "computed_at": timezone.now(),
            },
        )
    return deal


def reviewed(deal, state, user):
    with scopes_disabled():
        DealReview.objects.update_or_create(
            deal=deal,
            defaults={
                "vendor_id": deal.vendor_id,
                "state": state,
                "changed_by": user,
                "changed_at": timezone.now(),
            },
        )
    return deal


def ids(response):
    return [deal.pk for deal in response.context["deals"]]


def get(client, name=QUEUE, **query):
    return client.get(reverse(name, kwargs={"vendor_slug": "acme"}), query)


@pytest.fixture
def deals(world):
    """Two open deals of Alpha (the channel manager's partner), one of Beta, a won deal and a draft."""
    alpha = register(
        world, world.partner_rep, submit=True, customer_name="株式会社アルファ顧客", amount=5_000_000
    )
    alpha2 = register(
        world, world.partner_rep, submit=True, customer_name="Second Alpha KK", title="在庫管理"
    )
    beta = register(world, world.beta_rep, submit=True, customer_name="別会社", amount=30_000_000)
    won = register(
        world, world.partner_rep, submit=True, customer_name="受注済み", phase="won", close_date=date.today()
    )
    draft = register(world, world.partner_rep, customer_name="下書き")
    return {"alpha": alpha, "alpha2": alpha2, "beta": beta, "won": won, "draft": draft}


# --- Scope -----------------------------------------------------------------------------------------------------


def test_channel_manager_sees_own_partners_first_then_all(world, client_for, deals):
    client = client_for(world.channel_manager)
    response = get(client)
    assert response.status_code == 200
    assert set(ids(response)) == {deals["alpha"].pk, deals["alpha2"].pk}
    response = get(client, scope="all")
    assert set(ids(response)) == {deals["alpha"].pk, deals["alpha2"].pk, deals["beta"].pk}


def test_vendor_admin_sees_all_partners_and_may_narrow_to_theirs(world, client_for, deals):
    client = client_for(world.vendor_admin)
    assert set(ids(get(client))) == {deals["alpha"].pk, deals["alpha2"].pk, deals["beta"].pk}
    assert ids(get(client, scope="mine")) == []  # no partner has the admin as channel manager


def test_closed_deals_and_drafts_are_not_in_the_queue(world, client_for, deals):
    shown = ids(get(client_for(world.vendor_admin)))
    assert deals["won"].pk not in shown and deals["draft"].pk not in shown


@pytest.mark.parametrize("role", ["partner_rep", "partner_admin", "other_partner_rep"])
@pytest.mark.parametrize("name", [QUEUE, "review_matrix", "review_export"])
def test_partner_roles_get_403(world, client_for, role, name):
    assert get(client_for(world.user(role)), name).status_code == 403


@pytest.mark.parametrize("name", [QUEUE, "review_matrix", "review_export"])
def test_another_vendor_gets_404(world, client_for, name):
    assert get(client_for(world.rival_admin), name).status_code == 404


# --- Columns -----------------------------------------------------------------------------------------------------


def test_row_shows_scores_flags_review_requests_and_age(world, client_for, deals):
    deal = scored(
        deals["alpha"], q=72, v=41, flags=("metrics_undefined", "champion_missing"), forecast="best_case"
    )
    reviewed(deal, ReviewState.NEEDS_INFO, world.channel_manager)
    with scopes_disabled():
        Deal.objects.filter(pk=deal.pk).update(registered_at=timezone.now() - timedelta(days=12))
        for status in ("open", "open", "answered"):
            InfoRequest.objects.create(
                vendor=world.acme,
                deal=deal,
                element="metrics",
                question="?",
                due_date=date.today(),
                status=status,
                requested_at=timezone.now(),
            )
    response = get(client_for(world.channel_manager))
    row = next(d for d in response.context["deals"] if d.pk == deal.pk)
    assert (row.q, row.v, row.flags, row.forecast) == (72, 41, 2, "best_case")
    assert row.review_state == "needs_info" and row.open_requests == 2 and row.age_days == 12
    assert [flag.code for flag in row.flag_list] == ["metrics_undefined", "champion_missing"]
    html = response.content.decode()
    assert "Success metrics undefined" in html and "No champion" in html
    assert "review-needs_info" in html and "¥5,000,000" in html
    assert reverse("deal_detail", kwargs={"vendor_slug": "acme", "deal_id": deal.pk}) in html


def test_deal_without_score_sorts_as_zero_and_shows_a_dash(world, client_for, deals):
    with scopes_disabled():
        DealScore.objects.filter(deal=deals["alpha"]).delete()
    scored(deals["alpha2"], q=10, v=10, flags=("metrics_undefined",))
    response = get(client_for(world.channel_manager), sort="-flags")
    assert ids(response) == [deals["alpha2"].pk, deals["alpha"].pk]
    row = response.context["deals"][1]
    assert (row.q, row.v, row.flags) == (0, 0, 0)
    assert ids(get(client_for(world.channel_manager), sort="quality")) == [
        deals["alpha"].pk,
        deals["alpha2"].pk,
    ]
    assert "—" in response.content.decode()


def test_unreviewed_deal_without_review_row(world, client_for, deals):
    response = get(client_for(world.channel_manager))
    assert {d.review_state for d in response.context["deals"]} == {"unreviewed"}


# --- Sorts -------------------------------------------------------------------------------------------------------


@pytest.fixture
def ranked(world):
    """Three of Alpha's deals, each key ranking them a different way (first < second < third)."""
    now = timezone.now()
    made = []
    for n, (amount, q, v, flags, days_old, close_in) in enumerate(
        [
            (1_000_000, 80, 20, 0, 3, 90),
            (2_000_000, 10, 70, 2, 40, 30),
            (3_000_000, 50, 45, 1, 10, 60),
        ]
    ):
        deal = register(
            world,
            world.partner_rep,
            submit=True,
            customer_name=f"顧客{n}",
            amount=amount,
            close_date=date.today() + timedelta(days=close_in),
        )
        scored(deal, q=q, v=v, flags=("metrics_undefined", "champion_missing", "pain_not_urgent")[:flags])
        with scopes_disabled():
            Deal.objects.filter(pk=deal.pk).update(registered_at=now - timedelta(days=days_old))
        made.append(deal.pk)
    return made


@pytest.mark.parametrize(
    ("key", "ascending"),
    [
        ("amount", [0, 1, 2]),
        ("quality", [1, 2, 0]),
        ("visibility", [0, 2, 1]),
        ("flags", [0, 2, 1]),
        ("age", [0, 2, 1]),
        ("close_date", [1, 2, 0]),
    ],
)
def test_every_sort_key_in_both_directions(world, client_for, ranked, key, ascending):
    client = client_for(world.channel_manager)
    expected = [ranked[i] for i in ascending]
    response = get(client, sort=key)
    assert ids(response) == expected
    assert ids(get(client, sort=f"-{key}")) == expected[::-1]
    html = response.content.decode()
    assert 'aria-sort="ascending"' in html


def test_default_sort_puts_new_submissions_first_then_most_flags(world, client_for, ranked):
    # The first deal was registered 3 days ago and nobody reviewed it: new, so first and marked, despite no flag.
    response = get(client_for(world.channel_manager))
    assert ids(response) == [ranked[0], ranked[1], ranked[2]]
    assert [deal.is_new for deal in response.context["deals"]] == [True, False, False]
    assert response.content.decode().count(">New</span>") == 1


def test_a_reviewed_submission_is_no_longer_new(world, client_for, ranked):
    with scopes_disabled():
        deal = Deal.objects.get(pk=ranked[0])
    reviewed(deal, ReviewState.QUALIFIED, world.channel_manager)
    assert ids(get(client_for(world.channel_manager))) == [ranked[1], ranked[2], ranked[0]]


def test_unknown_sort_falls_back_to_the_default(world, client_for, ranked):
    response = get(client_for(world.channel_manager), sort="password")
    assert response.status_code == 200
    assert ids(response) == [ranked[0], ranked[1], ranked[2]]


def test_a_deal_opened_from_the_queue_leads_back_and_on(world, client_for, ranked):
    client = client_for(world.channel_manager)
    get(client, sort="-amount")  # the queue as the manager left it: 2, 1, 0

    def page(deal_id):
        return client.get(reverse("deal_detail", kwargs={"vendor_slug": "acme", "deal_id": deal_id}))

    middle = page(ranked[1])
    nav = middle.context["queue_nav"]
    assert (nav.position, nav.total, nav.next_id) == (2, 3, ranked[0])
    html = middle.content.decode()
    assert "Back to the queue" in html and "sort=-amount" in html and "2 of 3 in the queue" in html
    assert page(ranked[0]).context["queue_nav"].next_id is None  # the last one
    with scopes_disabled():
        Deal.objects.filter(pk=ranked[2]).update(phase="won")  # closed deals leave the queue
    assert page(ranked[2]).context["queue_nav"].next_id == ranked[1]  # on to the queue's first


def test_without_the_queue_the_deal_page_has_no_queue_links(world, client_for, ranked):
    response = client_for(world.channel_manager).get(
        reverse("deal_detail", kwargs={"vendor_slug": "acme", "deal_id": ranked[0]})
    )
    assert response.context["queue_nav"] is None and "Back to the queue" not in response.content.decode()


# --- Filters ------------------------------------------------------------------------------------------------------


def test_filter_by_partner(world, client_for, deals):
    client = client_for(world.vendor_admin)
    assert ids(get(client, partner=world.beta.pk)) == [deals["beta"].pk]


def test_filter_by_review_state(world, client_for, deals):
    reviewed(deals["alpha"], ReviewState.QUALIFIED, world.channel_manager)
    client = client_for(world.channel_manager)
    assert ids(get(client, state="qualified")) == [deals["alpha"].pk]
    assert ids(get(client, state="unreviewed")) == [deals["alpha2"].pk]


def test_filter_by_flag(world, client_for, deals):
    scored(deals["alpha"], flags=("champion_missing",))
    scored(deals["alpha2"], flags=("metrics_undefined",))
    assert ids(get(client_for(world.channel_manager), flag="champion_missing")) == [deals["alpha"].pk]


def test_filter_by_forecast_category(world, client_for, deals):
    scored(deals["alpha"], q=70, v=60, forecast="best_case")
    scored(deals["alpha2"], forecast="pipeline")
    assert ids(get(client_for(world.channel_manager), forecast="best_case")) == [deals["alpha"].pk]


def test_search_on_customer_and_title(world, client_for, deals):
    client = client_for(world.channel_manager)
    assert ids(get(client, q="アルファ")) == [deals["alpha"].pk]
    assert ids(get(client, q="在庫")) == [deals["alpha2"].pk]
    assert ids(get(client, q="(株)アルファ顧客")) == [deals["alpha"].pk]


def test_invalid_filter_value_is_reported_and_ignored(world, client_for, deals):
    response = get(client_for(world.channel_manager), state="bogus", q="アルファ")
    assert response.status_code == 200
    assert ids(response) == [deals["alpha"].pk]
    assert response.context["form"].errors["state"]
    assert "is-invalid" in response.content.decode()


@pytest.fixture
def corners(world):
    """Deals on each side of both thresholds (Q 59/60, V 49/50)."""
    made = {}
    for q, v in [(59, 49), (60, 49), (59, 50), (60, 50)]:
        deal = register(world, world.partner_rep, submit=True, customer_name=f"Q{q}V{v}", amount=q * 1000 + v)
        made[(q, v)] = scored(deal, q=q, v=v).pk
    return made


@pytest.mark.parametrize(
    ("quadrant", "corner"),
    [
        ("high_q_high_v", (60, 50)),
        ("high_q_low_v", (60, 49)),
        ("low_q_high_v", (59, 50)),
        ("low_q_low_v", (59, 49)),
    ],
)
def test_quadrant_filter_boundaries(world, client_for, corners, quadrant, corner):
    assert ids(get(client_for(world.channel_manager), quadrant=quadrant)) == [corners[corner]]


# --- CSV ---------------------------------------------------------------------------------------------------------


def read_csv(response):
    text = body(response)
    return list(csv.reader(io.StringIO(text)))


def test_export_columns_and_filters(world, client_for, deals):
    scored(deals["alpha"], q=65, v=55, flags=("champion_missing",), forecast="best_case")
    reviewed(deals["alpha"], ReviewState.QUALIFIED, world.channel_manager)
    client = client_for(world.channel_manager)
    response = get(client, "review_export", scope="all", sort="-amount")
    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    assert rows[0] == [
        "ID",
        "Customer",
        "Deal title",
        "Partner",
        "Owner",
        "Phase",
        "Amount",
        "Quality",
        "Visibility",
        "Quadrant",
        "Flag count",
        "Flags",
        "Forecast category",
        "Review state",
        "Open info requests",
        "Registered",
        "Age (days)",
        "Close date",
    ]
    assert [int(row[0]) for row in rows[1:]] == [deals["beta"].pk, deals["alpha2"].pk, deals["alpha"].pk]
    alpha = rows[3]
    assert alpha[1] == "株式会社アルファ顧客" and alpha[6] == "5000000"
    assert alpha[7:15] == [
        "65",
        "55",
        "Qualified and known",
        "1",
        "No champion",
        "Best case",
        "Qualified",
        "0",
    ]
    filtered = read_csv(get(client, "review_export", state="qualified"))
    assert [int(row[0]) for row in filtered[1:]] == [deals["alpha"].pk]
    by_quadrant = read_csv(get(client, "review_export", scope="all", quadrant="high_q_high_v"))
    assert [int(row[0]) for row in by_quadrant[1:]] == [deals["alpha"].pk]


# --- Query count -------------------------------------------------------------------------------------------------


def _many(world, count):
    for n in range(count):
        deal = register(world, world.partner_rep, submit=True, customer_name=f"会社{n}")
        scored(deal, q=n * 7 % 100, v=n * 13 % 100, flags=("metrics_undefined",) if n % 2 else ())
        if n % 3 == 0:
            reviewed(deal, ReviewState.NEEDS_INFO, world.channel_manager)


@pytest.mark.parametrize("name", [QUEUE, "review_matrix", "review_export"])
def test_constant_number_of_queries(world, client_for, django_assert_max_num_queries, name):
    client = client_for(world.channel_manager)
    _many(world, 2)
    with django_assert_max_num_queries(20) as few:
        assert get(client, name).status_code == 200
    _many(world, 12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert get(client, name).status_code == 200
