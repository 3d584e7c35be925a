"""Importing deals from a CSV file (partner admins): a preview that keeps nothing, then all rows or none.

Every row goes through :func:`deals.services.deal_create`, so an imported deal obeys every rule of the
template and has its history, exactly as if it had been typed in; it starts as a draft of the admin's company.
The preview runs the same creation inside a transaction that is rolled back, so it reports every problem the
real import would meet (the 3-line proposal reason, the corporate number's check digit, won deals dated in the
future…), each with the line number Excel shows.

Columns (:data:`COLUMNS`, header in English or Japanese, any order): the template's answers, an optional
``owner_email`` (an active member of the admin's company; empty: the admin), and optionally each MEDDIC
element's level and evidence. Choices take the code or the label in Japanese or English. The columns only the
deal list's export writes (partner, registration status, dates kept by the system…) are recognised and
ignored, so an exported file imports as it is.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from deals.models import CustomerSize, Deal, Industry, LossType, Phase
from deals.permissions import can_import_deals
from deals.services import deal_create
from meddic.models import ElementCode, Evidence, Level
from partners.models import Membership, User
from prm.csv_export import FORMULA_PREFIXES
from prm.csv_import import (
    CsvColumn,
    CsvFileError,
    CsvRow,
    ImportPreview,
    ImportRejected,
    accepted,
    normalize_typed,
    read_csv,
)
from prm.csv_import import choice_lookup as shared_choice_lookup
from prm.tenancy import Access
from prm.validators import has_line_break

# Japanese names of the elements, for header aliases such as 決裁者レベル or チャンピオンの確度.
ELEMENT_NAMES_JA = {
    ElementCode.METRICS: ("メトリクス", "評価指標", "指標"),
    ElementCode.ECONOMIC_BUYER: ("決裁者", "経済的購買者", "エコノミックバイヤー"),
    ElementCode.DECISION_CRITERIA: ("判断基準", "決定基準", "評価基準"),
    ElementCode.DECISION_PROCESS: ("決定プロセス", "意思決定プロセス", "決裁プロセス"),
    ElementCode.IDENTIFY_PAIN: ("課題", "ペイン", "顧客の課題"),
    ElementCode.CHAMPION: ("チャンピオン", "推進者"),
}
AXIS_NAMES_JA = {"level": ("レベル", "把握度"), "evidence": ("確度", "証跡", "エビデンス")}


def _axis_label(element_label, axis: str) -> str:
    # Formatted when read, in the language active then (headers are matched in every language).
    if axis == "level":
        return _("%(element)s level") % {"element": element_label}
    return _("%(element)s evidence") % {"element": element_label}


_lazy_axis_label = lazy(_axis_label, str)


def _element_columns() -> list[CsvColumn]:
    columns = []
    for code, label in ElementCode.choices:
        for axis in ("level", "evidence"):
            aliases = tuple(
                f"{name}{sep}{word}"
                for word in AXIS_NAMES_JA[axis]
                for name in ELEMENT_NAMES_JA[code]
                for sep in ("", "の", " ")
            )
            columns.append(CsvColumn(f"{code}_{axis}", _lazy_axis_label(label, axis), aliases=aliases))
    return columns


# In the order of the deal list's export (deals.views_list), which writes these same labels.
COLUMNS = (
    CsvColumn("id", gettext_lazy("Deal ID"), ignored=True),
    CsvColumn("partner", gettext_lazy("Partner company"), ignored=True),
    CsvColumn(
        "owner_email",
        gettext_lazy("Owner email"),
        aliases=("担当者メールアドレス", "担当者メール", "担当者", "owner"),
        help=gettext_lazy("An active member of your company. Empty: you."),
    ),
    CsvColumn(
        "customer_name",
        gettext_lazy("Customer name"),
        required=True,
        aliases=("顧客名", "顧客企業名", "お客様名", "会社名", "customer"),
    ),
    CsvColumn(
        "customer_corporate_number",
        gettext_lazy("Corporate number"),
        aliases=("法人番号", "corporate number"),
        help=gettext_lazy("13 digits, optional. Format the column as text in Excel so it keeps every digit."),
    ),
    CsvColumn(
        "customer_industry", gettext_lazy("Industry"), aliases=("業種",), help=gettext_lazy("Code or name.")
    ),
    CsvColumn(
        "customer_size",
        gettext_lazy("Company size"),
        aliases=("企業規模", "従業員規模", "従業員数"),
        help=gettext_lazy("Code or name. Empty: unknown."),
    ),
    CsvColumn("title", gettext_lazy("Deal title"), required=True, aliases=("案件名", "商談名", "件名")),
    CsvColumn(
        "amount",
        gettext_lazy("Amount"),
        required=True,
        aliases=("金額", "見込金額", "受注見込金額", "金額(円)"),
        help=gettext_lazy("Whole yen; separators, ¥ and 円 are fine."),
    ),
    CsvColumn(
        "close_date",
        gettext_lazy("Close date"),
        required=True,
        aliases=("完了予定日", "受注予定日", "クローズ日", "クローズ予定日", "成約予定日"),
        help=gettext_lazy("2026-04-30, 2026/4/30 or 2026年4月30日. Won or lost: the actual date."),
    ),
    CsvColumn(
        "phase",
        gettext_lazy("Phase"),
        required=True,
        aliases=("フェーズ", "商談フェーズ", "ステージ"),
        help=gettext_lazy("Code or name."),
    ),
    CsvColumn(
        "loss_type",
        gettext_lazy("Loss type"),
        aliases=("失注理由", "失注区分", "失注要因"),
        help=gettext_lazy("Required when the phase is lost."),
    ),
    CsvColumn(
        "proposal_reason",
        gettext_lazy("Proposal reason"),
        required=True,
        aliases=("提案理由",),
        help=gettext_lazy("At most 3 lines of at most 60 characters (line breaks inside the cell)."),
    ),
    CsvColumn("registration_status", gettext_lazy("Registration status"), ignored=True),
    CsvColumn("flags", gettext_lazy("Flags"), ignored=True),
    CsvColumn("protected_until", gettext_lazy("Protected until"), ignored=True),
    CsvColumn("registered_at", pgettext_lazy("deal column", "Registered"), ignored=True),
    CsvColumn("closed_at", gettext_lazy("Closed"), ignored=True),
    CsvColumn("version", gettext_lazy("Version"), ignored=True),
    CsvColumn("created_at", pgettext_lazy("deal column", "Created"), ignored=True),
    CsvColumn("updated_at", gettext_lazy("Updated"), ignored=True),
    *_element_columns(),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
TEXT_FIELDS = ("customer_name", "title", "customer_corporate_number", "proposal_reason")
ONE_LINE_FIELDS = ("customer_name", "title", "customer_corporate_number")

# The usual Japanese names of the choices (DESIGN §4), accepted whatever the catalogs translate labels as.
CHOICE_ALIASES = {
    Phase: {
        Phase.INFORMATION_GATHERING: ("情報収集",),
        Phase.PROBLEM_DEFINITION: ("課題整理",),
        Phase.EVALUATION: ("比較検討", "PoC", "評価"),
        Phase.PROPOSAL: ("提案・見積提出", "提案", "見積提出"),
        Phase.PRE_APPROVAL: ("稟議準備(根回し)", "稟議準備", "根回し"),
        Phase.APPROVAL: ("稟議中", "稟議"),
        Phase.INFORMAL_AWARD: ("内示",),
        Phase.WON: ("受注",),
        Phase.LOST: ("失注",),
        Phase.ON_HOLD: ("保留・見送り", "保留"),
    },
    LossType: {
        LossType.COMPETITOR: ("競合負け", "競合"),
        LossType.NO_DECISION: ("見送り",),
        LossType.BUDGET_FROZEN: ("予算凍結",),
        LossType.RINGI_REJECTED: ("稟議否決",),
        LossType.UNKNOWN: ("不明",),
    },
    Industry: {
        Industry.MANUFACTURING: ("製造業", "製造"),
        Industry.FINANCE: ("金融・保険", "金融", "保険"),
        Industry.RETAIL: ("小売・卸売", "小売", "卸売", "流通"),
        Industry.IT_TELECOM: ("IT・通信", "情報通信", "IT"),
        Industry.HEALTHCARE: ("医療・ヘルスケア", "医療", "ヘルスケア"),
        Industry.CONSTRUCTION: ("建設・不動産", "建設", "不動産"),
        Industry.LOGISTICS: ("運輸・物流", "運輸", "物流"),
        Industry.PUBLIC: ("公共", "官公庁", "自治体"),
        Industry.EDUCATION: ("教育",),
        Industry.SERVICES: ("サービス", "サービス業"),
        Industry.OTHER: ("その他",),
    },
    CustomerSize: {
        CustomerSize.UNDER_100: ("100名未満", "100人未満", "〜99名"),
        CustomerSize.FROM_100: ("100〜299名", "100-299名", "100~299名", "100〜299人"),
        CustomerSize.FROM_300: ("300〜999名", "300-999名", "300~999名", "300〜999人"),
        CustomerSize.FROM_1000: ("1,000〜4,999名", "1000〜4999名", "1000-4999名", "1000~4999名"),
        CustomerSize.FROM_5000: ("5,000名以上", "5000名以上", "5000人以上"),
        CustomerSize.UNKNOWN: ("不明",),
    },
    Level: {
        Level.UNKNOWN: ("未把握",),
        Level.HYPOTHESIS: ("仮説",),
        Level.CONFIRMED: ("確認済", "確認済み"),
        Level.AGREED: ("合意・文書化", "合意", "文書化"),
    },
    Evidence: {
        Evidence.UNKNOWN: ("未確認",),
        Evidence.REPORTED: ("パートナー申告", "申告"),
        Evidence.EVIDENCED: ("証跡あり", "証跡"),
        Evidence.VERIFIED: ("ベンダー確認済", "ベンダー確認済み"),
    },
}


normalize = normalize_typed


def choice_lookup(choices) -> dict[str, str | int]:
    """Every accepted spelling of every choice (code, label in each language, usual Japanese names)."""
    return shared_choice_lookup(choices, CHOICE_ALIASES.get(choices, {}))


def choices_help(choices) -> list[tuple[str, str, tuple[str, ...]]]:
    """(code, label, other accepted names) for the column help; the label itself is not repeated."""
    aliases = CHOICE_ALIASES.get(choices, {})
    return [
        (value, label, tuple(alias for alias in aliases.get(value, ()) if alias != str(label)))
        for value, label in choices.choices
    ]


def unneutralise(text: str) -> str:
    """Undo the quote our CSV export puts before a value a spreadsheet would run as a formula."""
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


_DATE_RES = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"),
)
_SCIENTIFIC_RE = re.compile(r"\d(\.\d+)?e\+?\d+", re.IGNORECASE)


def parse_date(text: str) -> date | None:
    """The dates Excel and people write: 2026-04-30, 2026/4/30, 2026.4.30, 2026年4月30日 (None if not one)."""
    text = unicodedata.normalize("NFKC", text).strip()
    for pattern in _DATE_RES:
        match = pattern.fullmatch(text)
        if match:
            try:
                return date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                return None
    return None


def parse_amount(text: str) -> int | None:
    """Whole yen as people write it: 12000000, 12,000,000, ¥12,000,000, 1200万 is not accepted (None)."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[\s,¥\\円]", "", text)
    if not re.fullmatch(r"\d+", text):
        return None
    return int(text)


