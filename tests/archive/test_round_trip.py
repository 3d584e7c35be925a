"""Export one demo vendor, restore it into an empty installation, and find every row and file as it was."""

import json
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.storage import default_storage
from django.core.management import call_command
from django_scopes import scopes_disabled

from audit.models import AuditEntry
from deals.models import Deal
from enablement.models import Content
from knowledge.models import GroupType, KpiSnapshot
from partners.archive import registry
from partners.models import Membership, PartnerCompany, Role, Vendor
from prm.tenancy import vendor_scope
from tests.archive.conftest import members

# Users are global accounts: these columns are the installation's, not the vendor's (see partners.archive.export).
NOT_CARRIED = {"security_stamp", "is_staff", "is_superuser"}


def snapshot(vendor: Vendor) -> dict:
    """Every row of the vendor, its users and its files, read without the archive code."""
    with scopes_disabled():
        state = {item.label: list(item.rows(vendor).values()) for item in registry.archived_models()}
        state["partners.Vendor"] = list(Vendor.objects.filter(pk=vendor.pk).values())
        user_ids = Membership.objects.filter(vendor=vendor).values_list("user_id", flat=True)
        users = get_user_model().objects.filter(pk__in=user_ids).order_by("email")
        state["users"] = [{k: v for k, v in row.items() if k not in NOT_CARRIED} for row in users.values()]
        addresses = EmailAddress.objects.filter(user__in=user_ids).order_by("email")
        state["addresses"] = list(addresses.values("user_id", "email", "verified", "primary"))
        contents = Content.objects.filter(vendor=vendor).exclude(file="")
        state["files"] = {c.file.name: _read(c.file.name) for c in contents}
    return state


def _read(name: str) -> bytes:
    with default_storage.open(name) as handle:
        return handle.read()


@pytest.fixture
def before(demo, db):
    with scopes_disabled():
        return snapshot(Vendor.objects.get(slug="kumo"))


def test_the_archive_holds_one_vendor_and_only_its_people(kumo_archive, before, db):
    files = members(kumo_archive)
    manifest = json.loads(files["manifest.json"])
    kumo = before["partners.Vendor"][0]["id"]
    assert manifest["vendor"] == "kumo" and manifest["format_version"] == 1
    for label, rows in before.items():
        if label in manifest["models"]:
            assert manifest["models"][label]["rows"] == len(rows), label
    for name, data in files.items():
        if name.startswith("data/"):
            rows = [json.loads(line) for line in data.decode().splitlines()]
            assert all(row.get("vendor", kumo) == kumo for row in rows), name
            # Nothing of the other demo vendor: its name, its people, its partners' addresses.
            assert b"hikari" not in data.lower() and "ヒカリ".encode() not in data, name
    emails = {json.loads(line)["email"] for line in files["data/partners.User.jsonl"].decode().splitlines()}
    assert emails == {user["email"] for user in before["users"]}
    assert "cm2@kumo.example" in emails  # a member of both vendors is a member of this one too
    assert {n.removeprefix("files/") for n in files if n.startswith("files/")} == set(before["files"])
    assert all(b"pbkdf2" not in data or name == "data/partners.User.jsonl" for name, data in files.items())
    assert not any("ApiToken" in name or "Authenticator" in name for name in files)


def test_the_same_data_gives_the_same_archive_contents(kumo_archive, db, tmp_path):
    again = tmp_path / "again.tar.gz"
    call_command("export_vendor", "kumo", "--output", str(again), stdout=StringIO())
    first, second = members(kumo_archive), members(again)
    assert json.loads(first.pop("manifest.json"))["files"] == json.loads(second.pop("manifest.json"))["files"]
    assert first == second


