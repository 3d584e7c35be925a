"""How ``bench.seed`` gets its rows into the database: ``COPY`` on PostgreSQL, batched inserts elsewhere.

Ids of deals and elements are given by the seed (child rows and audit entries name them), so the writer first
reserves a block of ids for the whole run: on PostgreSQL it moves the table's sequence past the block under a
lock, so that nothing else takes an id inside it meanwhile. Other tables take their ids from their sequences.

Rows are turned into what the database takes (CSV bytes for ``COPY``) by :meth:`Writer.prepare`, called in the
thread that generates them, so the database loads one chunk while the next is generated.

On PostgreSQL, a superuser loads with ``session_replication_role = replica``: the rows are consistent by
construction, and checking tens of millions of foreign keys one row at a time would take longer than everything
else (``pg_restore --disable-triggers`` loads the same way). Maintaining the secondary indexes row by row costs
most of the rest (three quarters of the database's work and of the WAL it writes), so a load that at least
doubles the deals runs as one transaction that drops the tables' secondary indexes (not the primary keys and
unique constraints), loads, and creates the same indexes again before committing: the load is all or nothing,
and other sessions wait for it. Smaller top-ups, and loads by other roles, keep the indexes and commit chunk by
chunk.
"""

import contextlib
import csv
import io
import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator

from django.db import connection, transaction
from django.db.models import JSONField

COPY_READ_SIZE = 1 << 20
# Memory for sorting while creating the indexes again (per transaction; the machine has it during a load).
INDEX_BUILD_MEMORY = "512MB"


def _columns(model, fields: tuple[str, ...]) -> list:
    return [model._meta.get_field(name) for name in fields]


class Writer(ABC):
    """Writes chunks of rows: ``tables`` are (model, fields, rows) in the order they are written."""

    @abstractmethod
    def reserve(self, model, count: int) -> int:
        """The first of ``count`` consecutive ids of ``model`` that nothing else will take."""

    @contextlib.contextmanager
    def loading(self, models, *, large: bool, say: Callable[[str], None]) -> Iterator[None]:
        """Around all the chunks of one run; ``large`` when the run at least doubles the data."""
        yield

    @abstractmethod
    def prepare(self, tables: list[tuple]) -> list:
        """The chunk as this writer loads it (called in the generating thread)."""

    @abstractmethod
    def write(self, prepared: list) -> None:
        """Load a prepared chunk."""


class CopyWriter(Writer):
    """PostgreSQL: ``COPY … FROM STDIN`` in CSV; blank text stays blank, empty dates and times are NULL."""

    def __init__(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('is_superuser') = 'on'")
            self.superuser = cursor.fetchone()[0]

    def reserve(self, model, count: int) -> int:
        table = model._meta.db_table
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute(
                f"SELECT GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), "  # noqa: S608
                f"(SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM {sequence}))"
            )
            first = cursor.fetchone()[0] + 1
            if count:
                cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
        return first

    @contextlib.contextmanager
    def loading(self, models, *, large: bool, say: Callable[[str], None]) -> Iterator[None]:
        if not (large and self.superuser):
            yield
            return
        tables = [model._meta.db_table for model in models]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'")
            cursor.execute(
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
                "WHERE indrelid = ANY(%s::regclass[]) AND NOT indisunique AND NOT indisprimary "
                "ORDER BY indrelid, indexrelid",
                [tables],
            )
            indexes = cursor.fetchall()
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {name}")
            yield
            say(f"creating {len(indexes)} indexes again")
            for _name, definition in indexes:
                cursor.execute(definition)

    def prepare(self, tables: list[tuple]) -> list:
        prepared = []
        for model, fields, rows in tables:
            if not rows:
                continue
            columns = _columns(model, fields)
            text = io.StringIO()
            csv.writer(text, lineterminator="\n").writerows(rows)
            # Bytes: the database connection then sends them as they are, without encoding them itself.
            buffer = io.BytesIO(text.getvalue().encode())
            names = ", ".join(column.column for column in columns)
            texts = ", ".join(
                column.column
                for column in columns
                if column.get_internal_type() in ("CharField", "TextField")
            )
            force = f", FORCE_NOT_NULL ({texts})" if texts else ""
            sql = f"COPY {model._meta.db_table} ({names}) FROM STDIN WITH (FORMAT csv{force})"
            prepared.append((sql, buffer))
        return prepared

    def write(self, prepared: list) -> None:
        """One transaction per chunk (a savepoint inside a large load's transaction)."""
        with transaction.atomic(), connection.cursor() as cursor:
            if self.superuser:
                cursor.execute("SET LOCAL session_replication_role = replica")
            for sql, buffer in prepared:
                cursor.copy_expert(sql, buffer, size=COPY_READ_SIZE)


class InsertWriter(Writer):
    """Any other database: parameterised inserts in batches, one transaction per chunk, values prepared by the
    model fields (JSON columns arrive as JSON text, as ``COPY`` takes them)."""

    def reserve(self, model, count: int) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")  # noqa: S608
            return cursor.fetchone()[0] + 1

    def prepare(self, tables: list[tuple]) -> list:
        return tables

    def write(self, prepared: list) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            for model, fields, rows in prepared:
                self.insert(cursor, model, fields, rows)

    def insert(self, cursor, model, fields, rows) -> None:
        columns = _columns(model, fields)
        names = ", ".join(connection.ops.quote_name(column.column) for column in columns)
        marks = ", ".join(["%s"] * len(columns))
        table = connection.ops.quote_name(model._meta.db_table)
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
        prepared = [
            [
                column.get_db_prep_save(
                    json.loads(value) if isinstance(column, JSONField) else value, connection
                )
                for column, value in zip(columns, row, strict=True)
            ]
            for row in rows
        ]
        for offset in range(0, len(prepared), 500):
            cursor.executemany(sql, prepared[offset : offset + 500])


def writer_for_connection() -> Writer:
    return CopyWriter() if connection.vendor == "postgresql" else InsertWriter()


def analyze(models) -> None:
    """Fresh planner statistics for the tables just loaded (PostgreSQL; SQLite plans without them here)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(model._meta.db_table for model in models))
