"""The deal list and its CSV export: who sees what, every filter and the search, sorting, paging, the file."""

import csv
import io
import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from deals.csv_import import COLUMNS
from deals.filters import DealFilter
from deals.models import Deal, RegistrationConflict
from meddic.models import MeddicElement
from prm.tenancy import vendor_scope
from tests.conftest import access_of, body
from tests.deals.conftest import register

pytestmark = pytest.mark.django_db

TODAY = date.today()
LIST = reverse("deal_list", args=["acme"])
EXPORT = reverse("deal_export", args=["acme"])


def month(day: date) -> str:
    return f"{day:%Y-%m}"


@pytest.fixture
def deals(world):
    """Alpha: two deals of its rep (one a won draft), one of its admin. Beta: a registered deal and a draft.
    Rival: a deal of the other vendor."""
    soon = TODAY + timedelta(days=75)
    later = TODAY + timedelta(days=200)
    made = {
        "sample": register(
            world,
            world.partner_rep,
            submit=True,
            customer_name="株式会社サンプル",
            phase="proposal",
            amount=5_000_000,
            close_date=soon,
        ),
        "northwind": register(
            world,
            world.partner_rep,
            customer_name="Northwind Co., Ltd.",
            phase="won",
            amount=20_000_000,
            close_date=TODAY - timedelta(days=10),
        ),
        "tokyo": register(
            world,
            world.partner_admin,
            submit=True,
            customer_name="東京テック株式会社",
            phase="evaluation",
            amount=1_000_000,
            close_date=later,
        ),
        "beta": register(
            world,
            world.beta_rep,
            submit=True,
            customer_name="ベータ顧客",
            phase="approval",
            amount=8_000_000,
            close_date=later,
        ),
        "beta_draft": register(
            world,
            world.beta_rep,
            customer_name="ベータ下書き",
            phase="lost",
            loss_type="competitor",
            close_date=TODAY - timedelta(days=3),
        ),
        "rival": register(world, world.rival_rep, world.rival, submit=True, customer_name="ライバル顧客"),
    }
    return made


def listed(client, **params) -> list[str]:
    response = client.get(LIST, params)
    assert response.status_code == 200
    return [deal.customer_name for deal in response.context["deals"]]


def as_set(client, **params) -> set[str]:
    return set(listed(client, **params))


# --- who sees what ---------------------------------------------------------------------------------------


def test_rep_starts_on_their_own_deals_and_can_switch_to_the_whole_company(world, deals, client_for):
    client = client_for(world.partner_rep)
    assert as_set(client) == {"株式会社サンプル", "Northwind Co., Ltd."}
    assert as_set(client, scope="all") == {"株式会社サンプル", "Northwind Co., Ltd.", "東京テック株式会社"}
    assert as_set(client, scope="mine", phase="won") == {"Northwind Co., Ltd."}


def test_rep_page_marks_the_scope_and_hides_the_owner_filter_while_on_their_own(world, deals, client_for):
    client = client_for(world.partner_rep)
    page = client.get(LIST).content.decode()
    assert 'aria-current="page" href="?scope=mine"' in page
    assert 'name="owner"' not in page
    page = client.get(LIST, {"scope": "all"}).content.decode()
    assert 'name="owner"' in page


def test_partner_admin_sees_the_whole_company_by_default(world, deals, client_for):
    client = client_for(world.partner_admin)
    assert as_set(client) == {"株式会社サンプル", "Northwind Co., Ltd.", "東京テック株式会社"}
    assert as_set(client, scope="mine") == {"東京テック株式会社"}


@pytest.mark.parametrize("role", ["channel_manager", "vendor_admin"])
def test_vendor_staff_see_every_partners_registered_deals_but_never_drafts(world, deals, client_for, role):
    client = client_for(getattr(world, role))
    visible = {"株式会社サンプル", "東京テック株式会社", "ベータ顧客"}
    assert as_set(client) == visible
    assert as_set(client, registration_status="draft") == set()
    assert as_set(client, q="下書き") == set()
    assert as_set(client, phase=["won", "lost"]) == set()


