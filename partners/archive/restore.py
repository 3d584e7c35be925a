"""Restoring one vendor from its archive (``manage.py import_vendor``).

Rules:

- The archive is checked before anything is written: format and version, the sha256 of every member, each
  model's row count, and that every archived field exists here (fields added since get their defaults).
- The vendor's slug (or ``--slug``) must be free. Rows keep their ids, so history, KPI groups and links that name
  ids stay true; an id already taken in this database stops the restore. The target is therefore an empty
  database, or one the vendor's ids were never used in.
- Users are global: a user whose email already exists here is *linked* (the existing account is kept as it is,
  password included, and gains the vendor's memberships), since one person may belong to several vendors. Other
  users are created, with their archived id when it is free; KPI rows that name a user by id follow the new id.
- Everything happens in one transaction. Rows are inserted as stored, without ``save()`` or signals: no
  notification, email, audit entry or task comes out of a restore, ``auto_now`` dates stay as they were, and
  append-only tables only ever see INSERTs. Keys are checked before the files are written; the files are
  removed again if the transaction does not commit. On PostgreSQL the id sequences are moved past the restored ids.
"""

import json
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files import File
from django.core.management.color import no_style
from django.db import IntegrityError, connection, models, transaction
from django_scopes import scopes_disabled

from partners.archive import ArchiveError, bundle, registry
from partners.archive.export import EMAIL_FIELDS, USER_FIELDS
from partners.archive.rows import RowCodec
from partners.models import Vendor, new_security_stamp

BATCH = 500


def _rows(unpacked: Path, label: str, expected: int) -> Iterator[dict]:
    path = unpacked / "data" / f"{label}.jsonl"
    count = 0
    if path.exists():
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                count += 1
                yield json.loads(line)
    if count != expected:
        raise ArchiveError(f"{label}: the archive holds {count} rows, its manifest says {expected}.")


def _check_fields(label: str, model, archived: list[str]) -> None:
    here = {f.name: f for f in model._meta.concrete_fields}
    unknown = sorted(set(archived) - set(here))
    if unknown:
        raise ArchiveError(f"{label}: this version of the application has no field {', '.join(unknown)}.")
    for name in sorted(set(here) - set(archived)):
        field = here[name]
        if not (field.has_default() or field.null or field.primary_key):
            raise ArchiveError(
                f"{label}.{name} is required here but missing from the archive (older version)."
            )


def _plan(manifest: dict) -> list[registry.ArchivedModel]:
    """The archived models in insert order, after checking that this installation can take every one."""
    counts = manifest.get("models") or {}
    items = registry.archived_models()
    generic = {item.label: item.model for item in items} | {Vendor._meta.label: Vendor}
    unknown = sorted(set(counts) - set(generic) - {get_user_model()._meta.label, EmailAddress._meta.label})
    if unknown:
        raise ArchiveError(f"The archive holds models this version does not know: {', '.join(unknown)}.")
    for label, model in generic.items():
        if label in counts:
            _check_fields(label, model, counts[label]["fields"])
    return items


def _reset_sequences(model_list) -> None:
    """Move PostgreSQL's id sequences past ids inserted explicitly (SQLite does this by itself)."""
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), model_list):
            cursor.execute(statement)