@dataclass
class DealImportRow:
    """A line of the file: the values as written, what they mean, and what is wrong with them."""

    line: int
    values: dict[str, str]
    fields: dict = field(default_factory=dict)
    meddic: dict[str, dict] = field(default_factory=dict)
    owner: User | None = None
    errors: list[str] = field(default_factory=list)
    # Column keys whose value is wrong, so the preview can mark the cell.
    bad_columns: set[str] = field(default_factory=set)

    def fail(self, column: str, message: str) -> None:
        self.errors.append(message)
        self.bad_columns.add(column)

    def get_phase_display(self) -> str:
        return Phase(self.fields["phase"]).label if self.fields.get("phase") else ""

    def get_loss_type_display(self) -> str:
        return LossType(self.fields["loss_type"]).label if self.fields.get("loss_type") else ""

    @property
    def elements(self) -> list[dict]:
        """Every element's letter of M-E-D-D-I-C, label and imported answers, for the preview."""
        return [
            {
                "letter": letter,
                "label": label,
                "level": self.meddic.get(code, {}).get("level"),
                "evidence": Evidence(self.meddic[code]["evidence"]).label
                if "evidence" in self.meddic.get(code, {})
                else "",
            }
            for letter, (code, label) in zip("MEDDIC", ElementCode.choices, strict=True)
        ]