def test_partner_users_never_see_another_companys_deals(world, deals, client_for):
    client = client_for(world.partner_admin)
    alpha = {"株式会社サンプル", "Northwind Co., Ltd.", "東京テック株式会社"}
    assert as_set(client, partner=world.beta.pk) == alpha  # no partner filter for partner users
    assert as_set(client, owner=world.beta_rep.pk) == alpha  # not a choice: ignored
    assert as_set(client, q="ベータ") == set()
    beta = client_for(world.beta_rep)
    assert as_set(beta, scope="all") == {"ベータ顧客", "ベータ下書き"}
    rows = export(beta, scope="all")
    assert {row["Customer name"] for row in rows} == {"ベータ顧客", "ベータ下書き"}


# --- filters ---------------------------------------------------------------------------------------------


def test_phase_takes_several_values(world, deals, client_for):
    client = client_for(world.partner_admin)
    assert as_set(client, phase=["proposal", "won"]) == {"株式会社サンプル", "Northwind Co., Ltd."}
    assert as_set(client, phase=["evaluation"]) == {"東京テック株式会社"}
    # An unknown phase is ignored rather than emptying the list.
    assert len(listed(client, phase=["nonsense"])) == 3


def test_registration_status(world, deals, client_for):
    client = client_for(world.partner_admin)
    assert as_set(client, registration_status="draft") == {"Northwind Co., Ltd."}
    assert as_set(client, registration_status="submitted") == {"株式会社サンプル", "東京テック株式会社"}


def test_close_month(world, deals, client_for):
    client = client_for(world.partner_admin)
    assert as_set(client, close_month=month(deals["sample"].close_date)) == {"株式会社サンプル"}
    assert as_set(client, close_month=month(deals["northwind"].close_date)) == {"Northwind Co., Ltd."}
    assert as_set(client, close_month="1999-01") == set()


def test_close_month_that_is_not_a_month_is_reported_and_ignored(world, deals, client_for):
    response = client_for(world.partner_admin).get(LIST, {"close_month": "2026-13"})
    assert len(response.context["deals"]) == 3
    assert "Enter a month as YYYY-MM." in response.content.decode()


def test_december_close_month_ends_with_the_year(world, client_for):
    december = date(TODAY.year + 1, 12, 31)
    register(world, world.partner_admin, customer_name="年末", close_date=december)
    register(world, world.partner_admin, customer_name="年始", close_date=date(TODAY.year + 2, 1, 1))
    assert as_set(client_for(world.partner_admin), close_month=f"{TODAY.year + 1}-12") == {"年末"}


def test_owner(world, deals, client_for):
    client = client_for(world.partner_admin)
    assert as_set(client, owner=world.partner_rep.pk) == {"株式会社サンプル", "Northwind Co., Ltd."}
    assert as_set(client, owner=world.partner_admin.pk) == {"東京テック株式会社"}


def test_owner_choices_are_people_the_caller_can_see(world, deals, client_for):
    def choices(user, **params):
        with vendor_scope(world.acme):
            filterset = DealFilter(_query(params), access=access_of(user, world.acme))
            return {label for value, label in filterset.form.fields["owner"].choices if value}

    assert choices(world.partner_admin) == {"Pat Admin", "Riku Rep"}
    assert choices(world.beta_rep) == {"Ben Rep"}
    # Vendor staff: the owners of the deals they can see (drafts' owners alone are not listed).
    assert choices(world.channel_manager) == {"Pat Admin", "Riku Rep", "Ben Rep"}
    assert choices(world.channel_manager, partner=str(world.beta.pk)) == {"Ben Rep"}


def _query(params):
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for key, value in params.items():
        query[key] = value
    return query


