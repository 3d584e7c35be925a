"""The Q × V matrix: quadrant boundaries, counts and totals in one aggregate, the top deals and queue links."""

import pytest
from django.urls import reverse

from meddic import queue
from prm.tenancy import vendor_scope
from tests.conftest import access_of
from tests.deals.conftest import register
from tests.meddic.test_queue import get, reviewed, scored


@pytest.fixture
def corners(world):
    made = {}
    for q, v, amount in [
        (59, 49, 1_000),
        (60, 49, 2_000),
        (59, 50, 3_000),
        (60, 50, 4_000),
        (100, 100, 6_000),
    ]:
        deal = register(world, world.partner_rep, submit=True, customer_name=f"Q{q}V{v}", amount=amount)
        made[(q, v)] = scored(deal, q=q, v=v)
    return made


def test_thresholds_are_the_best_case_gate():
    assert (queue.QUALITY_THRESHOLD, queue.VISIBILITY_THRESHOLD) == (60, 50)


def test_quadrant_boundaries_counts_and_totals(world, client_for, corners):
    response = get(client_for(world.channel_manager), "review_matrix")
    assert response.status_code == 200
    cells = {cell["quadrant"].code: cell for row in response.context["rows"] for cell in row}
    assert {code: (cell["count"], cell["amount"]) for code, cell in cells.items()} == {
        "high_q_high_v": (2, 10_000),
        "high_q_low_v": (1, 2_000),
        "low_q_high_v": (1, 3_000),
        "low_q_low_v": (1, 1_000),
    }
    assert [deal.pk for deal in cells["high_q_high_v"]["top"]] == [
        corners[(100, 100)].pk,
        corners[(60, 50)].pk,
    ]
    assert response.context["total_count"] == 5
    assert (
        response.context["rows"][0][0]["quadrant"].code == "high_q_low_v"
    )  # high Q on top, low V on the left


def test_counts_and_sums_take_one_query(world, corners, django_assert_num_queries):
    with vendor_scope(world.acme):
        deals = queue.queue_base(access_of(world.channel_manager, world.acme))
        with django_assert_num_queries(1):
            totals = queue.quadrant_totals(deals)
        # The ranking (keys only), the deals ranked, and their partners and owners.
        with django_assert_num_queries(4):
            top = queue.quadrant_top(deals)
    assert totals["low_q_low_v"] == {"count": 1, "amount": 1_000}
    assert [len(top[code]) for code in queue.QUADRANTS] == [2, 1, 1, 1]


def test_top_five_by_amount(world):
    amounts = [1_000 * n for n in range(1, 8)]
    for amount in amounts:
        scored(register(world, world.partner_rep, submit=True, customer_name=f"顧客{amount}", amount=amount))
    with vendor_scope(world.acme):
        top = queue.quadrant_top(queue.queue_base(access_of(world.channel_manager, world.acme)))
    assert [deal.amount for deal in top["low_q_low_v"]] == sorted(amounts, reverse=True)[:5]


def test_links_open_the_queue_filtered_by_quadrant_keeping_the_filters(world, client_for, corners):
    reviewed(corners[(60, 49)], "qualified", world.channel_manager)
    response = get(client_for(world.vendor_admin), "review_matrix", state="qualified")
    html = response.content.decode()
    queue_url = reverse("review_queue", kwargs={"vendor_slug": "acme"})
    assert f"{queue_url}?state=qualified&amp;scope=all&amp;quadrant=high_q_low_v" in html
    cells = {cell["quadrant"].code: cell["count"] for row in response.context["rows"] for cell in row}
    assert cells == {"high_q_high_v": 0, "high_q_low_v": 1, "low_q_high_v": 0, "low_q_low_v": 0}


def test_scope_toggle(world, client_for, corners):
    scored(register(world, world.beta_rep, submit=True, customer_name="別会社"), q=0, v=0)
    client = client_for(world.channel_manager)
    assert get(client, "review_matrix").context["total_count"] == 5
    assert get(client, "review_matrix", scope="all").context["total_count"] == 6


def test_matrix_ignores_a_quadrant_parameter(world, client_for, corners):
    response = get(client_for(world.channel_manager), "review_matrix", quadrant="low_q_low_v")
    assert response.context["total_count"] == 5


def test_japanese_labels(world, client_for, corners):
    client = client_for(world.channel_manager)
    response = client.get(
        reverse("review_matrix", kwargs={"vendor_slug": "acme"}), headers={"accept-language": "ja"}
    )
    assert response.status_code == 200
