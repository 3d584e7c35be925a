"""Deal CSV import: the owner rule it relies on, reading Excel's files, row checks, all-or-nothing, the page."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from audit.models import AuditEntry
from deals import services
from deals.csv_import import DealImportRejected, deal_import, deal_import_preview
from deals.models import Deal, Phase
from meddic.models import MeddicElement
from partners.models import Membership, Role
from prm.models import PendingImport
from prm.tenancy import vendor_scope
from tests.conftest import access_of, add_member, body, make_user, raw_body
from tests.deals.conftest import deal_fields, register

pytestmark = pytest.mark.django_db


# --- deal_create(owner=...) --------------------------------------------------------------------------------


def create_as(world, user, owner):
    with vendor_scope(world.acme):
        return services.deal_create(access=access_of(user, world.acme), fields=deal_fields(), owner=owner)


def test_partner_admin_registers_a_deal_for_a_member_of_their_company(world):
    deal = create_as(world, world.partner_admin, world.partner_rep)
    assert (deal.owner, deal.partner) == (world.partner_rep, world.alpha)
    with scopes_disabled():
        entry = AuditEntry.objects.get(deal_id=deal.pk, action="deal.create")
    assert entry.actor == world.partner_admin
    assert entry.changes["owner"] == [None, world.partner_rep.email]


def test_owner_defaults_to_the_caller(world):
    assert create_as(world, world.partner_admin, None).owner == world.partner_admin
    assert create_as(world, world.partner_rep, world.partner_rep).owner == world.partner_rep


def test_a_rep_cannot_name_another_owner(world):
    with pytest.raises(PermissionDenied):
        create_as(world, world.partner_rep, world.partner_admin)


@pytest.mark.parametrize("who", ["beta_rep", "channel_manager", "rival_rep"])
def test_owner_outside_the_company_is_refused(world, who):
    with pytest.raises(ValidationError) as caught:
        create_as(world, world.partner_admin, getattr(world, who))
    assert "owner" in caught.value.message_dict


def test_inactive_member_cannot_own_a_new_deal(world):
    with scopes_disabled():
        Membership.objects.filter(user=world.partner_rep).update(is_active=False)
    with pytest.raises(ValidationError):
        create_as(world, world.partner_admin, world.partner_rep)


def test_member_of_the_company_in_another_vendor_only_is_refused(world):
    # Same person, but their membership is in the rival vendor: not a member of Alpha.
    outsider = make_user("someone@alpha.example")
    with scopes_disabled():
        add_member(outsider, world.rival, Role.PARTNER_REP, world.gamma)
    with pytest.raises(ValidationError):
        create_as(world, world.partner_admin, outsider)


# --- reading a file ----------------------------------------------------------------------------------------

HEADER = "customer_name,title,amount,close_date,phase,proposal_reason"
FUTURE = (date.today() + timedelta(days=90)).isoformat()
PAST = (date.today() - timedelta(days=20)).isoformat()


def line(
    customer="株式会社テスト",
    title="基幹刷新",
    amount="1000000",
    close=FUTURE,
    phase="proposal",
    reason="理由",
):
    return ",".join(
        f'"{value}"' if "," in value or "\n" in value else value
        for value in (customer, title, amount, close, phase, reason)
    )


def csv_text(*lines: str, header: str = HEADER) -> str:
    return "\r\n".join([header, *lines]) + "\r\n"


def preview(world, data, user=None):
    data = data.encode() if isinstance(data, str) else data
    with vendor_scope(world.acme):
        return deal_import_preview(access=access_of(user or world.partner_admin, world.acme), data=data)


def run_import(world, data, user=None):
    data = data.encode() if isinstance(data, str) else data
    with vendor_scope(world.acme):
        return deal_import(access=access_of(user or world.partner_admin, world.acme), data=data)


def row_errors(result) -> dict[int, list[str]]:
    return {row.line: row.errors for row in result.rows if row.errors}


def deal_names(world) -> list[str]:
    with vendor_scope(world.acme):
        return list(Deal.objects.order_by("pk").values_list("customer_name", flat=True))


def test_a_valid_file_previews_without_keeping_anything(world):
    result = preview(world, csv_text(line(), line(customer="Osaka Co", phase="evaluation")))
    assert result.can_import, row_errors(result)
    assert result.encoding == "UTF-8"
    assert [(row.line, row.fields["customer_name"], row.fields["phase"]) for row in result.rows] == [
        (2, "株式会社テスト", "proposal"),
        (3, "Osaka Co", "evaluation"),
    ]
    assert deal_names(world) == []
    with scopes_disabled():
        assert not AuditEntry.objects.exists()


def test_empty_file_and_header_problems(world):
    assert preview(world, b"").errors == ["The file is empty."]
    assert preview(world, HEADER + "\r\n").errors == ["The file has a header but no rows to import."]
    result = preview(world, "customer_name,colour\r\nA,red\r\n")
    assert result.errors[0] == (
        "Line 1: unknown column “colour” (column B). Expected columns: owner_email, customer_name, "
        "customer_corporate_number, customer_industry, customer_size, title, amount, close_date, phase, loss_type, "
        "proposal_reason, metrics_level, metrics_evidence, economic_buyer_level, economic_buyer_evidence, "
        "decision_criteria_level, decision_criteria_evidence, decision_process_level, decision_process_evidence, "
        "identify_pain_level, identify_pain_evidence, champion_level, champion_evidence."
    )
    assert "Line 1: the required column “Deal title (title)” is missing." in result.errors


def test_errors_name_their_excel_line(world):
    # A quoted line break keeps one record on one Excel line; blank lines count but are skipped.
    data = csv_text(
        line(reason="一行目\n二行目"),
        line(amount="十万円"),
        "",
        line(close="2026-02-30"),
        line(phase="受注予定"),
    )
    result = preview(world, data)
    assert row_errors(result) == {
        3: ["Amount: “十万円” is not a whole number of yen."],
        5: ["Close date: “2026-02-30” is not a date. Write it as 2026-04-30 or 2026/4/30."],
        6: [
            "Phase: unknown value “受注予定”. Use one of: information_gathering (Information gathering), "
            "problem_definition (Problem definition), evaluation (Evaluation / PoC), proposal (Proposal & quote), "
            "pre_approval (Pre-approval groundwork), approval (In approval (ringi)), informal_award (Informal "
            "award), won (Won), lost (Lost), on_hold (On hold)."
        ],
    }
    assert result.rows[2].bad_columns == {"close_date"}
    assert not result.can_import


def test_every_rule_of_the_template_is_checked_by_line(world):
    too_long = "あ" * 61
    data = csv_text(
        line(reason="一\n二\n三\n四"),
        line(reason=too_long),
        line(phase="won", close=FUTURE),
        line(phase="lost", close=PAST),
        line(customer=""),
    )
    errors = row_errors(preview(world, data))
    assert errors[2] == ["Proposal reason: The proposal reason has 4 lines; keep it to 3 lines."]
    assert errors[3] == ["Proposal reason: Line 1 is 61 characters long, 1 character over the limit of 60."]
    assert errors[4] == ["Close date: A won or lost deal's close date cannot be in the future."]
    assert errors[5] == ["Loss type: Choose why the deal was lost (choose Unknown if nobody knows)."]
    assert errors[6] == ["Customer name is missing."]


def test_corporate_number_check_digit_and_excel_scientific_notation(world):
    header = HEADER + ",customer_corporate_number"
    data = csv_text(
        line() + ",7000012050002", line() + ",7000012050003", line() + ",7.00001E+12", header=header
    )
    result = preview(world, data)
    assert set(row_errors(result)) == {3, 4}
    assert "check digit" in row_errors(result)[3][0]
    assert row_errors(result)[4][0].startswith("Excel turned the corporate number into 7.00001E+12")
    assert result.rows[0].fields["customer_corporate_number"] == "7000012050002"


@pytest.mark.parametrize(
    ("written", "amount"),
    [
        ("12000000", 12_000_000),
        ("12,000,000", 12_000_000),
        ("¥12,000,000", 12_000_000),
        ("１２０００００円", 1_200_000),
        (" 0 ", 0),
    ],
)
def test_amounts_as_people_write_them(world, written, amount):
    result = preview(world, csv_text(line(amount=written)))
    assert result.can_import, row_errors(result)
    assert result.rows[0].fields["amount"] == amount


@pytest.mark.parametrize(
    "written", ["2030-04-05", "2030/4/5", "2030.04.05", "2030年4月5日", "２０３０／４／５"]
)
def test_dates_as_excel_and_people_write_them(world, written):
    result = preview(world, csv_text(line(close=written)))
    assert result.can_import, row_errors(result)
    assert result.rows[0].fields["close_date"] == date(2030, 4, 5)


def test_cp932_file_with_japanese_header_and_labels(world):
    text = (
        "顧客名,案件名,金額,完了予定日,フェーズ,提案理由,業種,企業規模,失注理由\r\n"
        '㈱クモ販売①,在庫管理,"3,000,000",2030/6/30,提案・見積提出,現行の保守切れ,製造業,300〜999名,\r\n'
        f"ｻｸﾗ商事,勤怠,500000,{PAST.replace('-', '/')},失注,予算が付かず,小売・卸売,不明,競合負け\r\n"
    )
    data = text.encode("cp932")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    result = preview(world, data)
    assert result.can_import, row_errors(result)
    assert result.encoding == "Shift_JIS (CP932)"
    first, second = (row.fields for row in result.rows)
    assert (first["customer_name"], first["phase"], first["amount"]) == ("㈱クモ販売①", "proposal", 3_000_000)
    assert (first["customer_industry"], first["customer_size"]) == ("manufacturing", "300_999")
    assert (second["customer_name"], second["phase"], second["loss_type"]) == (
        "ｻｸﾗ商事",
        "lost",
        "competitor",
    )
    assert second["customer_industry"] == "retail"


def test_utf8_with_bom(world):
    result = preview(world, ("\ufeff" + csv_text(line())).encode())
    assert result.can_import and result.encoding == "UTF-8"
    assert result.rows[0].fields["customer_name"] == "株式会社テスト"


@pytest.mark.parametrize(
    ("column", "written", "value"),
    [
        ("phase", "Proposal & quote", "proposal"),
        ("phase", "PROPOSAL", "proposal"),
        ("phase", "稟議中", "approval"),
        ("phase", "稟議準備(根回し)", "pre_approval"),
        ("phase", "稟議準備（根回し）", "pre_approval"),  # full-width brackets
        ("customer_industry", "Finance & insurance", "finance"),
        ("customer_industry", "ＩＴ・通信", "it_telecom"),
        ("customer_size", "5,000 employees or more", "5000_plus"),
        ("customer_size", "5000名以上", "5000_plus"),
    ],
)
def test_choices_as_code_or_label_in_either_language(world, column, written, value):
    if column == "phase":
        data = csv_text(line(phase=written))
    else:
        data = csv_text(line() + f',"{written}"', header=f"{HEADER},{column}")
    result = preview(world, data)
    assert result.can_import, row_errors(result)
    assert result.rows[0].fields[column] == value


def test_japanese_labels_from_the_catalog_are_accepted(world):
    # Whatever the Japanese catalog calls a phase is accepted, as is the English label.
    with translation.override("ja"):
        label = str(Phase.INFORMAL_AWARD.label)
    result = preview(world, csv_text(line(phase=label)))
    assert result.rows[0].fields["phase"] == "informal_award"


def test_element_levels_and_evidence(world):
    header = HEADER + ",metrics_level,metrics_evidence,決裁者レベル,チャンピオンの確度,Champion level"
    data = csv_text(line() + ",2,evidenced,仮説,パートナー申告,合意・文書化", header=header)
    result = preview(world, data)
    assert result.can_import, row_errors(result)
    assert result.rows[0].meddic == {
        "metrics": {"level": 2, "evidence": "evidenced"},
        "economic_buyer": {"level": 1},
        "champion": {"evidence": "reported", "level": 3},
    }
    [deal] = run_import(world, data)
    with vendor_scope(world.acme):
        elements = {e.code: (e.level, e.evidence) for e in MeddicElement.objects.filter(deal=deal)}
    assert elements["metrics"] == (2, "evidenced")
    assert elements["champion"] == (3, "reported")
    assert elements["decision_process"] == (0, "unknown")


def test_partners_cannot_import_verified_evidence(world):
    header = HEADER + ",champion_evidence,metrics_level"
    data = csv_text(line() + ",verified,4", line() + ",ベンダー確認済,", header=header)
    errors = row_errors(preview(world, data))
    assert errors[2] == [
        "Metrics level: unknown value “4”. Use one of: 0 (Unknown), 1 (Hypothesis), 2 (Confirmed), "
        "3 (Agreed & documented).",
        "Champion evidence: only the vendor can mark an element as verified; use “Evidenced” at most.",
    ]
    assert errors[3][0].startswith("Champion evidence: only the vendor")


# --- owner column ------------------------------------------------------------------------------------------


def test_owner_column(world):
    with scopes_disabled():
        add_member(make_user("former@alpha.example"), world.acme, Role.PARTNER_REP, world.alpha)
        Membership.objects.filter(user__email="former@alpha.example").update(is_active=False)
    header = HEADER + ",owner_email"
    data = csv_text(
        line() + ",REP@alpha.example",
        line() + ",",
        line() + ",rep@beta.example",
        line() + ",cm@acme.example",
        line() + ",former@alpha.example",
        line() + ",nobody@alpha.example",
        header=header,
    )
    result = preview(world, data)
    assert result.rows[0].owner == world.partner_rep
    assert result.rows[1].owner is None  # the importer
    errors = row_errors(result)
    assert set(errors) == {4, 5, 6, 7}
    assert errors[4] == ["Owner: “rep@beta.example” is not an active member of Alpha Systems."]


def test_owner_column_imports_for_the_member_and_defaults_to_the_importer(world):
    data = csv_text(
        line(customer="A") + ",rep@alpha.example", line(customer="B") + ",", header=HEADER + ",owner"
    )
    created = run_import(world, data)
    assert [(deal.customer_name, deal.owner) for deal in created] == [
        ("A", world.partner_rep),
        ("B", world.partner_admin),
    ]
    assert all(deal.partner == world.alpha and deal.registration_status == "draft" for deal in created)


# --- importing ---------------------------------------------------------------------------------------------


def test_import_registers_every_row_through_deal_create(world):
    created = run_import(world, csv_text(line(customer="A"), line(customer="B", phase="evaluation")))
    assert [deal.customer_name for deal in created] == ["A", "B"]
    with scopes_disabled():
        actions = list(
            AuditEntry.objects.filter(deal_id__in=[d.pk for d in created]).values_list("action", "actor")
        )
    assert actions == [("deal.create", world.partner_admin.pk)] * 2
    assert {deal.customer_key for deal in created} == {"a", "b"}


def test_one_bad_line_imports_nothing(world):
    data = csv_text(
        line(customer="Good One"), line(customer="Good Two"), line(customer="Bad", reason="1\n2\n3\n4")
    )
    with pytest.raises(DealImportRejected) as rejected:
        run_import(world, data)
    assert deal_names(world) == []
    assert rejected.value.messages == [
        "Line 4: Proposal reason: The proposal reason has 4 lines; keep it to 3 lines."
    ]
    with scopes_disabled():
        assert not AuditEntry.objects.exists()


def test_only_partner_admins_may_preview_or_import(world):
    for user in (world.partner_rep, world.channel_manager, world.vendor_admin):
        with vendor_scope(world.acme), pytest.raises(PermissionDenied):
            deal_import_preview(access=access_of(user, world.acme), data=csv_text(line()).encode())
        with vendor_scope(world.acme), pytest.raises(PermissionDenied):
            deal_import(access=access_of(user, world.acme), data=csv_text(line()).encode())


def test_too_many_rows(world, settings):
    settings.DEAL_IMPORT_MAX_ROWS = 2
    assert preview(world, csv_text(line(), "", line())).can_import
    result = preview(world, csv_text(line(), line(), line()))
    assert result.errors == ["Line 4: the file has more than 2 rows. Split it into files of at most 2 rows."]


def test_exported_deals_import_again_as_they_are(world, client_for):
    register(
        world, world.partner_rep, submit=True, customer_name="=SUM(1,2)", proposal_reason="一行目\n二行目"
    )
    register(
        world,
        world.partner_admin,
        customer_name="Northwind, Inc.",
        phase="lost",
        loss_type="no_decision",
        close_date=date.today() - timedelta(days=5),
        customer_corporate_number="7000012050002",
        customer_industry="",
        customer_size="unknown",
        meddic={"champion": {"level": 2, "evidence": "evidenced"}, "metrics": {"level": 1}},
    )
    client = client_for(world.partner_admin)
    for language in ("en", "ja"):
        exported = raw_body(
            client.get(reverse("deal_export", args=["acme"]), headers={"accept-language": language})
        )
        result = preview(world, exported)
        assert result.can_import, (language, result.errors, row_errors(result))
        by_name = {row.fields["customer_name"]: row for row in result.rows}
        assert set(by_name) == {"=SUM(1,2)", "Northwind, Inc."}  # the export's quote is taken off again
        northwind = by_name["Northwind, Inc."]
        assert northwind.fields == {
            "customer_name": "Northwind, Inc.",
            "title": "基幹システム刷新",
            "customer_corporate_number": "7000012050002",
            "proposal_reason": "現行システムの保守切れ\n在庫の見える化が急務",
            "amount": 12_000_000,
            "close_date": date.today() - timedelta(days=5),
            "phase": "lost",
            "loss_type": "no_decision",
            "customer_size": "unknown",
        }
        assert northwind.owner == world.partner_admin
        assert northwind.meddic["champion"] == {"level": 2, "evidence": "evidenced"}
        assert by_name["=SUM(1,2)"].owner == world.partner_rep
        assert by_name["=SUM(1,2)"].fields["proposal_reason"] == "一行目\n二行目"
    created = run_import(world, exported)
    assert len(created) == 2


# --- the page ----------------------------------------------------------------------------------------------


def import_url():
    return reverse("deal_import", args=["acme"])


def upload(client, content: bytes, name="deals.csv"):
    return client.post(import_url(), {"file": SimpleUploadedFile(name, content, content_type="text/csv")})


def test_upload_preview_confirm(world, client_for):
    client = client_for(world.partner_admin)
    page = client.get(import_url())
    assert page.status_code == 200
    assert reverse("deal_import_template", args=["acme"]) in page.content.decode()

    content = (
        "顧客名,案件名,金額,完了予定日,フェーズ,提案理由,担当者メールアドレス\r\n"
        f"東京商事,刷新,1000000,{FUTURE},提案,理由,rep@alpha.example\r\n"
        f"大阪物産,更改,2000000,{FUTURE},内示,理由,\r\n"
    ).encode("cp932")
    response = upload(client, content)
    assert response.status_code == 302
    assert response["Location"].startswith(import_url() + "?upload=")
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "東京商事" in html and "大阪物産" in html and "Shift_JIS (CP932)" in html and "Riku Rep" in html
    assert "Import 2 deals" in html
    upload_id = page.context["pending"].key
    assert deal_names(world) == []  # the preview keeps nothing

    done = client.post(import_url(), {"upload_id": upload_id}, follow=True)
    assert done.redirect_chain[-1][0].startswith(reverse("deal_list", args=["acme"]))
    assert "2 deals imported as drafts." in " ".join(str(m) for m in done.context["messages"])
    assert deal_names(world) == ["東京商事", "大阪物産"]
    with scopes_disabled():
        assert not PendingImport.objects.filter(key=upload_id).exists()  # done: the upload is gone


def test_preview_with_errors_shows_lines_and_imports_nothing(world, client_for):
    client = client_for(world.partner_admin)
    response = upload(client, csv_text(line(customer="Fine"), line(customer="Bad", amount="abc")).encode())
    page = client.get(response["Location"])
    html = page.content.decode()
    assert 'id="line-3" class="import-row-invalid"' in html
    assert "Amount: “abc” is not a whole number of yen." in html
    assert 'disabled aria-disabled="true"' in html
    only = client.get(response["Location"] + "&show=problems")
    assert [row.line for row in only.context["rows"]] == [3]
    refused = client.post(import_url(), {"upload_id": page.context["pending"].key})
    assert refused.status_code == 400
    assert deal_names(world) == []


def test_file_too_large(world, client_for, settings):
    settings.DEAL_IMPORT_MAX_BYTES = 1024
    response = upload(client_for(world.partner_admin), csv_text(*[line()] * 40).encode())
    assert response.status_code == 400
    assert "The file is larger than 1.0" in response.content.decode()


def test_template_download(world, client_for):
    response = client_for(world.partner_admin).get(reverse("deal_import_template", args=["acme"]))
    text = body(response, "utf-8")
    assert text.startswith("\ufeffOwner email,Customer name,Corporate number,")
    assert "Deal ID" not in text and "Registration status" not in text
    assert text.rstrip().endswith("Champion evidence")


def test_uploads_wait_in_the_database_for_their_uploader_only(world, client_for):
    client = client_for(world.partner_admin)
    response = upload(client, csv_text(line()).encode())
    upload_id = response["Location"].split("upload=")[1]
    with scopes_disabled():
        pending = PendingImport.objects.get(key=upload_id)
    assert (pending.kind, pending.created_by, pending.vendor) == ("deals", world.partner_admin, world.acme)
    assert not any(upload_id in str(value) for value in client.session.values())  # not in the session
    # Another partner admin of the same company cannot open it.
    with scopes_disabled():
        other = make_user("admin2@alpha.example", "Second Admin")
    add_member(other, world.acme, Role.PARTNER_ADMIN, world.alpha)
    assert client_for(other).get(response["Location"]).status_code == 302