def test_partner_filter_for_vendor_staff(world, deals, client_for):
    client = client_for(world.channel_manager)
    assert as_set(client, partner=world.beta.pk) == {"ベータ顧客"}
    assert as_set(client, partner=world.alpha.pk) == {"株式会社サンプル", "東京テック株式会社"}
    assert as_set(client, partner=world.gamma.pk) == {"株式会社サンプル", "東京テック株式会社", "ベータ顧客"}
    assert 'name="partner"' in client.get(LIST).content.decode()
    assert 'name="partner"' not in client_for(world.partner_admin).get(LIST).content.decode()


def test_my_partners_for_channel_managers(world, deals, client_for):
    # Alpha's channel manager is acme's channel manager; Beta has none.
    client = client_for(world.channel_manager)
    assert as_set(client, scope="mine") == {"株式会社サンプル", "東京テック株式会社"}
    assert as_set(client_for(world.vendor_admin), scope="mine") == set()


def test_registration_conflict_flag(world, deals, client_for):
    # Beta registers the same customer as Alpha's submitted deal: both are flagged.
    clash = register(world, world.beta_rep, submit=True, customer_name="(株)サンプル")
    with scopes_disabled():
        assert RegistrationConflict.objects.filter(other=deals["sample"], deal=clash).exists()
    client = client_for(world.channel_manager)
    assert as_set(client, flag="registration_conflict") == {"株式会社サンプル", "(株)サンプル"}
    page = client.get(LIST).content.decode()
    assert page.count('title="Registration conflict"') == 2
    assert len(listed(client, flag="no_such_flag")) == 4
    assert as_set(client_for(world.partner_rep), flag="registration_conflict") == {"株式会社サンプル"}


def test_open_or_closed(world, deals, client_for):
    client = client_for(world.partner_admin)
    assert as_set(client, state="open") == {"株式会社サンプル", "東京テック株式会社"}
    assert as_set(client, state="closed") == {"Northwind Co., Ltd."}
    on_hold = register(world, world.partner_admin, customer_name="保留中", phase="on_hold")
    assert on_hold.customer_name in as_set(client, state="closed")


def test_filters_combine(world, deals, client_for):
    client = client_for(world.partner_admin)
    params = {
        "phase": ["proposal", "evaluation"],
        "registration_status": "submitted",
        "owner": world.partner_rep.pk,
    }
    assert as_set(client, **params) == {"株式会社サンプル"}


# --- search ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("サンプル", {"株式会社サンプル"}),
        ("(株)サンプル", {"株式会社サンプル"}),  # company form written differently
        ("㈱サンプル", {"株式会社サンプル"}),
        ("ｻﾝﾌﾟﾙ", {"株式会社サンプル"}),  # half-width katakana
        ("サンプル 株式会社", {"株式会社サンプル"}),
        ("northwind", {"Northwind Co., Ltd."}),
        ("NORTHWIND INC.", {"Northwind Co., Ltd."}),
        ("Ｎｏｒｔｈｗｉｎｄ", {"Northwind Co., Ltd."}),  # full-width letters
        ("テック", {"東京テック株式会社"}),
        ("株式会社", {"株式会社サンプル", "東京テック株式会社"}),  # only a company form: plain "contains"
        ("存在しない顧客", set()),
    ],
)
def test_search_by_customer(world, deals, client_for, query, found):
    assert as_set(client_for(world.partner_admin), q=query) == found


# --- sorting and paging ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("amount", ["東京テック株式会社", "株式会社サンプル", "Northwind Co., Ltd."]),
        ("-amount", ["Northwind Co., Ltd.", "株式会社サンプル", "東京テック株式会社"]),
        ("close_date", ["Northwind Co., Ltd.", "株式会社サンプル", "東京テック株式会社"]),
        ("-close_date", ["東京テック株式会社", "株式会社サンプル", "Northwind Co., Ltd."]),
        ("phase", ["東京テック株式会社", "株式会社サンプル", "Northwind Co., Ltd."]),
        ("-phase", ["Northwind Co., Ltd.", "株式会社サンプル", "東京テック株式会社"]),
        ("customer", ["Northwind Co., Ltd.", "東京テック株式会社", "株式会社サンプル"]),
        ("-customer", ["株式会社サンプル", "東京テック株式会社", "Northwind Co., Ltd."]),
        # Registered first-to-last; the draft has no registration date and goes last both ways.
        ("registered", ["株式会社サンプル", "東京テック株式会社", "Northwind Co., Ltd."]),
        ("-registered", ["東京テック株式会社", "株式会社サンプル", "Northwind Co., Ltd."]),
        ("updated", ["株式会社サンプル", "Northwind Co., Ltd.", "東京テック株式会社"]),
        ("-updated", ["東京テック株式会社", "Northwind Co., Ltd.", "株式会社サンプル"]),
    ],
)
def test_sort(world, deals, client_for, sort, expected):
    assert listed(client_for(world.partner_admin), sort=sort) == expected