# One preview and one refusal for every import (``prm.csv_import``), named for this one.
DealImportPreview = ImportPreview
DealImportRejected = ImportRejected


class _Checker:
    """Reads each row's values into deal_create's arguments; lookups are built once for the whole file."""

    def __init__(self, access: Access):
        self.access = access
        self.lookups = {
            name: choice_lookup(choices)
            for name, choices in (
                ("phase", Phase),
                ("loss_type", LossType),
                ("customer_industry", Industry),
                ("customer_size", CustomerSize),
                ("level", Level),
                ("evidence", Evidence),
            )
        }
        self.members = {
            membership.user.email.casefold(): membership.user
            for membership in Membership.objects.filter(
                partner=access.partner, is_active=True
            ).select_related("user")
        }

    def check(self, csv_row: CsvRow) -> DealImportRow:
        row = DealImportRow(line=csv_row.line, values=csv_row.values, errors=list(csv_row.errors))
        values = csv_row.values
        for name in TEXT_FIELDS:
            text = unneutralise(values.get(name, ""))
            if name in ONE_LINE_FIELDS and has_line_break(text):
                row.fail(name, _("%(column)s must be on one line.") % {"column": COLUMN_BY_KEY[name].label})
            if text:
                row.fields[name] = text
        if _SCIENTIFIC_RE.fullmatch(row.fields.get("customer_corporate_number", "")):
            row.fail(
                "customer_corporate_number",
                _(
                    "Excel turned the corporate number into %(value)s and lost digits. Format the column as "
                    "text and type the 13 digits again."
                )
                % {"value": row.fields["customer_corporate_number"]},
            )
        self._amount(row, values.get("amount", ""))
        self._close_date(row, values.get("close_date", ""))
        for name, choices in (
            ("phase", Phase),
            ("loss_type", LossType),
            ("customer_industry", Industry),
            ("customer_size", CustomerSize),
        ):
            found = self._choice(row, name, name, choices, values.get(name, ""))
            if found is not None:
                row.fields[name] = found
        self._owner(row, values.get("owner_email", ""))
        for code in ElementCode.values:
            self._element(row, code, values)
        return row

    def _choice(self, row: DealImportRow, column: str, lookup: str, choices, value: str) -> object | None:
        if not value:
            return None
        found = self.lookups[lookup].get(normalize(value))
        if found is None:
            row.fail(
                column,
                _("%(column)s: unknown value “%(value)s”. Use one of: %(choices)s.")
                % {"column": COLUMN_BY_KEY[column].label, "value": value, "choices": accepted(choices)},
            )
            return None
        return found

    def _amount(self, row: DealImportRow, value: str) -> None:
        if not value:
            return
        amount = parse_amount(value)
        if amount is None:
            row.fail("amount", _("Amount: “%(value)s” is not a whole number of yen.") % {"value": value})
        else:
            row.fields["amount"] = amount

    def _close_date(self, row: DealImportRow, value: str) -> None:
        if not value:
            return
        parsed = parse_date(value)
        if parsed is None:
            row.fail(
                "close_date",
                _("Close date: “%(value)s” is not a date. Write it as 2026-04-30 or 2026/4/30.")
                % {"value": value},
            )
        else:
            row.fields["close_date"] = parsed

    def _owner(self, row: DealImportRow, value: str) -> None:
        email = unicodedata.normalize("NFKC", value).strip()
        if not email:
            return
        row.owner = self.members.get(email.casefold())
        if row.owner is None:
            row.fail(
                "owner_email",
                _("Owner: “%(email)s” is not an active member of %(partner)s.")
                % {"email": email, "partner": self.access.partner.name},
            )

    def _element(self, row: DealImportRow, code: str, values: dict) -> None:
        answers = {}
        level = self._choice(row, f"{code}_level", "level", Level, values.get(f"{code}_level", ""))
        if level is not None:
            answers["level"] = level
        evidence = self._choice(
            row, f"{code}_evidence", "evidence", Evidence, values.get(f"{code}_evidence", "")
        )
        if evidence == Evidence.VERIFIED:
            row.fail(
                f"{code}_evidence",
                _("%(column)s: only the vendor can mark an element as verified; use “%(evidenced)s” at most.")
                % {"column": COLUMN_BY_KEY[f"{code}_evidence"].label, "evidenced": Evidence.EVIDENCED.label},
            )
        elif evidence is not None:
            answers["evidence"] = evidence
        if answers:
            row.meddic[code] = answers


