"""The deal page: what a reader sees at a glance (answers, elements, freshness, history, steps)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from deals import services, workflow
from deals.models import Deal
from meddic.models import MeddicElement
from prm.tenancy import vendor_scope
from tests.conftest import access_of
from tests.deals.conftest import register


def page(client_for, user, deal):
    client = client_for(user)
    return client.get(reverse("deal_detail", kwargs={"vendor_slug": "acme", "deal_id": deal.pk}))


def update(world, user, deal, fields=None, meddic=None):
    with vendor_scope(world.acme), scopes_disabled():
        current = Deal.objects.get(pk=deal.pk)
        return services.deal_update(
            access=access_of(user, world.acme),
            deal=current,
            version=current.version,
            fields=fields,
            meddic=meddic,
        )


@pytest.fixture
def deal(world):
    return register(
        world,
        world.partner_rep,
        submit=True,
        customer_corporate_number="7000012050002",
        proposal_reason="保守切れが迫っている\n在庫の見える化が急務\n部長が予算化を検討中",
        meddic={
            "economic_buyer": {
                "level": 1,
                "evidence": "reported",
                "title_level": "executive",
                "access": "via_partner",
            },
            "decision_criteria": {"level": 2, "criteria": ["price", "security"], "position": "leading"},
            "identify_pain": {"level": 3, "severity": 4, "urgency": "this_quarter", "note": "欠品で機会損失"},
        },
    )


class TestDealPage:
    def test_header_and_template_answers(self, world, client_for, deal):
        response = page(client_for, world.channel_manager, deal)
        assert response.status_code == 200
        html = response.content.decode()
        for text in (
            "株式会社サンプル商事",
            "基幹システム刷新",
            "Alpha Systems",
            "Riku Rep",
            "Evaluation / PoC",
            "Submitted",
            "¥12,000,000",
            "Manufacturing",
            "300–999 employees",
            "7000012050002",
        ):
            assert text in html, text
        # The proposal reason is shown as its lines.
        assert html.count("<li>保守切れが迫っている</li>") == 1
        assert "<li>部長が予算化を検討中</li>" in html
        assert "Champion activity log" in html

    def test_the_six_elements_with_levels_evidence_and_answers(self, world, client_for, deal):
        html = page(client_for, world.partner_rep, deal).content.decode()
        for label in (
            "Metrics",
            "Economic buyer",
            "Decision criteria",
            "Decision process",
            "Identify pain",
            "Champion",
        ):
            assert f">{label}</h3>" in html, label
        assert "1 · Hypothesis" in html
        assert "3 · Agreed &amp; documented" in html
        assert "Reported by partner" in html
        # Element answers with their labels, codes turned into labels.
        assert "Division head / executive" in html
        assert "Via the partner" in html
        assert "Price, Security" in html
        assert "This quarter" in html
        assert "欠品で機会損失" in html

    def test_freshness_in_days_since_last_confirmed(self, world, client_for, deal):
        with scopes_disabled():
            MeddicElement.objects.filter(deal=deal, code="identify_pain").update(
                last_confirmed_at=timezone.now() - timedelta(days=12)
            )
        html = page(client_for, world.partner_rep, deal).content.decode()
        assert "12 days ago" in html
        assert "today" in html  # economic buyer, confirmed on registration
        assert "never" in html  # metrics, never answered

    def test_history_shows_labels_before_and_after(self, world, client_for, deal):
        update(world, world.partner_rep, deal, fields={"phase": "proposal", "amount": 15_000_000})
        html = page(client_for, world.channel_manager, deal).content.decode()
        assert "Changed the deal" in html
        assert "Evaluation / PoC" in html and "Proposal &amp; quote" in html
        assert "¥12,000,000" in html and "¥15,000,000" in html
        # The phase history shows the step with who made it.
        assert "Phase history" in html

    def test_approval_protection_badge(self, world, client_for, deal):
        with vendor_scope(world.acme):
            workflow.deal_transition(
                access=access_of(world.channel_manager, world.acme), deal=deal, action="approve"
            )
        html = page(client_for, world.partner_rep, deal).content.decode()
        assert "Protected until" in html

    def test_partner_cannot_open_another_companys_deal(self, world, client_for, deal):
        assert page(client_for, world.beta_rep, deal).status_code == 404

    def test_rep_sees_submit_on_a_draft_and_no_vendor_steps(self, world, client_for):
        draft = register(world, world.partner_rep)
        html = page(client_for, world.partner_rep, draft).content.decode()
        assert "Submit registration" in html
        assert "Approve" not in html

    def test_channel_manager_sees_the_vendor_steps(self, world, client_for, deal):
        html = page(client_for, world.channel_manager, deal).content.decode()
        assert "Approve" in html and "Reject" in html and "Return for facts" in html
        assert "Approving protects this registration until" in html


def test_page_queries_stay_bounded(world, client_for, deal, django_assert_max_num_queries):
    for amount in (13_000_000, 14_000_000, 15_000_000):
        update(
            world,
            world.partner_rep,
            deal,
            fields={"amount": amount},
            meddic={"metrics": {"note": str(amount)}},
        )
    client = client_for(world.channel_manager)
    path = reverse("deal_detail", kwargs={"vendor_slug": "acme", "deal_id": deal.pk})
    with django_assert_max_num_queries(20):
        assert client.get(path).status_code == 200