@pytest.mark.parametrize("sort", ["owner__password", "-pk; drop table", "proposal_reason", "?"])
def test_sort_outside_the_whitelist_means_the_default(world, deals, client_for, sort):
    client = client_for(world.partner_admin)
    assert listed(client, sort=sort) == listed(client)


def test_ties_are_broken_by_creation_so_pages_never_overlap(world, client_for):
    for number in range(30):
        register(world, world.partner_admin, customer_name=f"同額{number:02d}", amount=1_000_000)
    client = client_for(world.partner_admin)
    ascending = listed(client, sort="amount") + listed(client, sort="amount", page=2)
    assert ascending == [f"同額{number:02d}" for number in range(30)]
    descending = listed(client, sort="-amount") + listed(client, sort="-amount", page=2)
    assert descending == ascending[::-1]


@pytest.mark.parametrize("field", ["quality", "visibility"])
def test_score_sorts_list_every_deal_across_pages_in_score_order(world, client_for, field):
    from meddic.models import DealScore

    made = [register(world, world.partner_admin, customer_name=f"採点{number:02d}") for number in range(30)]
    with scopes_disabled():  # every deal is scored when it is created; give each a known score
        for number, deal in enumerate(made):
            DealScore.objects.filter(deal=deal).update(**{field: (number * 7) % 10})
    expected = sorted(made, key=lambda deal: (-((made.index(deal) * 7) % 10), -deal.pk))
    client = client_for(world.partner_admin)
    response = client.get(LIST, {"sort": f"-{field}"})
    assert "1–25 of 30" in response.content.decode()
    shown = listed(client, sort=f"-{field}") + listed(client, sort=f"-{field}", page=2)
    assert shown == [deal.customer_name for deal in expected]
    ascending = listed(client, sort=field) + listed(client, sort=field, page=2)
    assert ascending == shown[::-1]


def test_pagination_keeps_the_filters(world, client_for):
    for number in range(27):
        register(world, world.partner_admin, customer_name=f"顧客{number:02d}", phase="proposal")
    register(world, world.partner_admin, customer_name="別フェーズ", phase="evaluation")
    client = client_for(world.partner_admin)
    response = client.get(LIST, {"phase": "proposal", "sort": "customer"})
    assert len(response.context["deals"]) == 25
    page = response.content.decode()
    assert "1–25 of 27" in page
    assert "?phase=proposal&amp;sort=customer&amp;page=2" in page
    assert listed(client, phase="proposal", sort="customer", page=2) == ["顧客25", "顧客26"]


def test_header_links_sort_and_show_the_direction(world, deals, client_for):
    page = client_for(world.partner_admin).get(LIST, {"sort": "amount"}).content.decode()
    assert 'aria-sort="ascending"' in page
    assert "?sort=-amount" in page  # clicking the sorted column reverses it
    assert "?sort=-registered" in page  # others start in their natural direction


# --- page furniture --------------------------------------------------------------------------------------


def test_buttons_by_role(world, deals, client_for):
    pages = {
        role: client_for(getattr(world, role)).get(LIST).content.decode()
        for role in ("partner_rep", "partner_admin", "channel_manager")
    }
    import_url = reverse("deal_import", args=["acme"])
    assert import_url in pages["partner_admin"]
    assert import_url not in pages["partner_rep"]
    assert import_url not in pages["channel_manager"]
    create_url = reverse("deal_create", args=["acme"])
    assert create_url in pages["partner_rep"] and create_url in pages["partner_admin"]
    assert create_url not in pages["channel_manager"]
    assert all(EXPORT in page for page in pages.values())