def _column_of(error_key: str) -> str | None:
    """The CSV column of a deal_create error key (``meddic.<element>.<field>`` for elements)."""
    if error_key.startswith("meddic."):
        parts = error_key.split(".")
        return (
            f"{parts[1]}_{parts[2]}"
            if len(parts) == 3 and f"{parts[1]}_{parts[2]}" in COLUMN_BY_KEY
            else None
        )
    if error_key == "owner":
        return "owner_email"
    return error_key if error_key in COLUMN_BY_KEY else None


def _create(access: Access, row: DealImportRow) -> Deal | None:
    """Register the row's deal; on a refused row, its problems are added to the row and nothing is kept."""
    try:
        return deal_create(access=access, fields=row.fields, meddic=row.meddic, owner=row.owner)
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            row.errors.extend(error.messages)
            return None
        for key, messages in error.message_dict.items():
            column = _column_of(key)
            if column in row.bad_columns:
                continue  # already reported as unreadable; the rule's message would only repeat it
            for message in messages:
                if column is None:
                    row.errors.append(message)
                elif COLUMN_BY_KEY[column].required and message == _("This field is required."):
                    row.fail(column, _("%(column)s is missing.") % {"column": COLUMN_BY_KEY[column].label})
                else:
                    row.fail(column, f"{COLUMN_BY_KEY[column].label}: {message}")
    except PermissionDenied as error:
        row.errors.append(str(error) or _("You may not register this deal."))
    return None


