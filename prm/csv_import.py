"""Reading CSV files that people export from Excel, for every import (partners, deals).

What a file goes through, in order:

1. :func:`read_upload` reads the uploaded file, refusing anything over a byte limit.
2. :func:`decode_csv` decodes it as UTF-8 (with or without the byte-order mark Excel writes for "CSV UTF-8"),
   then as CP932, the Shift_JIS variant Japanese Excel writes for plain "CSV"; when neither works it names the
   line of the first byte that cannot be decoded.
3. :func:`read_csv` parses it with the csv module (quoted fields, line breaks inside quotes, CRLF), matches the
   header against the expected :class:`CsvColumn` s (in English or Japanese), and returns the rows with the
   line numbers the user sees in Excel (the header is line 1; a record with a line break inside quotes is still
   one line there). Fully empty lines are skipped but still counted.

Problems with the file as a whole raise :class:`CsvFileError` with translated messages that name the line;
problems in one row are collected on that :class:`CsvRow` so the caller can show every one of them at once.
"""

import csv
import io
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# (codec, how the file is described to the user), tried in this order.
ENCODINGS = (
    ("utf-8-sig", gettext_lazy("UTF-8")),
    ("cp932", gettext_lazy("Shift_JIS (CP932)")),
)
UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
ZIP_MAGIC = b"PK\x03\x04"  # .xlsx workbooks are zip files


class CsvFileError(ValidationError):
    """The file as a whole cannot be read; ``messages`` says why, naming the line where there is one."""


# The header key of a column that is recognised but not imported (CsvColumn.ignored).
IGNORED = "__ignored__"


@dataclass(frozen=True)
class CsvColumn:
    """An expected column.

    The header may name it by ``key``, by its ``label`` in any of the site's languages, or by one of
    ``aliases`` (the usual Japanese names, which hold even before a catalog translates the label).
    """

    key: str
    label: str | Promise
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: str | Promise = ""
    # Accepted in the header and dropped (e.g. columns our own CSV export adds), so an export re-imports.
    ignored: bool = False

    def header_names(self) -> set[str]:
        names = {self.key, *self.aliases}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                names.add(str(self.label))
        return {normalize_header(name) for name in names}

    @property
    def other_name(self) -> str:
        """A second accepted header name to show next to the label (not the label itself again)."""
        label = str(self.label)
        return next((alias for alias in self.aliases if alias != label), "")

    @property
    def title(self) -> str:
        return f"{self.label} ({self.key})"


@dataclass
class CsvRow:
    """One non-empty line below the header: its Excel line number and its values by column key."""

    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)


@dataclass
class CsvTable:
    encoding: str
    columns: list[str]
    rows: list[CsvRow]


def normalize_header(text: str) -> str:
    """``Channel_Manager-Email``, ``channel manager email`` and full-width forms all compare equal."""
    text = unicodedata.normalize("NFKC", text.replace("\ufeff", "")).casefold()
    return " ".join(text.replace("_", " ").replace("-", " ").split())


def column_letter(index: int) -> str:
    """Excel's name for a 0-based column index: A, B, …, Z, AA, …"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def at_line(line: int, message: str) -> str:
    return _("Line %(line)s: %(message)s") % {"line": line, "message": message}


def read_upload(upload, *, max_bytes: int) -> bytes:
    """The uploaded file's bytes; reading stops as soon as it exceeds ``max_bytes``."""
    too_large = CsvFileError(
        _("The file is larger than %(limit)s. Split it into smaller files.")
        % {"limit": filesizeformat(max_bytes)},
        code="too_large",
    )
    if upload.size is not None and upload.size > max_bytes:
        raise too_large
    chunks, total = [], 0
    for chunk in upload.chunks():
        total += len(chunk)
        if total > max_bytes:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _line_of(text_before: str) -> int:
    """The Excel line on which the text that follows ``text_before`` sits (quoted line breaks do not count)."""
    # The sentinel makes sure the record holding the position is counted even at the start of a line.
    return sum(1 for _record in csv.reader(io.StringIO(text_before + "x")))


