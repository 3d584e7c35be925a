"""Writing one vendor's archive (``manage.py export_vendor``).

Carried: the vendor row, every row of every archived model (:mod:`.registry`), the uploaded files those rows name,
and the users the rows point to. Users are global accounts, so only those a row of this vendor names go along
(its members, and whoever else a row names, e.g. the author of an old entry): members with their password hash,
active flag, dates and verified email addresses; anyone else with email and name only, so no one gains a login
through another vendor's archive. Never carried: API tokens, second factors, sessions, platform permissions
(see ``registry.USER_EXCLUDED``).
"""

import json
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

from partners.archive import FORMAT, FORMAT_VERSION, ArchiveError, bundle, registry
from partners.archive.rows import RowCodec, plain
from partners.models import Membership, Vendor
from prm.tenancy import vendor_scope

USER_FIELDS = ("id", "email", "name", "password", "is_active", "date_joined", "last_login")
EMAIL_FIELDS = ("user", "email", "verified", "primary")
CHUNK = 2000


def app_version() -> str:
    try:
        return metadata.version("partner-meddic")
    except metadata.PackageNotFoundError:
        return "unknown"


def _write_jsonl(path: Path, rows) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n")
            count += 1
    return count


def _user_ids(vendor: Vendor, items: list[registry.ArchivedModel]) -> tuple[set[int], set[int]]:
    """(members of the vendor, every user a row of the vendor names)."""
    members = set(Membership.objects.filter(vendor=vendor).values_list("user_id", flat=True))
    named = set(members)
    for item in items:
        for field in registry.user_fields(item.model):
            values = item.rows(vendor).order_by().exclude(**{field.attname: None})
            named.update(values.values_list(field.attname, flat=True).distinct())
        if item.label in registry.USER_ID_TEXT:
            column, selector, value = registry.USER_ID_TEXT[item.label]
            texts = item.rows(vendor).order_by().filter(**{selector: value}).values_list(column, flat=True)
            named.update(int(text) for text in texts.distinct() if text.isdigit())
    return members, named


def _user_rows(members: set[int], named: set[int]):
    users = get_user_model()._base_manager.filter(pk__in=named).order_by("email")
    for values in users.values_list(*USER_FIELDS).iterator(chunk_size=CHUNK):
        row = {name: plain(value) for name, value in zip(USER_FIELDS, values, strict=True)}
        if row["id"] not in members:
            row.update(password=None, is_active=False, last_login=None)
        yield row


def _email_rows(members: set[int]):
    addresses = EmailAddress.objects.filter(user__in=members).order_by("user__email", "email")
    for email, address, verified, primary in addresses.values_list(
        "user__email", "email", "verified", "primary"
    ):
        yield dict(zip(EMAIL_FIELDS, (email, address, verified, primary), strict=True))


def _file_fields(model) -> list[models.FileField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]


def _copy_files(vendor, items, staging: Path, progress) -> list[str]:
    """Copy every file a row names into ``files/``; returns the names missing from the storage."""
    missing = []
    for item in items:
        for field in _file_fields(item.model):
            names = item.rows(vendor).exclude(**{field.attname: ""}).values_list(field.attname, flat=True)
            for name in names.iterator(chunk_size=CHUNK):
                if not bundle.safe_name(name) or not field.storage.exists(name):
                    missing.append(name)
                    progress(f"  missing file {name} ({item.label} {field.name}): the row is kept without it")
                    continue
                with field.storage.open(name, "rb") as source:
                    bundle.copy_into(source, staging / "files" / name)
    return sorted(missing)


def vendor_export(*, vendor: Vendor, path: Path, progress: Callable[[str], None] = lambda line: None) -> dict:
    """Write ``vendor``'s archive to ``path`` (nothing is left at ``path`` on failure) and return its manifest."""
    found = registry.problems()
    if found:
        raise ArchiveError("The archive would leave data behind: " + "; ".join(found))
    items = registry.archived_models()
    created = timezone.now()
    counts: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="prm-export-") as tmp, vendor_scope(vendor):
        staging = Path(tmp)
        data = staging / "data"

        def write(label: str, fields, rows) -> None:
            counts[label] = {"rows": _write_jsonl(data / f"{label}.jsonl", rows), "fields": list(fields)}
            progress(f"{label}: {counts[label]['rows']}")

        members, named = _user_ids(vendor, items)
        emails = dict(get_user_model()._base_manager.filter(pk__in=named).values_list("pk", "email"))
        vendor_codec = RowCodec(Vendor, [], {})
        vendor_row = Vendor.objects.filter(pk=vendor.pk).values_list(*vendor_codec.attnames).get()
        write(Vendor._meta.label, [f.name for f in vendor_codec.fields], [vendor_codec.encode(vendor_row)])
        write(get_user_model()._meta.label, USER_FIELDS, _user_rows(members, named))
        write(EmailAddress._meta.label, EMAIL_FIELDS, _email_rows(members))
        for item in items:
            codec = RowCodec(item.model, registry.user_fields(item.model), emails)
            values = item.rows(vendor).values_list(*codec.attnames).iterator(chunk_size=CHUNK)
            write(item.label, [f.name for f in codec.fields], (codec.encode(v) for v in values))
        missing = _copy_files(vendor, items, staging, progress)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "vendor": vendor.slug,
            "created_at": created.isoformat(),
            "app_version": app_version(),
            "models": counts,
            "missing_files": missing,
        }
        return bundle.write(path, staging, manifest, mtime=int(created.timestamp()))
