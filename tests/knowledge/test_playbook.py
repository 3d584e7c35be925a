"""The high-performer playbook: who the high performers are, which support counts (before the cut-off), the
comparison and each partner's next support; the page, its CSV and the API."""

import csv
import io
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from deals.models import Deal, PhaseChange
from knowledge.models import SupportActivity
from knowledge.playbook import Performer, high_performers, playbook_build, playbook_window
from prm.tenancy import vendor_scope
from tests.conftest import body
from tests.deals.conftest import register


def performers(*rows):
    return [Performer(i, name, won, closed) for i, (name, closed, won) in enumerate(rows)]


def highs(rows):
    return [row.name for row in high_performers(rows) if row.high]


def test_high_performers_are_the_top_quarter_of_partners_with_enough_closed_deals():
    # E has the most won but too few closed deals; F closed enough but won nothing: neither is ranked.
    four = [("A", 10, 900), ("B", 6, 800), ("C", 5, 700), ("D", 5, 600), ("E", 4, 5_000), ("F", 8, 0)]
    assert highs(performers(*four)) == ["A"]  # ceil(4 / 4) = 1
    assert highs(performers(*four, ("G", 5, 650))) == ["A", "B"]  # ceil(5 / 4) = 2
    # A partner tied with the last high performer is one too.
    assert highs(performers(("A", 10, 900), ("B", 6, 900), ("C", 5, 700), ("D", 5, 600))) == ["A", "B"]
    assert highs(performers(("A", 4, 900))) == []


def test_the_window_is_the_last_four_complete_fiscal_quarters(world):
    window = playbook_window(world.acme, today=datetime(2026, 11, 24).date())
    assert window.quarters == ("FY2025-Q3", "FY2025-Q4", "FY2026-Q1", "FY2026-Q2")
    assert (window.start.isoformat(), window.end.isoformat()) == ("2025-10-01", "2026-10-01")


@pytest.fixture
def book(world):
    """Alpha won five deals in the window (a high performer), Beta lost five. All close on ``close``; Alpha's
    first deal entered pre-approval ten days before. Support is logged before and after the cut-offs."""
    window = playbook_window(world.acme)
    close = window.end - timedelta(days=20)
    made = {"alpha": [], "beta": []}
    for key, user, phase in (("alpha", world.partner_rep, "won"), ("beta", world.beta_rep, "lost")):
        for n in range(5):
            deal = register(world, user, submit=True, customer_name=f"{key}顧客{n}")
            with scopes_disabled():
                Deal.objects.filter(pk=deal.pk).update(
                    phase=phase,
                    loss_type="competitor" if phase == "lost" else "",
                    amount=100,
                    close_date=close,
                    registered_at=datetime.combine(close - timedelta(days=60), time(3), UTC),
                )
            made[key].append(deal)
    first = made["alpha"][0]
    groundwork = close - timedelta(days=10)
    with scopes_disabled():
        PhaseChange.objects.create(
            vendor=world.acme,
            deal=first,
            from_phase="proposal",
            to_phase="pre_approval",
            changed_at=datetime.combine(groundwork, time(3), UTC),
        )

        def log(partner, kind, day, deal=None):
            SupportActivity.objects.create(
                vendor=partner.vendor,
                partner=partner,
                deal=deal,
                support_type=kind,
                date=day,
                hours=Decimal(1),
            )

        log(world.alpha, "joint_visit", groundwork - timedelta(days=2), first)  # before its cut-off: counts
        log(world.alpha, "proposal_review", groundwork + timedelta(days=2), first)  # after: does not
        log(world.alpha, "joint_visit", close + timedelta(days=3), made["alpha"][1])  # after close: does not
        log(world.alpha, "study_session", close - timedelta(days=100))  # partner-level, within 180 days
        log(world.beta, "study_session", close - timedelta(days=200))  # partner-level, too long before
        log(world.rival and world.gamma, "joint_visit", close - timedelta(days=5))
    with vendor_scope(world.acme):
        return playbook_build(vendor=world.acme)


def comparison(book, kind):
    return next(c for c in book.comparisons if c.support_type == kind)


def test_support_counts_only_up_to_each_deals_cut_off(world, book):
    assert [p.name for p in book.high_performers] == [world.alpha.name]
    visits = comparison(book, "joint_visit")
    assert (visits.high.received, visits.high.n, visits.rest.received, visits.rest.n) == (1, 5, 0, 5)
    sessions = comparison(book, "study_session")
    assert (sessions.high.received, sessions.rest.received) == (5, 0)
    assert comparison(book, "proposal_review").high.received == 0
    assert sessions.difference == pytest.approx(1.0) and sessions.lift is None  # the others never got it
    assert sessions.fisher_p == pytest.approx(0.0079, abs=1e-4)  # [[5, 0], [0, 5]]
    assert not sessions.enough_data  # five deals a group


def test_the_next_support_closes_the_largest_gaps(world, book):
    [beta] = book.recommendations
    assert beta.name == world.beta.name and beta.deals == 5
    assert [(kind, round(gap, 2)) for kind, gap in beta.next] == [
        ("study_session", 1.0),
        ("joint_visit", 0.2),
    ]


def test_page_csv_and_api(world, book, client_for, django_assert_max_num_queries):
    client = client_for(world.channel_manager)
    with django_assert_max_num_queries(18):  # the first visit computes the playbook and stores it
        client.get(reverse("insights_playbook", kwargs={"vendor_slug": "acme"}))
    with django_assert_max_num_queries(13):
        page = client.get(
            reverse("insights_playbook", kwargs={"vendor_slug": "acme"}), HTTP_ACCEPT_LANGUAGE="en"
        )
    text = page.content.decode()
    assert "Support follows promising deals" in text and world.alpha.name in text
    assert "Study session +100%" in text
    filtered = client.get(reverse("insights_playbook", kwargs={"vendor_slug": "acme"}), {"tier": "gold"})
    assert list(filtered.context["page_obj"]) == []  # Alpha (gold) is a high performer: nothing to recommend
    export = client.get(reverse("insights_playbook_export", kwargs={"vendor_slug": "acme"}))
    rows = list(csv.reader(io.StringIO(body(export))))
    assert rows[0][0] == "Support" and len(rows) == 1 + 8 + 1 + 1 + 1
    answer = client.get("/api/v1/vendors/acme/insights/playbook/").json()
    assert [p["id"] for p in answer["performers"] if p["high"]] == [world.alpha.pk]
    assert answer["recommendations"][0]["next"][0] == {"support_type": "study_session", "gap": 1.0}
