"""The demo vendors seeded once for these tests, one vendor's archive, and an empty installation to restore into.

``empty_installation`` removes every row (TRUNCATE on PostgreSQL: the audit trail refuses DELETE there) and points
MEDIA_ROOT at an empty folder. The test's transaction rolls the rows back afterwards.
"""

import hashlib
import io
import json
import tarfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

from partners.archive import bundle

KEEP_TABLES = {"django_migrations", "django_content_type", "auth_permission"}


@pytest.fixture(scope="package")
def demo(django_db_setup, django_db_blocker):
    """Both demo vendors, in a transaction rolled back after the package (tests run in savepoints inside)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="package")
def kumo_archive(demo, django_db_blocker, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("archive") / "kumo.tar.gz"
    with django_db_blocker.unblock():
        call_command("export_vendor", "kumo", "--output", str(path), stdout=StringIO())
    return path


def wipe_database() -> None:
    tables = set(connection.introspection.django_table_names(only_existing=True)) - KEEP_TABLES
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses tables with pending checks
    statements = connection.ops.sql_flush(
        no_style(), sorted(tables), reset_sequences=True, allow_cascade=True
    )
    connection.ops.execute_sql_flush(statements)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.fixture
def empty_installation(db, settings, tmp_path) -> Path:
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = str(media)
    wipe_database()
    return media


def members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as tar:
        return {info.name: tar.extractfile(info).read() for info in tar}


def repack(source: Path, target: Path, edit, *, rehash: bool = True) -> Path:
    """Copy the archive at ``source`` to ``target`` after ``edit(files: dict[name, bytes], manifest: dict)``;
    with ``rehash`` the manifest's hashes follow the edit, as a careful forger would do."""
    files = members(source)
    manifest = json.loads(files.pop(bundle.MANIFEST))
    edit(files, manifest)
    if rehash:
        manifest["files"] = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    encoded = json.dumps(manifest).encode()
    with tarfile.open(target, "w:gz") as tar:
        for name, data in [(bundle.MANIFEST, encoded), *sorted(files.items())]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return target
