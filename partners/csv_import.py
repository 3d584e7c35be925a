"""Importing partner companies from a CSV file: a preview that writes nothing, then all rows or none.

Columns (header in English or Japanese, see :data:`COLUMNS`): ``name`` (required), ``tier``, ``status``,
``channel_manager_email``, ``contact_email``. Tier and status take the code or its label in Japanese or English
(``gold``, ``Gold``, ``ゴールド``); empty means ``registered`` and ``invited``.
"""

import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.models import PartnerCompany, PartnerStatus, Tier, User
from partners.permissions import can_onboard_partners
from partners.selectors import channel_manager_choices
from partners.services import partner_create
from prm.csv_export import unneutralise
from prm.csv_import import (
    CsvColumn,
    CsvFileError,
    CsvRow,
    ImportPreview,
    ImportRejected,
    accepted,
    choice_lookup,
    normalize_typed,
    read_csv,
)
from prm.tenancy import Access

COLUMNS = (
    CsvColumn(
        "name",
        gettext_lazy("Company name"),
        required=True,
        aliases=("会社名", "企業名", "パートナー名", "パートナー企業名", "company"),
        help=gettext_lazy("Must be new in this vendor and appear once in the file."),
    ),
    CsvColumn(
        "tier",
        gettext_lazy("Tier"),
        aliases=("ティア", "ランク", "パートナーランク"),
        help=gettext_lazy("Code or name. Empty: Registered."),
    ),
    CsvColumn(
        "status",
        gettext_lazy("Status"),
        aliases=("ステータス", "状態"),
        help=gettext_lazy("Code or name. Empty: Invited."),
    ),
    CsvColumn(
        "channel_manager_email",
        gettext_lazy("Channel manager email"),
        aliases=(
            "チャネルマネージャー",
            "チャネルマネージャーのメールアドレス",
            "チャネルマネージャーメールアドレス",
            "担当チャネルマネージャー",
            "channel manager",
        ),
        help=gettext_lazy("Email address of a channel manager or vendor admin of this vendor."),
    ),
    CsvColumn(
        "contact_email",
        gettext_lazy("Contact email"),
        aliases=("連絡先メールアドレス", "連絡先メール", "連絡先"),
        help=gettext_lazy("The partner's contact email address."),
    ),
    # Columns of the partner list's CSV export, so that an exported file can be imported as it is.
    CsvColumn("active_users", gettext_lazy("Active users"), ignored=True),
    CsvColumn("onboarding", gettext_lazy("Onboarding"), ignored=True),
    CsvColumn("created", gettext_lazy("Created"), ignored=True),
)

# The usual Japanese names, accepted whatever the catalogs translate the labels as.
CHOICE_ALIASES = {
    Tier.PLATINUM: ("プラチナ",),
    Tier.GOLD: ("ゴールド",),
    Tier.SILVER: ("シルバー",),
    Tier.REGISTERED: ("登録", "登録済み", "登録パートナー", "レジスタード"),
    PartnerStatus.INVITED: ("招待中", "招待済み"),
    PartnerStatus.ONBOARDING: ("オンボーディング", "オンボーディング中"),
    PartnerStatus.ACTIVE: ("有効", "稼働中", "アクティブ"),
    PartnerStatus.SUSPENDED: ("停止", "停止中", "一時停止"),
}
NAME_MAX_LENGTH = PartnerCompany._meta.get_field("name").max_length


normalize = normalize_typed


def name_key(name: str) -> str:
    """Two company names are the same company when they differ only in width, case or spaces."""
    return "".join(normalize(name).split())


@dataclass
class PartnerImportRow:
    """A line of the file: the values as written, what they mean, and what is wrong with them."""

    line: int
    values: dict[str, str]
    name: str = ""
    tier: str = Tier.REGISTERED
    status: str = PartnerStatus.INVITED
    channel_manager: User | None = None
    contact_email: str = ""
    errors: list[str] = field(default_factory=list)
    # Column keys whose value is wrong, so the preview can mark the cell.
    bad_columns: set[str] = field(default_factory=set)

    def fail(self, column: str, message: str) -> None:
        self.errors.append(message)
        self.bad_columns.add(column)

    def get_tier_display(self) -> str:
        return Tier(self.tier).label

    def get_status_display(self) -> str:
        return PartnerStatus(self.status).label


# One preview and one refusal for every import (``prm.csv_import``), named for this one.
PartnerImportPreview = ImportPreview
PartnerImportRejected = ImportRejected


