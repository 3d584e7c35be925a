"""Reading a long queryset a chunk at a time, in its own order, without a server-side cursor.

``in_chunks`` first reads the primary keys in the queryset's order (one query; eight bytes a row, kept in an
array), then each chunk of rows by key (one query a chunk, plus the queryset's prefetches), and yields them in
that order. Memory holds one chunk of objects whatever the number of rows, every query is an ordinary one that
ends with its transaction (safe behind a transaction-pooling PgBouncer, unlike ``.iterator()``'s named cursors),
and a row deleted between the two steps is simply left out.
"""

from array import array
from collections.abc import Iterator

from django.db.models import QuerySet

CHUNK = 500


def key_chunks(queryset: QuerySet, size: int = CHUNK) -> Iterator[array]:
    """The primary keys of ``queryset`` in its order (one query), ``size`` at a time."""
    keys = array("q", queryset.values_list("pk", flat=True))
    for start in range(0, len(keys), size):
        yield keys[start : start + size]


def in_chunks(queryset: QuerySet, size: int = CHUNK) -> Iterator:
    """Every object of ``queryset`` in its order, ``size`` at a time (see the module)."""
    for chunk in key_chunks(queryset, size):
        yield from by_keys(queryset, chunk)


def by_keys(queryset: QuerySet, keys) -> list:
    """The objects of ``queryset`` whose keys are ``keys``, in that order (one query, plus its prefetches); a
    key no longer in the queryset is left out."""
    found = {obj.pk: obj for obj in queryset.order_by().filter(pk__in=list(keys))}
    return [found[key] for key in keys if key in found]


def batches(queryset: QuerySet, size: int = CHUNK) -> Iterator[list]:
    """``in_chunks`` a list at a time (for rows that need one more query per batch)."""
    batch = []
    for obj in in_chunks(queryset, size):
        batch.append(obj)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def value_batches(queryset: QuerySet, fields: tuple[str, ...], size: int = CHUNK) -> Iterator[list[dict]]:
    """``in_chunks`` as ``queryset.values(*fields)`` rows (``fields`` must name ``pk``), a list at a time: no
    model object is built."""
    rows = queryset.order_by()
    for chunk in key_chunks(queryset, size):
        found = {row["pk"]: row for row in rows.filter(pk__in=list(chunk)).values(*fields)}
        yield [found[key] for key in chunk if key in found]
