"""Partner CSV import: decoding Excel's files, the header, row checks, all-or-nothing, and the page."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from partners.csv_import import PartnerImportRejected, partner_import, partner_import_preview
from partners.models import Membership, PartnerCompany, PartnerStatus, Tier
from prm.csv_import import CsvFileError, read_upload
from prm.models import PendingImport
from prm.tenancy import Access, vendor_scope
from tests.conftest import raw_body

pytestmark = pytest.mark.django_db

HEADER = "name,tier,status,channel_manager_email,contact_email\r\n"


def access_of(world, user=None) -> Access:
    user = user or world.vendor_admin
    with scopes_disabled():
        membership = Membership.objects.select_related("user", "partner").get(user=user, vendor=world.acme)
    return Access(vendor=world.acme, membership=membership)


def preview(world, data: bytes):
    with vendor_scope(world.acme):
        return partner_import_preview(access=access_of(world), data=data)


def run_import(world, data: bytes):
    with vendor_scope(world.acme):
        return partner_import(access=access_of(world), data=data)


def partner_names(vendor) -> set[str]:
    with vendor_scope(vendor):
        return set(PartnerCompany.objects.values_list("name", flat=True))


def row_errors(result) -> dict[int, list[str]]:
    return {row.line: row.errors for row in result.rows if row.errors}


# --- the file as a whole ---------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"\r\n\r\n", b",,,\r\n", b"\xef\xbb\xbf"])
def test_empty_file(world, data):
    result = preview(world, data)
    assert result.errors == ["The file is empty."]
    assert not result.can_import


def test_header_only(world):
    result = preview(world, HEADER.encode())
    assert result.errors == ["The file has a header but no rows to import."]
    assert result.rows == []
    assert not result.can_import


def test_wrong_header_names_every_problem_on_line_1(world):
    result = preview(world, b"company_id,tier,colour\r\nAcme,gold,red\r\n")
    assert len(result.errors) == 3
    assert all(error.startswith("Line 1: ") for error in result.errors)
    assert "unknown column “company_id” (column A)" in result.errors[0]
    assert "unknown column “colour” (column C)" in result.errors[1]
    assert "required column “Company name (name)” is missing" in result.errors[2]
    assert result.rows == []


def test_duplicate_header_column(world):
    result = preview(world, "name,tier,会社名\r\nA,gold,B\r\n".encode())
    assert result.errors == ["Line 1: the column “Company name (name)” appears twice (columns A and C)."]


def test_header_in_japanese_and_in_other_spellings(world):
    data = (
        "会社名,ティア,ステータス,チャネルマネージャー,Contact Email\r\n"
        "東京商事,ゴールド,有効,cm@acme.example,a@b.jp\r\n"
    )
    result = preview(world, data.encode())
    assert result.can_import, result.errors
    row = result.rows[0]
    assert (row.name, row.tier, row.status) == ("東京商事", Tier.GOLD, PartnerStatus.ACTIVE)
    assert row.channel_manager == world.channel_manager


def test_utf8_with_bom(world):
    data = ("\ufeff" + HEADER + "株式会社テスト,gold,,,\r\n").encode()
    result = preview(world, data)
    assert result.can_import
    assert result.encoding == "UTF-8"
    assert result.rows[0].name == "株式会社テスト"  # no BOM left in the header or the value


def test_utf8_without_bom(world):
    result = preview(world, "name\n株式会社テスト\n".encode())
    assert result.can_import
    assert result.encoding == "UTF-8"
    assert result.rows[0].name == "株式会社テスト"


def test_cp932_as_excel_writes_it(world):
    # Japanese Excel's plain "CSV" is CP932 without BOM, with CRLF; it includes NEC specials (㈱, ①) and
    # half-width katakana.
    text = "会社名,ティア,連絡先メールアドレス\r\n㈱クモ販売①,ゴールド,info@kumo.example\r\nｻｸﾗ商事,シルバー,\r\n"
    data = text.encode("cp932")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    result = preview(world, data)
    assert result.can_import, row_errors(result)
    assert result.encoding == "Shift_JIS (CP932)"
    assert [(r.line, r.name, r.tier) for r in result.rows] == [
        (2, "㈱クモ販売①", Tier.GOLD),
        (3, "ｻｸﾗ商事", Tier.SILVER),
    ]


def test_undecodable_bytes_name_their_line(world):
    data = HEADER.encode() + b"Alpha One,gold,,,\r\nBeta Two,,,,\r\nBroken \x85\x85 Co,,,,\r\n"
    result = preview(world, data)
    assert len(result.errors) == 1
    assert result.errors[0].startswith("Line 4: the file is neither UTF-8 nor Shift_JIS (byte 0x85")
    assert result.rows == []


def test_undecodable_byte_in_a_utf8_file_names_its_line(world):
    # Valid UTF-8 Japanese first, so the file is UTF-8 and the broken byte is on line 3.
    data = "name\r\n東京商事\r\n".encode() + b"\xe6\x9d\r\n"
    result = preview(world, data)
    assert result.errors[0].startswith("Line 3: ")
    assert "0xE6" in result.errors[0]


def test_utf16_and_workbooks_get_a_clear_message(world):
    assert "UTF-16" in preview(world, "name\r\nA\r\n".encode("utf-16")).errors[0]
    assert "Excel workbook" in preview(world, b"PK\x03\x04rest-of-a-zip").errors[0]


def test_quoted_fields_and_excel_line_numbers(world):
    # A quoted line break stays inside one cell, so Excel shows the next record on line 3.
    data = HEADER + '"Alpha, Beta & Co",gold,,,\r\n"Multi\r\nLine",unknown-tier,,,\r\n\r\nLast Co,,,,\r\n'
    result = preview(world, data.encode())
    assert [row.line for row in result.rows] == [2, 3, 5]  # the empty line 4 is skipped but counted
    assert result.rows[0].name == "Alpha, Beta & Co"
    errors = row_errors(result)
    assert set(errors) == {3}
    assert "The company name must be on one line." in errors[3]
    assert any(error.startswith("Unknown tier “unknown-tier”") for error in errors[3])


def test_short_and_long_rows(world):
    data = b"name,tier\r\nShort Co\r\nLong Co,gold,extra\r\n"
    result = preview(world, data)
    assert result.rows[0].errors == []
    assert result.rows[0].tier == Tier.REGISTERED
    assert result.rows[1].errors == ["column C has a value but no header."]


def test_over_size_file_is_refused_while_reading():
    upload = SimpleUploadedFile("big.csv", b"name\r\n" + b"x" * 5000, content_type="text/csv")
    with pytest.raises(CsvFileError) as raised:
        read_upload(upload, max_bytes=2048)
    assert "larger than" in raised.value.messages[0]
    small = SimpleUploadedFile("small.csv", b"name\r\nA\r\n")
    assert read_upload(small, max_bytes=2048) == b"name\r\nA\r\n"


def test_too_many_rows(world, settings):
    settings.PARTNER_IMPORT_MAX_ROWS = 3
    data = b"name\r\nA\r\n\r\nB\r\nC\r\n"
    assert preview(world, data).can_import  # blank lines do not count as rows
    result = preview(world, data + b"D\r\n")
    assert result.errors == ["Line 6: the file has more than 3 rows. Split it into files of at most 3 rows."]
    assert result.rows == []


# --- rows ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "tier"),
    [
        ("gold", "gold"),
        ("Gold", "gold"),
        ("ＧＯＬＤ", "gold"),
        ("ゴールド", "gold"),
        (" プラチナ ", "platinum"),
    ],
)
def test_tier_as_code_or_label(world, given, tier):
    result = preview(world, f"name,tier\r\nNew Co,{given}\r\n".encode())
    assert result.can_import, row_errors(result)
    assert result.rows[0].tier == tier


def test_defaults_for_empty_tier_and_status(world):
    result = preview(world, b"name,tier,status\r\nNew Co,,\r\n")
    assert (result.rows[0].tier, result.rows[0].status) == (Tier.REGISTERED, PartnerStatus.INVITED)


def test_unknown_tier_and_status(world):
    result = preview(world, b"name,tier,status\r\nNew Co,diamond,sleeping\r\n")
    row = result.rows[0]
    assert row.bad_columns == {"tier", "status"}
    assert row.errors[0].startswith("Unknown tier “diamond”. Use one of: platinum (Platinum), gold (Gold)")
    assert row.errors[1].startswith("Unknown status “sleeping”.")
    assert not result.can_import


def test_duplicates_within_the_file_after_normalisation(world):
    data = "name\r\nＡＢＣ 株式会社\r\nabc株式会社\r\n㈱クモ\r\n(株) クモ\r\nOther\r\n"
    result = preview(world, data.encode())
    assert row_errors(result) == {
        3: ["The same company name is already on line 2."],
        5: ["The same company name is already on line 4."],
    }


def test_duplicates_against_existing_partners(world):
    result = preview(
        world, "name\r\nalpha  systems\r\nＢｅｔａ Ｉｎｔｅｇｒａｔｉｏｎ\r\nGamma Partners\r\n".encode()
    )
    assert row_errors(result) == {
        2: ["A partner named “Alpha Systems” already exists."],
        3: ["A partner named “Beta Integration” already exists."],
    }  # Gamma Partners belongs to another vendor: free to use here


def test_channel_manager_must_be_a_channel_manager_of_this_vendor(world):
    data = (
        "name,channel_manager_email\r\n"
        "One,CM@acme.example\r\n"
        "Two,admin@acme.example\r\n"
        "Three,padmin@alpha.example\r\n"
        "Four,admin@rival.example\r\n"
        "Five,nobody@acme.example\r\n"
    )
    result = preview(world, data.encode())
    assert result.rows[0].channel_manager == world.channel_manager
    assert set(row_errors(result)) == {3, 4, 5, 6}  # a vendor admin manages the vendor, not partners
    assert row_errors(result)[3] == ["“admin@acme.example” is not a channel manager of this vendor."]
    assert row_errors(result)[4] == ["“padmin@alpha.example” is not a channel manager of this vendor."]


def test_bad_contact_email(world):
    result = preview(
        world, "name,contact_email\r\nOne,not-an-email\r\nTwo,ｉｎｆｏ＠ｔｗｏ.ｅｘａｍｐｌｅ\r\n".encode()
    )
    assert row_errors(result) == {2: ["“not-an-email” is not a valid contact email address."]}
    assert result.rows[1].contact_email == "info@two.example"


def test_name_missing_and_too_long(world):
    data = "name,tier\r\n,gold\r\n" + "x" * 201 + ",\r\n"
    assert row_errors(preview(world, data.encode())) == {
        2: ["The company name is missing."],
        3: ["The company name is longer than 200 characters."],
    }


# --- importing -------------------------------------------------------------------------------------------


def test_import_creates_every_row(world):
    data = HEADER + "東京商事,gold,active,cm@acme.example,info@tokyo.example\r\nOsaka Co,,,,\r\n"
    created = run_import(world, data.encode())
    assert [p.name for p in created] == ["東京商事", "Osaka Co"]
    with vendor_scope(world.acme):
        tokyo = PartnerCompany.objects.get(name="東京商事")
        osaka = PartnerCompany.objects.get(name="Osaka Co")
    assert (tokyo.tier, tokyo.status, tokyo.channel_manager, tokyo.contact_email) == (
        "gold",
        "active",
        world.channel_manager,
        "info@tokyo.example",
    )
    assert (osaka.tier, osaka.status, osaka.channel_manager) == ("registered", "invited", None)


def test_one_bad_line_imports_nothing(world):
    before = partner_names(world.acme)
    data = HEADER + "Good One,gold,,,\r\nGood Two,,,,\r\nBad Three,diamond,,,\r\n"
    with pytest.raises(PartnerImportRejected) as rejected:
        run_import(world, data.encode())
    assert partner_names(world.acme) == before
    assert rejected.value.messages == [
        "Line 4: Unknown tier “diamond”. Use one of: platinum (Platinum), gold (Gold), silver (Silver), "
        "registered (Registered)."
    ]


def test_import_checks_again_at_import_time(world):
    data = b"name\r\nNew One\r\nNew Two\r\n"
    assert preview(world, data).can_import
    with vendor_scope(world.acme):
        PartnerCompany.objects.create(vendor=world.acme, name="New Two")
    with pytest.raises(PartnerImportRejected) as rejected:
        run_import(world, data)
    assert row_errors(rejected.value.preview) == {3: ["A partner named “New Two” already exists."]}
    assert "New One" not in partner_names(world.acme)


def test_only_vendor_admins_may_preview_or_import(world):
    from django.core.exceptions import PermissionDenied

    with vendor_scope(world.acme), pytest.raises(PermissionDenied):
        partner_import_preview(access=access_of(world, world.channel_manager), data=b"name\r\nX\r\n")
    with vendor_scope(world.acme), pytest.raises(PermissionDenied):
        partner_import(access=access_of(world, world.partner_admin), data=b"name\r\nX\r\n")


# --- the page --------------------------------------------------------------------------------------------


def import_url(slug="acme"):
    return reverse("partner_import", args=[slug])


def upload(client, content: bytes, name="partners.csv", slug="acme"):
    return client.post(import_url(slug), {"file": SimpleUploadedFile(name, content, content_type="text/csv")})


def test_upload_preview_confirm_as_vendor_admin(world, client_for):
    client = client_for(world.vendor_admin)
    assert client.get(import_url()).status_code == 200

    content = (
        "会社名,ティア,チャネルマネージャー\r\n東京商事,ゴールド,cm@acme.example\r\nOsaka Co,,\r\n"
    ).encode("cp932")
    response = upload(client, content)
    assert response.status_code == 302
    preview_url = response["Location"]
    assert preview_url.startswith(import_url() + "?upload=")

    page = client.get(preview_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "東京商事" in html and "Osaka Co" in html and "Shift_JIS (CP932)" in html
    upload_id = page.context["pending"].key
    assert page.context["preview"].can_import
    assert "Import 2 partners" in html and "disabled" not in html.split("Import 2 partners")[0][-200:]

    response = client.post(import_url(), {"upload_id": upload_id}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("partner_list", args=["acme"])
    assert "2 partners imported." in [str(m) for m in response.context["messages"]]
    assert {"東京商事", "Osaka Co"} <= partner_names(world.acme)
    with scopes_disabled():
        assert not PendingImport.objects.filter(key=upload_id).exists()  # done: the upload is gone


def test_preview_with_errors_disables_import_and_keeps_the_upload(world, client_for):
    client = client_for(world.vendor_admin)
    response = upload(client, (HEADER + "Fine Co,,,,\r\nAlpha Systems,diamond,,,\r\n").encode())
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="line-3" class="import-row-invalid"' in html
    assert "A partner named “Alpha Systems” already exists." in html
    assert "Unknown tier “diamond”" in html
    assert 'disabled aria-disabled="true"' in html
    problems_only = client.get(response["Location"] + "&show=problems")
    assert [row.line for row in problems_only.context["rows"]] == [3]

    # Posting the confirmation anyway imports nothing, shows the problems again and keeps the upload.
    upload_id = page.context["pending"].key
    refused = client.post(import_url(), {"upload_id": upload_id})
    assert refused.status_code == 400
    assert "Unknown tier “diamond”" in refused.content.decode()
    assert "Fine Co" not in partner_names(world.acme)
    assert client.get(response["Location"]).status_code == 200


def test_page_file_errors(world, client_for, settings):
    client = client_for(world.vendor_admin)
    settings.PARTNER_IMPORT_MAX_BYTES = 1024
    too_big = upload(client, b"name\r\n" + b"x" * 2000)
    assert too_big.status_code == 400
    assert "The file is larger than 1.0" in too_big.content.decode()
    with scopes_disabled():
        assert not PendingImport.objects.exists()

    no_file = client.post(import_url(), {})
    assert no_file.status_code == 400

    wrong = client.get(upload(client, b"email\r\nx@y.z\r\n")["Location"])
    assert "Line 1: unknown column “email”" in wrong.content.decode()
    assert not wrong.context["preview"].can_import


def test_unknown_or_foreign_upload_id_starts_over(world, client_for):
    client = client_for(world.vendor_admin)
    response = client.post(import_url(), {"upload_id": "nope"}, follow=True)
    assert response.redirect_chain[-1][0] == import_url()
    assert "no longer available" in response.content.decode()
    assert client.get(import_url() + "?upload=nope").status_code == 302


def test_a_user_keeps_only_a_few_uploads(world, client_for):
    client = client_for(world.vendor_admin)
    first = upload(client, b"name\r\nOne\r\n")["Location"]
    upload(client, b"name\r\nTwo\r\n")
    upload(client, b"name\r\nThree\r\n")
    with scopes_disabled():
        assert PendingImport.objects.filter(created_by=world.vendor_admin).count() == 2
    assert client.get(first).status_code == 302  # the oldest made room


def test_template_csv_round_trips(world, client_for):
    client = client_for(world.vendor_admin)
    response = client.get(reverse("partner_import_template", args=["acme"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    data = raw_body(response)
    assert data.startswith(b"\xef\xbb\xbf")
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(header) == 5
    filled = data + b"Template Co,gold,active,cm@acme.example,t@template.example\r\n"
    assert preview(world, filled).can_import


@pytest.mark.parametrize("role", ["channel_manager", "partner_admin", "partner_rep", "other_partner_rep"])
def test_page_is_for_vendor_admins_only(world, client_for, role):
    client = client_for(world.user(role))
    assert client.get(import_url()).status_code == 403
    assert client.get(reverse("partner_import_template", args=["acme"])).status_code == 403
    assert upload(client, b"name\r\nSneaky Co\r\n").status_code == 403
    assert "Sneaky Co" not in partner_names(world.acme)


def test_other_vendor_admin_gets_404(world, client_for):
    client = client_for(world.rival_admin)
    assert client.get(import_url()).status_code == 404
    assert upload(client, b"name\r\nSneaky Co\r\n").status_code == 404


def test_an_exported_partner_list_imports_again_as_it_is(world, client_for):
    """Export from one vendor, import into another: the export-only columns are accepted and ignored."""
    with scopes_disabled():
        PartnerCompany.objects.filter(vendor=world.acme).update(channel_manager=None)
    exported = raw_body(client_for(world.vendor_admin).get(reverse("partner_export", args=["acme"])))
    with vendor_scope(world.rival):
        access = Access(vendor=world.rival, membership=Membership.objects.get(user=world.rival_admin))
        result = partner_import_preview(access=access, data=exported)
    assert result.errors == [] and result.can_import
    assert {row.name for row in result.rows} == {"Alpha Systems", "Beta Integration"}
    assert {row.tier for row in result.rows} == {Tier.GOLD, Tier.SILVER}
