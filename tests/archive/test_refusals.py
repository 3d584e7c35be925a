"""A restore either brings back the whole vendor or leaves the installation exactly as it was."""

import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.core.management.base import CommandError
from django_scopes import scopes_disabled

from partners.archive import registry
from partners.models import Vendor
from tests.archive.conftest import repack


def import_(path):
    call_command("import_vendor", str(path), stdout=StringIO())


def counts() -> dict[str, int]:
    with scopes_disabled():
        found = {item.label: item.model._base_manager.count() for item in registry.archived_models()}
        return {**found, "vendors": Vendor.objects.count(), "users": get_user_model().objects.count()}


def assert_untouched(media):
    """Still the empty installation: no row, no file."""
    assert not any(counts().values())
    assert not any(path.is_file() for path in media.rglob("*"))


def _edit_line(files, name, change):
    lines = files[name].decode().splitlines()
    row = json.loads(lines[-1])
    change(row)
    lines[-1] = json.dumps(row, ensure_ascii=False)
    files[name] = ("\n".join(lines) + "\n").encode()


def test_a_changed_archive_is_refused_before_anything_is_written(kumo_archive, empty_installation, tmp_path):
    def raise_amount(files, manifest):
        _edit_line(files, "data/deals.Deal.jsonl", lambda row: row.update(amount=row["amount"] + 1))

    tampered = repack(kumo_archive, tmp_path / "tampered.tar.gz", raise_amount, rehash=False)
    with pytest.raises(CommandError, match=r"deals\.Deal\.jsonl does not match its sha256"):
        import_(tampered)
    assert_untouched(empty_installation)


def test_rows_that_do_not_fit_together_roll_the_whole_restore_back(
    kumo_archive, empty_installation, tmp_path
):
    def dangling_partner(files, manifest):
        _edit_line(files, "data/deals.Deal.jsonl", lambda row: row.update(partner=987654))

    broken = repack(kumo_archive, tmp_path / "broken.tar.gz", dangling_partner)
    with pytest.raises(CommandError, match="nothing was restored"):
        import_(broken)
    assert_untouched(empty_installation)


def test_files_written_before_a_failure_are_removed_again(kumo_archive, empty_installation, monkeypatch):
    save = FileSystemStorage.save

    def save_then_fail(self, name, content, max_length=None):
        save(self, name, content, max_length)
        raise OSError("No space left on device")

    monkeypatch.setattr(FileSystemStorage, "save", save_then_fail)
    with pytest.raises(OSError, match="No space left"):
        import_(kumo_archive)
    assert_untouched(empty_installation)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda files, manifest: manifest.update(format_version=2), "format version 2"),
        (lambda files, manifest: manifest.update(format="something-else"), "Not a vendor archive"),
        (
            lambda files, manifest: manifest["models"]["deals.Deal"]["fields"].append("mood"),
            "has no field mood",
        ),
        (lambda files, manifest: files.update({"../escape.txt": b"x"}), "Unexpected member"),
    ],
    ids=["version", "format", "newer-field", "path"],
)
def test_an_archive_this_version_cannot_read_is_refused(kumo_archive, demo, db, tmp_path, edit, message):
    before = counts()
    with pytest.raises(CommandError, match=message):
        import_(repack(kumo_archive, tmp_path / "edited.tar.gz", edit))
    assert counts() == before


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda files, manifest: manifest["models"]["deals.Deal"].update(rows=279),
            "holds 280 rows, its manifest says 279",
        ),
        (lambda files, manifest: files.update({"files/stray.pdf": b"x"}), "not named by any row"),
    ],
    ids=["count", "stray-file"],
)
def test_an_archive_found_wrong_half_way_is_refused(
    kumo_archive, empty_installation, tmp_path, edit, message
):
    with pytest.raises(CommandError, match=message):
        import_(repack(kumo_archive, tmp_path / "edited.tar.gz", edit))
    assert_untouched(empty_installation)


def test_a_file_that_is_no_archive_is_refused(demo, db, tmp_path):
    before = counts()
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"PK\x03\x04 not a tar at all")
    with pytest.raises(CommandError, match="cannot be read as a vendor archive"):
        import_(junk)
    assert counts() == before
