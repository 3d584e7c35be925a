"""Long exports read their rows a chunk at a time in the list's own order, with the same queries per chunk
whatever the number of rows, and without a server-side cursor."""

import pytest
from django.db import connection
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from deals.models import Deal
from meddic.models import MeddicElement
from prm.chunks import batches, in_chunks, value_batches
from prm.tenancy import vendor_scope
from tests.deals.conftest import register

pytestmark = pytest.mark.django_db


def deals(world, count):
    made = [register(world, world.partner_rep, customer_name=f"順番{n:02d}社") for n in range(count)]
    with scopes_disabled():
        for n, deal in enumerate(made):
            Deal.objects.filter(pk=deal.pk).update(amount=(n * 7) % 5 * 1000 + n)
    return made


def queryset():
    return Deal.objects.order_by("-amount", "pk").prefetch_related(
        Prefetch("elements", queryset=MeddicElement.objects.order_by("code"))
    )


def test_rows_come_in_the_querysets_order_across_chunk_boundaries(world):
    deals(world, 7)
    with vendor_scope(world.acme):
        expected = [(d.pk, len(d.elements.all())) for d in queryset()]
        got = [(d.pk, len(d.elements.all())) for d in in_chunks(queryset(), size=3)]
        sizes = [len(batch) for batch in batches(queryset(), size=3)]
    assert got == expected and len(got) == 7
    assert {elements for _pk, elements in got} == {6}
    assert sizes == [3, 3, 1]


def test_queries_per_chunk_do_not_grow_and_no_cursor_is_named(world):
    deals(world, 4)

    def count(size):
        with vendor_scope(world.acme), CaptureQueriesContext(connection) as queries:
            list(in_chunks(queryset(), size=size))
        return queries.captured_queries

    one_chunk = count(10)
    assert len(one_chunk) == 3  # the keys, one chunk, its elements
    deals(world, 6)
    assert len(count(10)) == 3
    assert len(count(5)) == 5
    assert not [q for q in one_chunk if "DECLARE" in q["sql"].upper()]


def test_a_row_deleted_meanwhile_is_left_out(world):
    deals(world, 3)
    with vendor_scope(world.acme):
        order = [d.pk for d in queryset()]
        rows = in_chunks(queryset(), size=1)
        assert next(rows).pk == order[0]
        with scopes_disabled():
            Deal.objects.filter(pk=order[1]).delete()
        rest = [d.pk for d in rows]
    assert rest == [order[2]]


def test_value_batches_read_values_in_the_querysets_order_two_queries_a_chunk(world):
    deals(world, 7)
    with vendor_scope(world.acme):
        expected = list(queryset().values_list("pk", "amount"))
        with CaptureQueriesContext(connection) as queries:
            got = list(value_batches(queryset(), ("pk", "amount"), size=3))
    assert [[(row["pk"], row["amount"]) for row in batch] for batch in got] == [
        expected[0:3],
        expected[3:6],
        expected[6:7],
    ]
    assert len(queries) == 1 + 3  # the keys, then one query a chunk (prefetches are not values)