class _Checker:
    """Validates rows against the vendor's partners and staff, loaded once for the whole file."""

    def __init__(self, access: Access):
        self.tiers = choice_lookup(Tier, CHOICE_ALIASES)
        self.statuses = choice_lookup(PartnerStatus, CHOICE_ALIASES)
        self.managers = {user.email.casefold(): user for user in channel_manager_choices(access)}
        self.existing = {
            name_key(name): name for name in PartnerCompany.objects.values_list("name", flat=True)
        }
        self.seen: dict[str, int] = {}

    def check(self, csv_row: CsvRow) -> PartnerImportRow:
        values = csv_row.values
        row = PartnerImportRow(line=csv_row.line, values=values, errors=list(csv_row.errors))
        self._name(row, unneutralise(values.get("name", "")))
        self._tier(row, values.get("tier", ""))
        self._status(row, values.get("status", ""))
        self._channel_manager(row, values.get("channel_manager_email", ""))
        self._contact_email(row, values.get("contact_email", ""))
        return row

    def _name(self, row: PartnerImportRow, name: str) -> None:
        row.name = name
        if not name:
            row.fail("name", _("The company name is missing."))
            return
        if len(name) > NAME_MAX_LENGTH:
            row.fail(
                "name", _("The company name is longer than %(max)s characters.") % {"max": NAME_MAX_LENGTH}
            )
        if any(unicodedata.category(char) == "Cc" for char in name):
            row.fail("name", _("The company name must be on one line."))
        key = name_key(name)
        if key in self.existing:
            row.fail("name", _("A partner named “%(name)s” already exists.") % {"name": self.existing[key]})
        if key in self.seen:
            row.fail(
                "name", _("The same company name is already on line %(line)s.") % {"line": self.seen[key]}
            )
        else:
            self.seen[key] = row.line

    def _tier(self, row: PartnerImportRow, value: str) -> None:
        if not value:
            return
        found = self.tiers.get(normalize(value))
        if found is None:
            row.fail(
                "tier",
                _("Unknown tier “%(value)s”. Use one of: %(choices)s.")
                % {"value": value, "choices": accepted(Tier)},
            )
        else:
            row.tier = found

    def _status(self, row: PartnerImportRow, value: str) -> None:
        if not value:
            return
        found = self.statuses.get(normalize(value))
        if found is None:
            row.fail(
                "status",
                _("Unknown status “%(value)s”. Use one of: %(choices)s.")
                % {"value": value, "choices": accepted(PartnerStatus)},
            )
        else:
            row.status = found

    def _channel_manager(self, row: PartnerImportRow, value: str) -> None:
        email = unicodedata.normalize("NFKC", value).strip()
        if not email:
            return
        row.channel_manager = self.managers.get(email.casefold())
        if row.channel_manager is None:
            row.fail(
                "channel_manager_email",
                _("“%(email)s” is not a channel manager of this vendor.") % {"email": email},
            )

    def _contact_email(self, row: PartnerImportRow, value: str) -> None:
        row.contact_email = unicodedata.normalize("NFKC", value).strip()
        if not row.contact_email:
            return
        try:
            validate_email(row.contact_email)
        except ValidationError:
            row.fail(
                "contact_email",
                _("“%(email)s” is not a valid contact email address.") % {"email": row.contact_email},
            )


def partner_import_preview(*, access: Access, data: bytes, progress=None) -> PartnerImportPreview:
    """Read and check an import file without writing anything: the rows as they would be created, every
    problem by line. A row is refused for an unknown tier or status, a malformed email, a channel manager
    who is not vendor staff here, or a name that already exists in the vendor or earlier in the file
    (compared ignoring width, case and spaces)."""
    if not can_onboard_partners(access):
        raise PermissionDenied
    try:
        table = read_csv(data, columns=COLUMNS, max_rows=settings.PARTNER_IMPORT_MAX_ROWS)
    except CsvFileError as error:
        return PartnerImportPreview(errors=error.messages)
    checker = _Checker(access)
    return PartnerImportPreview(encoding=table.encoding, rows=[checker.check(row) for row in table.rows])


def partner_import(*, access: Access, data: bytes, progress=None) -> list[PartnerCompany]:
    """Create a partner for every row of the file, or none at all.

    The file is checked again now (someone may have added a partner since the preview); if any line fails,
    PartnerImportRejected carries the preview with the problems and nothing is written.
    """
    preview = partner_import_preview(access=access, data=data)
    if not preview.can_import:
        raise PartnerImportRejected(preview)
    row = preview.rows[0]
    try:
        with transaction.atomic():
            created = []
            for done, row in enumerate(preview.rows, start=1):
                if progress is not None:
                    progress(done, len(preview.rows))
                created.append(
                    partner_create(
                        access=access,
                        name=row.name,
                        tier=row.tier,
                        status=row.status,
                        channel_manager=row.channel_manager,
                        contact_email=row.contact_email,
                    )
                )
    except ValidationError as error:
        row.errors.extend(error.messages)
        raise PartnerImportRejected(preview) from error
    except IntegrityError as error:
        # A partner of the same name was committed by someone else between the check and the insert.
        row.errors.append(_("A partner with this name was just created by someone else."))
        raise PartnerImportRejected(preview) from error
    return created
