"""CSV downloads that open cleanly in Excel, cannot smuggle formulas, and stream.

The body is written row by row as the client reads it (``StreamingHttpResponse``): memory stays flat whatever the
number of rows, and the first bytes leave at once. The rows are read after the view has returned, so the caller's
tenant scope (django-scopes, and with it PostgreSQL's row-level security) and language are taken along and entered
again while the body is produced.
"""

import csv
import functools
from collections.abc import Iterable, Iterator, Sequence

from django.http import StreamingHttpResponse
from django.utils import translation
from django_scopes import scope
from django_scopes.state import get_scope

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(FORMULA_PREFIXES)


def safe_cell(value) -> str:
    """Neutralise cells that a spreadsheet would run as a formula (CSV injection) by prefixing a quote."""
    if value is None:
        return ""
    text = value if type(value) is str else str(value)
    return f"'{text}" if text[:1] in _FORMULA_FIRST else text


def unneutralise(text: str) -> str:
    """Undo :func:`safe_cell`'s quote when one of our exports is imported again."""
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


@functools.cache
def _labels(model, field: str, language: str | None) -> dict:
    with translation.override(language):
        return {value: str(label) for value, label in model._meta.get_field(field).flatchoices}


def choice_labels(model, field: str) -> dict:
    """``{value: label}`` of ``model``'s choice ``field`` in the current language (made once per language)."""
    return _labels(model, field, translation.get_language())


def choice_label(obj, field: str) -> str:
    """``obj.get_<field>_display()`` from a table made once per field and language: an export of many rows
    resolves each label once, not once a row."""
    value = getattr(obj, field)
    return choice_labels(type(obj), field).get(value, "" if value is None else str(value))


class _Line:
    """What ``csv.writer`` writes to: it hands each formatted line back instead of keeping it."""

    def write(self, text: str) -> str:
        return text


def csv_lines(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """The file's text, line by line: a byte-order mark (Excel then reads Japanese as UTF-8), the header, the rows."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])


# The body leaves in blocks of about this many characters: one write to the client per block, not per line.
BLOCK_CHARS = 64 * 1024


def in_blocks(lines: Iterable[str], size: int = BLOCK_CHARS) -> Iterator[str]:
    """``lines`` joined into blocks of at least ``size`` characters (the last one shorter)."""
    block, length = [], 0
    for line in lines:
        block.append(line)
        length += len(line)
        if length >= size:
            yield "".join(block)
            block, length = [], 0
    if block:
        yield "".join(block)


def _as_in_the_view(lines: Iterator[str], state: dict, language: str | None) -> Iterator[str]:
    with scope(**state), translation.override(language):
        yield from in_blocks(lines)


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> StreamingHttpResponse:
    """A CSV download streamed as it is read, in the tenant scope and the language the view ran in."""
    lines = _as_in_the_view(csv_lines(header, rows), get_scope(), translation.get_language())
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