def test_rows_link_to_the_deal_and_show_partner_to_vendor_staff_only(world, deals, client_for):
    staff = client_for(world.channel_manager).get(LIST).content.decode()
    assert reverse("deal_detail", args=["acme", deals["beta"].pk]) in staff
    assert "Partner / owner" in staff and "Beta Integration<div" in staff
    partner = client_for(world.partner_admin).get(LIST).content.decode()
    assert "Partner / owner" not in partner and ">Owner</th>" in partner
    assert "¥5,000,000" in partner
    # A rep on their own deals is not shown their own name on every row.
    assert ">Owner</th>" not in client_for(world.partner_rep).get(LIST).content.decode()


def test_empty_states_say_what_to_do(world, client_for):
    assert "Import CSV" in client_for(world.partner_admin).get(LIST).content.decode()
    assert "Register your first one" in client_for(world.partner_rep).get(LIST).content.decode()
    assert (
        "No partner has submitted a deal yet" in client_for(world.channel_manager).get(LIST).content.decode()
    )
    register(world, world.partner_admin, customer_name="会社の案件")
    rep = client_for(world.partner_rep)
    assert "You own no deals yet." in rep.get(LIST).content.decode()
    assert "No deals match these filters." in rep.get(LIST, {"scope": "all", "q": "なし"}).content.decode()


def test_japanese_page(world, deals, client_for):
    client = client_for(world.partner_admin)
    response = client.get(LIST, headers={"accept-language": "ja"})
    assert response.status_code == 200
    assert '<html lang="ja">' in response.content.decode()


# --- CSV export ------------------------------------------------------------------------------------------


def export(client, **params) -> list[dict]:
    response = client.get(EXPORT, params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = body(response, "utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_export_has_every_field(world, deals, client_for):
    with vendor_scope(world.acme):
        MeddicElement.objects.filter(deal=deals["sample"], code="champion").update(
            level=2, evidence="evidenced"
        )
        Deal.objects.filter(pk=deals["sample"].pk).update(customer_corporate_number="7000012050002")
    rows = export(client_for(world.partner_admin), sort="customer")
    header = list(rows[0].keys())
    assert header == [str(column.label) for column in COLUMNS]
    sample = next(row for row in rows if row["Customer name"] == "株式会社サンプル")
    assert sample["Deal ID"] == str(deals["sample"].pk)
    assert sample["Partner company"] == "Alpha Systems"
    assert sample["Owner email"] == "rep@alpha.example"
    assert sample["Corporate number"] == "7000012050002"
    assert sample["Industry"] == "Manufacturing"
    assert sample["Company size"] == "300–999 employees"
    assert sample["Deal title"] == "基幹システム刷新"
    assert sample["Amount"] == "5000000"
    assert sample["Close date"] == deals["sample"].close_date.isoformat()
    assert sample["Phase"] == "Proposal & quote"
    assert sample["Proposal reason"] == "現行システムの保守切れ\n在庫の見える化が急務"
    assert sample["Registration status"] == "Submitted"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", sample["Registered"])
    assert sample["Version"] == "1"
    assert (sample["Champion level"], sample["Champion evidence"]) == ("2", "Evidenced")
    assert (sample["Metrics level"], sample["Metrics evidence"]) == ("0", "Unknown")
    won = next(row for row in rows if row["Customer name"] == "Northwind Co., Ltd.")
    assert won["Closed"] and won["Registered"] == "" and won["Registration status"] == "Draft"


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"scope": "mine"},
        {"phase": ["proposal", "won"]},
        {"registration_status": "submitted", "sort": "-amount"},
        {"q": "(株)サンプル"},
        {"state": "closed"},
        {"owner": "nonsense", "sort": "bogus"},
    ],
)
def test_export_has_the_lists_deals_in_the_lists_order(world, deals, client_for, params):
    client = client_for(world.partner_admin)
    assert [row["Customer name"] for row in export(client, **params)] == listed(client, **params)