def decode_csv(data: bytes) -> tuple[str, str]:
    """The text and a description of its encoding: UTF-8 (BOM or not), else CP932 as Japanese Excel writes it."""
    if data.startswith(UTF16_BOMS):
        raise CsvFileError(
            _(
                "The file is saved as Unicode text (UTF-16). In Excel, save it as “CSV UTF-8 (comma "
                "delimited)” and upload it again."
            ),
            code="utf16",
        )
    if data.startswith(ZIP_MAGIC):
        raise CsvFileError(
            _(
                "This looks like an Excel workbook, not a CSV file. In Excel, save it as CSV and upload it again."
            ),
            code="workbook",
        )
    failures = []
    for codec, description in ENCODINGS:
        try:
            text = data.decode(codec)
            _refuse_unused_cp932(codec, data, text)
            return text, str(description)
        except UnicodeDecodeError as error:
            failures.append((codec, error))
    codec, error = _likely_failure(data, failures)
    line = _line_of(data[: error.start].decode(codec))
    raise CsvFileError(
        at_line(
            line,
            _(
                "the file is neither UTF-8 nor Shift_JIS (byte 0x%(byte)02X cannot be read). In Excel, save it "
                "as “CSV UTF-8 (comma delimited)” and upload it again."
            )
            % {"byte": data[error.start]},
        ),
        code="encoding",
    )


def _refuse_unused_cp932(codec: str, data: bytes, text: str) -> None:
    """Python's cp932 reads the bytes Shift_JIS never uses (0xA0, 0xFD-0xFF) as private-use characters, so
    a file with stray bytes (invalid UTF-8 such as 0xFF 0xFE) would import as garbage instead of being refused."""
    if codec != "cp932":
        return
    for index, char in enumerate(text):
        if "\uf8f0" <= char <= "\uf8f3":
            start = len(text[:index].encode(codec))
            raise UnicodeDecodeError(codec, data, start, start + 1, "byte unused in Shift_JIS")


def _likely_failure(data: bytes, failures: list[tuple[str, UnicodeDecodeError]]):
    """Which encoding the author meant: UTF-8 when it has a BOM or valid non-ASCII text before the bad byte."""
    utf8, cp932 = failures
    if data.startswith(UTF8_BOM) or not data[: utf8[1].start].isascii():
        return utf8
    return cp932


def _match_header(cells: Sequence[str], columns: Sequence[CsvColumn]) -> list[str | None]:
    """The column key of every header cell (None for a blank cell), or CsvFileError naming every problem."""
    by_name = {name: column for column in columns for name in column.header_names()}
    keys: list[str | None] = []
    problems, seen = [], {}
    for index, cell in enumerate(cells):
        name = normalize_header(cell)
        if not name:
            keys.append(None)
            continue
        column = by_name.get(name)
        if column is None:
            problems.append(
                _("unknown column “%(name)s” (column %(letter)s). Expected columns: %(expected)s.")
                % {
                    "name": cell.strip(),
                    "letter": column_letter(index),
                    "expected": ", ".join(c.key for c in columns if not c.ignored),
                }
            )
            keys.append(None)
            continue
        if column.key in seen:
            problems.append(
                _("the column “%(column)s” appears twice (columns %(first)s and %(second)s).")
                % {
                    "column": column.title,
                    "first": column_letter(seen[column.key]),
                    "second": column_letter(index),
                }
            )
        seen.setdefault(column.key, index)
        keys.append(IGNORED if column.ignored else column.key)
    for column in columns:
        if column.required and column.key not in seen:
            problems.append(_("the required column “%(column)s” is missing.") % {"column": column.title})
    if problems:
        raise CsvFileError([at_line(1, problem) for problem in problems], code="header")
    return keys


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(Excel line, cells) for every record, including empty ones (they still take a line in Excel)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 0
    try:
        for cells in reader:
            line += 1
            yield line, cells
    except csv.Error as error:
        raise CsvFileError(
            at_line(line + 1, _("this line cannot be read as CSV (%(reason)s).") % {"reason": error}),
            code="csv",
        ) from error


