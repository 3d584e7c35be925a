"""The dashboard shows each role the deal work waiting for them."""

from datetime import date, timedelta

from django.urls import reverse

from deals import dashboard
from prm.tenancy import vendor_scope
from tests.conftest import access_of
from tests.deals.conftest import register
from tests.deals.test_workflow import act


def open_dashboard(client_for, user):
    return client_for(user).get(reverse("dashboard", kwargs={"vendor_slug": "acme"})).content.decode()


def test_channel_manager_sees_registrations_waiting_and_open_conflicts(world, client_for):
    register(world, world.partner_rep, submit=True, customer_name="北都精機株式会社")
    register(world, world.beta_rep, submit=True, customer_name="北都精機(株)")
    register(world, world.partner_rep, customer_name="下書き商事")
    page = open_dashboard(client_for, world.channel_manager)
    assert "北都精機株式会社" in page and "北都精機(株)" in page
    assert "下書き商事" not in page
    with vendor_scope(world.acme):
        work = dashboard.vendor_work(access_of(world.channel_manager, world.acme))
    assert (work["waiting_count"], work["conflict_count"]) == (2, 1)
    # Every waiting registration is one click away, in the dashboard's order (oldest first).
    assert (
        "?registration_status=submitted&amp;sort=registered" in page
        and "See all 2 waiting registrations" in page
    )


def test_the_channel_managers_own_partners_come_first(world):
    beta = register(world, world.beta_rep, submit=True, customer_name="先に登録")
    alpha = register(world, world.partner_rep, submit=True, customer_name="後に登録")
    with vendor_scope(world.acme):
        mine_first = dashboard.vendor_work(access_of(world.channel_manager, world.acme))["waiting"]
        oldest_first = dashboard.vendor_work(access_of(world.vendor_admin, world.acme))["waiting"]
    assert [d.pk for d in mine_first] == [alpha.pk, beta.pk]
    assert [d.pk for d in oldest_first] == [beta.pk, alpha.pk]


def test_approved_registrations_leave_the_queue(world):
    deal = register(world, world.partner_rep, submit=True)
    act(world, world.channel_manager, deal, "approve")
    with vendor_scope(world.acme):
        assert dashboard.vendor_work(access_of(world.channel_manager, world.acme))["waiting_count"] == 0


def test_a_rep_sees_their_returned_and_draft_deals_and_pipeline(world, client_for):
    returned = register(world, world.partner_rep, submit=True, customer_name="差戻し工業", amount=3_000_000)
    act(world, world.channel_manager, returned, "return", reason="決裁者を追記")
    register(world, world.partner_rep, customer_name="下書き商事", amount=2_000_000)
    register(world, world.partner_admin, customer_name="管理者の案件", amount=9_000_000)
    register(world, world.beta_rep, customer_name="他社の案件")
    with vendor_scope(world.acme):
        work = dashboard.partner_work(access_of(world.partner_rep, world.acme))
    assert [d.customer_name for d in work["attention"]] == ["差戻し工業", "下書き商事"]
    assert (work["open_count"], work["open_amount"]) == (2, 5_000_000)
    page = open_dashboard(client_for, world.partner_rep)
    assert "差戻し工業" in page and "管理者の案件" not in page and "他社の案件" not in page
    assert "¥5,000,000" in page


def test_the_partner_admin_sees_the_whole_company(world):
    register(world, world.partner_rep, customer_name="担当者の下書き")
    register(world, world.partner_admin, customer_name="管理者の下書き")
    with vendor_scope(world.acme):
        work = dashboard.partner_work(access_of(world.partner_admin, world.acme))
    assert {d.customer_name for d in work["attention"]} == {"担当者の下書き", "管理者の下書き"}


def test_dashboard_queries_do_not_grow_with_deals(world, client_for, django_assert_max_num_queries):
    for number in range(12):
        register(world, world.partner_rep, submit=True, customer_name=f"顧客{number}")
    client = client_for(world.channel_manager)
    url = reverse("dashboard", kwargs={"vendor_slug": "acme"})
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200


def test_sidebar_links_to_deals_for_everyone_and_conflicts_for_vendor_staff(world, client_for):
    rep_page = open_dashboard(client_for, world.partner_rep)
    staff_page = open_dashboard(client_for, world.channel_manager)
    deals_url = reverse("deal_list", kwargs={"vendor_slug": "acme"})
    conflicts_url = reverse("conflict_list", kwargs={"vendor_slug": "acme"})
    assert deals_url in rep_page and deals_url in staff_page
    assert conflicts_url in staff_page and conflicts_url not in rep_page


def test_vendor_staff_see_the_open_pipeline_of_registered_deals(world):
    register(world, world.partner_rep, submit=True, amount=4_000_000)
    register(world, world.beta_rep, submit=True, customer_name="別会社", amount=6_000_000)
    register(world, world.partner_rep, customer_name="下書き", amount=50_000_000)
    register(
        world,
        world.partner_rep,
        submit=True,
        customer_name="失注先",
        phase="lost",
        loss_type="competitor",
        close_date=date.today() - timedelta(days=3),
        amount=7_000_000,
    )
    with vendor_scope(world.acme):
        work = dashboard.vendor_work(access_of(world.channel_manager, world.acme))
    assert (work["open_count"], work["open_amount"]) == (2, 10_000_000)