class _Restore:
    def __init__(self, unpacked: Path, manifest: dict, progress: Callable[[str], None]):
        self.unpacked, self.manifest, self.progress = unpacked, manifest, progress
        self.user_ids: dict[str, int] = {}  # email → id here
        self.moved_users: dict[str, str] = {}  # archived id → id here, as text, where they differ
        self.files: dict[str, object] = {}  # storage name → storage, for every file a row names
        self.ids: dict[str, set] = {}  # label → ids restored so far
        self.models: list[type[models.Model]] = []

    def rows(self, label: str) -> Iterator[dict]:
        return _rows(self.unpacked, label, (self.manifest["models"].get(label) or {"rows": 0})["rows"])

    def users(self) -> None:
        user_model = get_user_model()
        keep, fresh, linked = [], [], 0  # new accounts with their archived id, and those whose id is taken
        for row in self.rows(user_model._meta.label):
            email = row["email"]
            existing = user_model._base_manager.filter(email=email).values_list("pk", flat=True).first()
            if existing is not None:
                self.user_ids[email] = existing
                linked += 1
            else:
                free = not user_model._base_manager.filter(pk=row["id"]).exists()
                user = user_model(
                    pk=row["id"] if free else None,
                    **{name: row[name] for name in USER_FIELDS if name not in ("id", "password")},
                    password=row["password"] or make_password(None),
                    security_stamp=new_security_stamp(),
                )
                for name in ("date_joined", "last_login"):
                    setattr(user, name, user_model._meta.get_field(name).to_python(getattr(user, name)))
                (keep if free else fresh).append(user)
        user_model._base_manager.bulk_create(keep, batch_size=BATCH)
        _reset_sequences([user_model])  # the accounts without their id must not be given one just used
        user_model._base_manager.bulk_create(fresh, batch_size=BATCH)
        created = keep + fresh
        self.user_ids.update((user.email, user.pk) for user in created)
        for row in self.rows(user_model._meta.label):
            if self.user_ids[row["email"]] != row["id"]:
                self.moved_users[str(row["id"])] = str(self.user_ids[row["email"]])
        new = {user.email for user in created}
        addresses = [
            EmailAddress(user_id=self.user_ids[row["user"]], **{k: row[k] for k in EMAIL_FIELDS[1:]})
            for row in self.rows(EmailAddress._meta.label)
            if row["user"] in new  # a linked account keeps its own addresses
        ]
        EmailAddress.objects.bulk_create(addresses, batch_size=BATCH)
        self.models += [user_model, EmailAddress]
        self.progress(
            f"{user_model._meta.label}: {len(created)} created, {linked} linked to existing accounts"
        )

    def insert(
        self, model, label: str, rows: Iterator[dict], user_fields, override: dict | None = None
    ) -> int:
        codec = RowCodec(model, user_fields, self.user_ids)
        file_fields = [f for f in codec.fields if isinstance(f, models.FileField)]
        # Keys to rows restored before: checked here, so a row pointing outside the archive is named clearly
        # (the database checks every key again before the files are written).
        keys = [
            (f, self.ids[f.related_model._meta.label])
            for f in codec.fields
            if f.is_relation
            and f.name not in codec.user_field_names
            and f.related_model._meta.label in self.ids
        ]
        soft = registry.USER_ID_TEXT.get(label)
        restored = self.ids.setdefault(label, set())
        count, batch = 0, []
        for row in rows:
            row.update(override or {})
            if soft and row.get(soft[1]) == soft[2] and row.get(soft[0]) in self.moved_users:
                row[soft[0]] = self.moved_users[row[soft[0]]]
            obj = codec.decode(row)
            for field, known in keys:
                value = getattr(obj, field.attname)
                if value is not None and value not in known:
                    raise ArchiveError(
                        f"{label} {obj.pk}: {field.name} names {field.related_model._meta.label} {value}, "
                        "which is not in the archive; nothing was restored."
                    )
            if obj.pk in restored:
                raise ArchiveError(f"{label} {obj.pk} is in the archive twice; nothing was restored.")
            restored.add(obj.pk)
            for field in file_fields:
                name = getattr(obj, field.attname)
                if name:
                    self.files[str(name)] = field.storage
            batch.append(obj)
            if len(batch) >= BATCH:
                count += self._insert_batch(model, label, batch)
                batch = []
        count += self._insert_batch(model, label, batch)
        self.models.append(model)
        self.progress(f"{label}: {count}")
        return count

    @staticmethod
    def _insert_batch(model, label: str, objs: list) -> int:
        if not objs:
            return 0
        taken = model._base_manager.filter(pk__in=[obj.pk for obj in objs]).values_list("pk", flat=True)
        first = taken.order_by("pk").first()
        if first is not None:
            raise ArchiveError(
                f"{label} id {first} is already used in this database: restore into an empty database."
            )
        fields = list(model._meta.concrete_fields)
        size = max(1, connection.ops.bulk_batch_size(fields, objs))
        for start in range(0, len(objs), size):
            # raw: the values as stored (no auto_now, no pre_save), one INSERT, no signals.
            model._base_manager._insert(objs[start : start + size], fields=fields, raw=True)
        return len(objs)

    def finish_database(self) -> None:
        connection.check_constraints(table_names=[m._meta.db_table for m in self.models])
        _reset_sequences(self.models)

    def write_files(self, written: list) -> None:
        for member in sorted(self.manifest["files"]):
            if not member.startswith("files/"):
                continue
            name = member.removeprefix("files/")
            storage = self.files.get(name)
            if storage is None:
                raise ArchiveError(f"{member} is not named by any row of the archive.")
            if storage.exists(name):
                raise ArchiveError(f"The file {name} already exists in this installation's storage.")
            # Noted before saving: a save that fails half-way may still leave a file behind.
            written.append((storage, name))
            with (self.unpacked / member).open("rb") as handle:
                saved = storage.save(name, File(handle))
            if saved != name:
                written.append((storage, saved))
                raise ArchiveError(f"The storage renamed {name} to {saved}.")
        self.progress(f"files: {len(written)}")


def vendor_import(
    *, path: Path, slug: str | None = None, progress: Callable[[str], None] = lambda line: None
):
    """Restore the vendor in the archive at ``path`` (under ``slug`` if given) and return it."""
    with tempfile.TemporaryDirectory(prefix="prm-import-") as tmp:
        unpacked = Path(tmp)
        manifest = bundle.read(Path(path), unpacked)
        items = _plan(manifest)
        slug = slug or manifest["vendor"]
        written: list = []
        with scopes_disabled():  # the vendor does not exist yet; ids are checked across the whole database
            if Vendor.objects.filter(slug=slug).exists():
                raise ArchiveError(f"A vendor with the URL name {slug} already exists: nothing was restored.")
            restore = _Restore(unpacked, manifest, progress)
            try:
                with transaction.atomic():
                    label = Vendor._meta.label
                    restore.insert(Vendor, label, restore.rows(label), [], override={"slug": slug})
                    restore.users()
                    for item in items:
                        rows = restore.rows(item.label)
                        restore.insert(item.model, item.label, rows, registry.user_fields(item.model))
                    restore.finish_database()
                    restore.write_files(written)
            except BaseException as error:
                # The transaction rolled back (or never committed): take the files back out as well.
                for storage, name in written:
                    storage.delete(name)
                if isinstance(error, IntegrityError):
                    raise ArchiveError(
                        f"The archive's rows do not fit together or clash with this database ({error}); "
                        "nothing was restored."
                    ) from error
                raise
            return Vendor.objects.get(slug=slug)
