"""CSV in and out with hostile cells: exports never hand a spreadsheet a formula, imports keep text as typed.

Every CSV download of the project (the ``.csv`` URLs of the isolation tables) is read after formula payloads went
into deals, a champion log, a rejection, a conflict and a partner name: no cell may start with ``= + - @``, tab or
carriage return (``prm.csv_export.safe_cell`` puts a quote first). Imports store such text as typed, take back our
own quoted cells, and refuse broken files (invalid bytes, NUL) with a line-numbered message, importing nothing.
"""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from deals.models import Deal
from partners.csv_import import partner_import_preview
from partners.models import PartnerCompany
from prm.csv_export import FORMULA_PREFIXES
from prm.tenancy import vendor_scope
from tests.badinput.conftest import FORMULAS, JAPANESE, success_role
from tests.conftest import access_of
from tests.deals.conftest import register
from tests.deals.test_csv_import import FUTURE, csv_text, line, preview, run_import
from tests.isolation.cases_deals_api import activity as champion_activity
from tests.isolation.test_url_matrix import CASES

HYPERLINK, CMD, ARITHMETIC, AT_SUM = FORMULAS


def csv_cases():
    cases = {}
    for case in CASES:
        key = case.covers or case.name
        csv_name = "export" in case.name or "template" in case.name or case.name.endswith("_csv")
        if csv_name and case.method == "get" and not case.path and key not in cases and success_role(case):
            cases[key] = case
    return list(cases.values())


def cells(response) -> list[list[str]]:
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode(
        "utf-8-sig"
    )
    return list(csv.reader(io.StringIO(text)))


def seed_formulas(world, client_for):
    """Formula payloads in every kind of text an export carries."""
    with scopes_disabled():
        PartnerCompany.objects.filter(pk=world.beta.pk).update(name=HYPERLINK)
    alpha = register(
        world, world.partner_rep, submit=True, customer_name=HYPERLINK, title=CMD, proposal_reason=ARITHMETIC
    )
    register(world, world.beta_rep, submit=True, customer_name=HYPERLINK, title=AT_SUM)
    rejected = register(world, world.partner_rep, submit=True, customer_name="別の顧客", title=ARITHMETIC)
    client = client_for(world.partner_rep)
    url = reverse("api_deal_champion_activities", kwargs={"vendor_slug": "acme", "deal_id": alpha.pk})
    body = {**champion_activity(world), "next_step": AT_SUM}
    assert client.post(url, body, content_type="application/json").status_code == 201
    client = client_for(world.channel_manager)
    url = reverse("api_deal_reject", kwargs={"vendor_slug": "acme", "deal_id": rejected.pk})
    assert client.post(url, {"reason": HYPERLINK}, content_type="application/json").status_code == 200


def test_every_csv_export_neutralises_formulas(world, client_for):
    seed_formulas(world, client_for)
    exports = csv_cases()
    assert len(exports) >= 10, [case.id for case in exports]
    seen = set()
    for case in exports:
        client = client_for(world.user(success_role(case)))
        data = case.data(world) if case.data else {}
        response = client.get(reverse(case.name, kwargs=case.kwargs(world)), data)
        assert response.status_code == 200, case.id
        if not response["Content-Type"].startswith("text/csv"):
            continue
        for row in cells(response):
            for cell in row:
                assert not cell.startswith(FORMULA_PREFIXES), f"{case.id}: {cell!r}"
                if cell[1:] in FORMULAS:
                    seen.add(cell)
    # The payloads did reach the exports, quoted (deal titles and names, partner names, reasons).
    assert {f"'{HYPERLINK}", f"'{CMD}", f"'{ARITHMETIC}"} <= seen


def csv_of(*rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(
        [["customer_name", "title", "amount", "close_date", "phase", "proposal_reason"], *rows]
    )
    return buffer.getvalue().encode()


def test_deal_import_keeps_formula_text_as_typed_and_takes_back_our_quotes(world):
    created = run_import(
        world,
        csv_of(
            [HYPERLINK, CMD, "1000000", FUTURE, "proposal", ARITHMETIC],
            ["'" + AT_SUM, "'" + CMD, "1000000", FUTURE, "proposal", "理由"],
        ),
    )
    with scopes_disabled():
        deals = list(Deal.objects.filter(pk__in=[d.pk for d in created]).order_by("pk"))
    assert [(d.customer_name, d.title, d.proposal_reason) for d in deals] == [
        (HYPERLINK, CMD, ARITHMETIC),
        (AT_SUM, CMD, "理由"),
    ]


def test_partner_export_reimports_as_the_same_name(world, client_for):
    """What our export quoted comes back unquoted when the file is imported again."""
    with scopes_disabled():
        PartnerCompany.objects.filter(pk=world.beta.pk).update(name=HYPERLINK)
    admin = client_for(world.vendor_admin)
    exported = cells(admin.get(reverse("partner_export", kwargs={"vendor_slug": "acme"})))
    names = [row[0] for row in exported[1:]]
    assert f"'{HYPERLINK}" in names
    content = "name\r\n" + "'" + AT_SUM + "\r\n"
    with vendor_scope(world.acme):
        result = partner_import_preview(
            access=access_of(world.vendor_admin, world.acme), data=content.encode()
        )
    assert [row.name for row in result.rows] == [AT_SUM]


@pytest.mark.parametrize(
    "content",
    [
        b"customer_name,title,amount,close_date,phase,proposal_reason\r\n\xff\xfe\xc0\xaf,x,1,2030-01-01,proposal,r\r\n",
        b"customer_name,title,amount,close_date,phase,proposal_reason\r\nA\x00B,x,1,2030-01-01,proposal,r\r\n",
    ],
    ids=["invalid-utf8", "nul"],
)
def test_a_broken_upload_is_refused_in_japanese_and_imports_nothing(
    world, client_for, nothing_saved, content
):
    client = client_for(world.partner_admin)
    url = reverse("deal_import", kwargs={"vendor_slug": "acme"})
    upload = SimpleUploadedFile("deals.csv", content, content_type="text/csv")
    with nothing_saved():
        response = client.post(url, {"file": upload}, headers={"accept-language": "ja"}, follow=True)
        assert response.status_code == 200
        problems = response.context["preview"].errors
        assert problems and all(JAPANESE.search(str(problem)) for problem in problems), problems
        assert client.post(url, {"upload_id": response.context["pending"].key}).status_code == 400


def test_emoji_and_half_width_katakana_import_as_typed(world):
    result = preview(world, csv_text(line(customer="ｻﾝﾌﾟﾙ商事🎉", title="ＡＢＣ１２３ 刷新")))
    assert result.can_import
    created = run_import(world, csv_text(line(customer="ｻﾝﾌﾟﾙ商事🎉", title="ＡＢＣ１２３ 刷新")))
    with scopes_disabled():
        deal = Deal.objects.get(pk=created[0].pk)
    assert (deal.customer_name, deal.title) == ("ｻﾝﾌﾟﾙ商事🎉", "ＡＢＣ１２３ 刷新")