def _run(access: Access, data: bytes, *, keep: bool, progress=None) -> tuple[DealImportPreview, list[Deal]]:
    """Read the file and register every row inside one transaction; it is kept only when ``keep`` is set and
    every row succeeded. ``progress(done, total)`` hears how far the registration got."""
    if not can_import_deals(access):
        raise PermissionDenied
    try:
        table = read_csv(data, columns=COLUMNS, max_rows=settings.DEAL_IMPORT_MAX_ROWS)
    except CsvFileError as error:
        return DealImportPreview(errors=error.messages), []
    checker = _Checker(access)
    preview = DealImportPreview(encoding=table.encoding, rows=[checker.check(row) for row in table.rows])
    created = []
    total = len(preview.rows)
    with transaction.atomic():
        for done, row in enumerate(preview.rows, start=1):
            # A row with a value that cannot be read is still registered without it, so the preview shows
            # the template's rules for the rest of the row too; the row cannot be imported either way.
            deal = _create(access, row)
            if deal is not None:
                created.append(deal)
            if progress is not None:
                progress(done, total)
        if not (keep and preview.can_import):
            transaction.set_rollback(True)
    return preview, created if keep and preview.can_import else []


def deal_import_preview(*, access: Access, data: bytes, progress=None) -> DealImportPreview:
    """Check an import file without keeping anything: the rows as they would be registered, every problem by
    line (the registration runs and is rolled back, so every rule of the template is checked)."""
    preview, _created = _run(access, data, keep=False, progress=progress)
    return preview


def deal_import(*, access: Access, data: bytes, progress=None) -> list[Deal]:
    """Register a deal for every row of the file, or none at all (one transaction).

    The file is checked again now; if any line fails, DealImportRejected carries the preview with the
    problems and nothing is written.
    """
    preview, created = _run(access, data, keep=True, progress=progress)
    if not preview.can_import:
        raise DealImportRejected(preview)
    return created