def test_export_is_not_limited_to_one_page(world, client_for):
    for number in range(30):
        register(world, world.partner_admin, customer_name=f"顧客{number:02d}")
    client = client_for(world.partner_admin)
    assert len(export(client, page=1)) == 30


def test_vendor_staff_export_has_no_drafts_and_no_other_tenant(world, deals, client_for):
    names = {row["Customer name"] for row in export(client_for(world.channel_manager))}
    assert names == {"株式会社サンプル", "東京テック株式会社", "ベータ顧客"}


@pytest.mark.parametrize("dangerous", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_export_neutralises_formulas(world, client_for, dangerous):
    register(world, world.partner_admin, customer_name=dangerous, title="=cmd|' /C calc'!A0")
    row = export(client_for(world.partner_admin))[0]
    assert row["Customer name"] == f"'{dangerous}"
    assert row["Deal title"] == "'=cmd|' /C calc'!A0"


def test_export_header_and_labels_follow_the_language(world, deals, client_for):
    client = client_for(world.partner_admin)
    response = client.get(EXPORT, headers={"accept-language": "ja"})
    header = next(csv.reader(io.StringIO(body(response))))
    with translation.override("ja"):
        assert header == [str(column.label) for column in COLUMNS]


def test_export_flags_column(world, deals, client_for):
    register(world, world.beta_rep, submit=True, customer_name="サンプル株式会社")
    rows = export(client_for(world.channel_manager), flag="registration_conflict")
    assert {row["Customer name"] for row in rows} == {"株式会社サンプル", "サンプル株式会社"}
    assert all(row["Flags"].split("; ")[0] == "Registration conflict" for row in rows)


def test_risk_flags_from_the_score_filter_the_list_and_the_export(world, client_for):

    bare = register(
        world, world.partner_rep, submit=True, customer_name="何もわからない商事", phase="proposal"
    )
    known = register(
        world,
        world.partner_rep,
        submit=True,
        customer_name="チャンピオンあり工業",
        phase="proposal",
        meddic={"champion": {"status": "reported", "level": 2}},
    )
    client = client_for(world.channel_manager)
    rows = export(client, flag="champion_missing")
    assert [row["Customer name"] for row in rows] == ["何もわからない商事"]
    assert "No champion" in rows[0]["Flags"].split("; ")
    html = client.get(LIST, {"flag": "champion_missing"}).content.decode()
    assert bare.customer_name in html and known.customer_name not in html


# --- queries ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["partner_admin", "channel_manager"])
def test_queries_do_not_grow_with_the_number_of_deals(world, client_for, role):
    client = client_for(getattr(world, role))

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"scope": "all"}).status_code == 200
        return len(queries)

    for number in range(3):
        register(world, world.partner_rep, submit=True, customer_name=f"少ない{number}")
    few = count(LIST), count(EXPORT)
    for number in range(20):
        register(world, world.partner_rep, submit=True, customer_name=f"多い{number}")
    assert (count(LIST), count(EXPORT)) == few


def test_every_sort_and_a_deep_page_take_the_same_queries_for_more_deals(world, client_for):
    from deals.filters import SORTS

    client = client_for(world.channel_manager)
    sorts = [f"{direction}{key}" for key in SORTS for direction in ("", "-")]

    def counts():
        found = {}
        for sort in sorts:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(LIST, {"sort": sort}).status_code == 200
            found[sort] = len(queries)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST, {"page": "last"}).status_code == 200
        found["last page"] = len(queries)
        return found

    for number in range(3):
        register(world, world.partner_rep, submit=True, customer_name=f"並び少{number}")
    few = counts()
    for number in range(30):
        register(world, world.beta_rep, submit=True, customer_name=f"並び多{number}")
    assert counts() == few
