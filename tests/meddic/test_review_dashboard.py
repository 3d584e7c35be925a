"""The dashboard's review work: partners see the vendor's open questions and what to do next; vendor staff see
how much review is waiting."""

from django.urls import reverse

from tests.deals.conftest import register
from tests.meddic.test_reviews import answer, ask, set_state


def dashboard(client_for, user):
    return client_for(user).get(reverse("dashboard", kwargs={"vendor_slug": "acme"})).content.decode()


def test_a_rep_sees_open_questions_on_their_own_deals_only(world, client_for):
    mine = register(world, world.partner_rep, submit=True, customer_name="自社案件株式会社")
    colleague = register(world, world.partner_admin, submit=True, customer_name="同僚案件株式会社")
    ask(world, mine, question="決裁者は誰ですか")
    ask(world, colleague, question="同僚への質問")
    html = dashboard(client_for, world.partner_rep)
    assert "決裁者は誰ですか" in html and "同僚への質問" not in html
    admin_html = dashboard(client_for, world.partner_admin)
    assert "決裁者は誰ですか" in admin_html and "同僚への質問" in admin_html
    assert "決裁者は誰ですか" not in dashboard(client_for, world.beta_rep)


def test_answered_questions_leave_the_partner_dashboard(world, client_for):
    deal = register(world, world.partner_rep, submit=True)
    request = ask(world, deal, question="推進者の直近の行動は")
    answer(world, request)
    assert "推進者の直近の行動は" not in dashboard(client_for, world.partner_rep)


def test_what_to_do_next_names_the_missing_fact(world, client_for):
    register(world, world.partner_rep, submit=True, phase="proposal", customer_name="提案中株式会社")
    html = dashboard(client_for, world.partner_rep)
    assert "提案中株式会社" in html and "What to do next" in html
    assert "No risk flags on your open deals." not in html


def test_vendor_staff_see_unreviewed_questions_and_answers_waiting(world, client_for):
    first = register(world, world.partner_rep, submit=True)
    second = register(world, world.partner_admin, submit=True, customer_name="二件目株式会社")
    set_state(world, [second], "qualified")
    request = ask(world, first)
    answer(world, request)
    html = dashboard(client_for, world.channel_manager)
    assert "Review of your partners" in html
    # second is qualified; first moved to needs_info when asked, and its answer waits for a look.
    assert 'href="/v/acme/review/?state=unreviewed"' in html
    from meddic.dashboard import vendor_review
    from prm.tenancy import vendor_scope
    from tests.conftest import access_of

    with vendor_scope(world.acme):
        work = vendor_review(access_of(world.channel_manager, world.acme))
    assert (work["unreviewed"], work["needs_info"], work["requests_answered"], work["requests_open"]) == (
        0,
        1,
        1,
        0,
    )