def test_restoring_into_an_empty_installation_brings_back_every_row_and_file(
    kumo_archive, before, empty_installation
):
    assert not Vendor.objects.exists() and not get_user_model().objects.exists()
    out = StringIO()
    call_command("import_vendor", str(kumo_archive), stdout=out)

    assert "deals.Deal: 280" in out.getvalue() and "files: 1" in out.getvalue()
    with scopes_disabled():
        kumo = Vendor.objects.get()
        after = snapshot(kumo)
        assert sorted(get_user_model().objects.values_list("email", flat=True)) == [
            u["email"] for u in before["users"]
        ]
    for label in before:
        assert after[label] == before[label], label
    # A restore is not news: no mail, no notification or audit entry beyond the restored ones.
    assert mail.outbox == []
    assert (empty_installation / next(iter(before["files"]))).read_bytes() == next(
        iter(before["files"].values())
    )


def test_the_restored_vendor_works_on(kumo_archive, before, empty_installation, client):
    call_command("import_vendor", str(kumo_archive), stdout=StringIO())
    kumo = Vendor.objects.get(slug="kumo")
    # New rows get new ids after the restored ones (PostgreSQL sequences were moved on).
    user = get_user_model().objects.create_user(email="new@kumo.example", password="x-long-password-1")
    with vendor_scope(kumo):
        partner = PartnerCompany.objects.create(vendor=kumo, name="新規パートナー株式会社")
        Membership.objects.create(user=user, vendor=kumo, role=Role.PARTNER_REP, partner=partner)
        entry = AuditEntry.objects.create(vendor=kumo, action="test", subject_type="x", subject_id=1)
    assert partner.pk > max(row["id"] for row in before["partners.PartnerCompany"])
    assert entry.pk > max(row["id"] for row in before["audit.AuditEntry"])
    # The restored admin signs in with the archived password hash and sees the restored deals.
    client.login(email="admin@kumo.example", password="demo-pass-2026")
    response = client.get("/v/kumo/deals/")
    assert response.status_code == 200


def test_a_vendor_that_exists_or_ids_in_use_are_refused_and_nothing_changes(kumo_archive, before, db):
    from django.core.management.base import CommandError

    counts = (Vendor.objects.count(), get_user_model().objects.count())
    with pytest.raises(CommandError, match="kumo already exists"):
        call_command("import_vendor", str(kumo_archive), stdout=StringIO())
    with pytest.raises(CommandError, match="already used in this database"):
        call_command("import_vendor", str(kumo_archive), "--slug", "kumo-copy", stdout=StringIO())
    assert (Vendor.objects.count(), get_user_model().objects.count()) == counts


def test_a_person_who_already_has_an_account_is_linked_to_it(kumo_archive, before, empty_installation):
    # The account takes id 1 here, which was another user's id in the archive: both must still be told apart.
    existing = get_user_model().objects.create_user(
        email="cm1@kumo.example", password="their-own-password-9", name="既存のアカウント"
    )
    out = StringIO()
    call_command("import_vendor", str(kumo_archive), stdout=out)

    assert "1 linked to existing accounts" in out.getvalue()
    existing.refresh_from_db()
    assert existing.name == "既存のアカウント" and existing.check_password("their-own-password-9")
    old_email = {row["id"]: row["email"] for row in before["users"]}
    with scopes_disabled():
        kumo = Vendor.objects.get()
        assert Membership.objects.get(vendor=kumo, user=existing).role == Role.CHANNEL_MANAGER
        owners = dict(Deal.objects.filter(vendor=kumo).values_list("pk", "owner__email"))
        assert owners == {row["id"]: old_email[row["owner_id"]] for row in before["deals.Deal"]}
        emails = dict(get_user_model().objects.values_list("pk", "email"))
        by_manager = KpiSnapshot.objects.filter(vendor=kumo, group_type=GroupType.CHANNEL_MANAGER).exclude(
            group_key=""
        )
        assert {(s.pk, emails[int(s.group_key)]) for s in by_manager} == {
            (row["id"], old_email[int(row["group_key"])])
            for row in before["knowledge.KpiSnapshot"]
            if row["group_type"] == GroupType.CHANNEL_MANAGER and row["group_key"]
        }
    assert by_manager.exists()