def _is_blank(cells: Sequence[str]) -> bool:
    return all(not cell.strip() for cell in cells)


def read_csv(data: bytes, *, columns: Sequence[CsvColumn], max_rows: int) -> CsvTable:
    """Decode and parse an import file: every non-empty row below the header, by column key, with its line.

    Raises CsvFileError for an empty file, an unreadable encoding, a wrong header, no rows, or more than
    ``max_rows`` rows. Surrounding spaces (full-width ones too) are trimmed from every value; missing trailing
    cells count as empty; a value under no header is an error on its row.
    """
    text, encoding = decode_csv(data)
    if "\x00" in text:
        line = _line_of(text[: text.index("\x00")])
        raise CsvFileError(at_line(line, _("the file contains NUL bytes; it is not a CSV file.")), code="nul")
    records = _records(text)
    keys = None
    for _line, cells in records:
        if not _is_blank(cells):
            keys = _match_header(cells, columns)
            break
    if keys is None:
        raise CsvFileError(_("The file is empty."), code="empty")
    rows = []
    for line, cells in records:
        if _is_blank(cells):
            continue
        if len(rows) == max_rows:
            raise CsvFileError(
                at_line(
                    line,
                    _("the file has more than %(max)s rows. Split it into files of at most %(max)s rows.")
                    % {"max": max_rows},
                ),
                code="too_many_rows",
            )
        rows.append(_row(line, cells, keys))
    if not rows:
        raise CsvFileError(_("The file has a header but no rows to import."), code="no_rows")
    return CsvTable(encoding=encoding, columns=[key for key in keys if key and key != IGNORED], rows=rows)


def _row(line: int, cells: Sequence[str], keys: Sequence[str | None]) -> CsvRow:
    row = CsvRow(line=line, values={key: "" for key in keys if key and key != IGNORED})
    for index, cell in enumerate(cells):
        value = cell.strip()
        key = keys[index] if index < len(keys) else None
        if key == IGNORED:
            continue
        if key is not None:
            row.values[key] = value
        elif value:
            row.errors.append(
                _("column %(letter)s has a value but no header.") % {"letter": column_letter(index)}
            )
    return row


def template_header(columns: Sequence[CsvColumn]) -> list[str]:
    """The header of a blank import file, in the current language (any language is accepted back)."""
    return [str(column.label) for column in columns if not column.ignored]


# --- What importers share: typed values, picklists, the preview and the refusal ---------------------------------


def normalize_typed(text: str) -> str:
    """For comparing what people type: NFKC (full-width and half-width forms agree), case-folded, one space."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def choice_lookup(choices, aliases: dict | None = None) -> dict[str, object]:
    """Every accepted spelling of every choice → its value: the code, its label in each language, and
    ``aliases[value]`` (usual names people type)."""
    aliases = aliases or {}
    lookup = {}
    for value, label in choices.choices:
        names = {str(value), *aliases.get(value, ())}
        for code, _language in settings.LANGUAGES:
            with translation.override(code):
                names.add(str(label))
        lookup.update({normalize_typed(name): value for name in names})
    return lookup


def accepted(choices) -> str:
    """The choices as an error message lists them: ``code (label), …``."""
    return ", ".join(f"{value} ({label})" for value, label in choices.choices)


@dataclass
class ImportPreview:
    """What an import would create. ``errors`` are problems with the whole file; rows carry their own."""

    encoding: str = ""
    rows: list = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def rows_with_errors(self) -> list:
        return [row for row in self.rows if row.errors]

    @property
    def error_count(self) -> int:
        return len(self.errors) + sum(len(row.errors) for row in self.rows)

    @property
    def can_import(self) -> bool:
        return bool(self.rows) and self.error_count == 0


class ImportRejected(ValidationError):
    """Nothing was imported; ``preview`` shows every problem, by line."""

    def __init__(self, preview: ImportPreview):
        self.preview = preview
        messages = list(preview.errors) + [
            at_line(row.line, message) for row in preview.rows for message in row.errors
        ]
        super().__init__(messages or [_("There is nothing to import.")])
