"""The deal page's readable history: audit entries as labelled rows (deals.history.history_rows)."""

import pytest
from django_scopes import scopes_disabled

from audit.models import AuditEntry
from audit.services import deal_history
from deals import services, workflow
from deals.history import history_rows
from deals.models import Deal
from prm.tenancy import vendor_scope
from tests.conftest import access_of
from tests.deals.conftest import register


@pytest.fixture
def deal(world):
    return register(
        world,
        world.partner_rep,
        submit=True,
        meddic={"economic_buyer": {"level": 1, "evidence": "reported", "access": "via_partner"}},
    )


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


def rows_for(world, deal):
    with vendor_scope(world.acme):
        return history_rows(list(deal_history(deal)), deal)


def change_texts(rows):
    return [f"{c.label}: {c.before} → {c.after}" for row in rows for c in row.changes]


class TestHistoryRows:
    def test_deal_changes_turn_codes_into_labels(self, world, deal):
        update(world, world.partner_rep, deal, fields={"phase": "proposal", "customer_size": "5000_plus"})
        newest = rows_for(world, deal)[0]
        assert newest.action == "Changed the deal"
        assert newest.actor == world.partner_rep
        texts = change_texts([newest])
        assert "Phase: Evaluation / PoC → Proposal & quote" in texts
        assert "Company size: 300–999 employees → 5,000 employees or more" in texts

    def test_element_changes_are_prefixed_with_the_element(self, world, deal):
        update(
            world,
            world.channel_manager,  # "vendor met" is the vendor's own assertion (DESIGN §17)
            deal,
            meddic={
                "economic_buyer": {"access": "vendor_met", "level": 2},
                "decision_process": {"co_reviewers": ["it", "legal"]},
            },
        )
        texts = change_texts(rows_for(world, deal)[:2])
        assert "Economic buyer · Access to them: Via the partner → Vendor has met them" in texts
        assert "Economic buyer · Level: Hypothesis → Confirmed" in texts
        assert "Decision process · Co-reviewers: — → IT, Legal" in texts

    def test_creation_lists_the_values_without_a_before(self, world, deal):
        created = rows_for(world, deal)[-1]
        assert created.action == "Created the deal"
        amount = next(c for c in created.changes if c.label == "Amount")
        assert amount.created and amount.after == "¥12,000,000"
        industry = next(c for c in created.changes if c.label == "Industry")
        assert industry.after == "Manufacturing"

    def test_workflow_steps_carry_status_labels_and_reason(self, world, deal):
        with vendor_scope(world.acme):
            workflow.deal_transition(
                access=access_of(world.channel_manager, world.acme),
                deal=deal,
                action="return",
                reason="決裁者は？",
            )
        newest = rows_for(world, deal)[0]
        assert newest.action == "Returned the registration for facts"
        assert newest.actor == world.channel_manager
        assert newest.reason == "決裁者は？"
        assert "Registration status: Submitted → Returned for facts" in change_texts([newest])

    def test_dates_and_unknown_actions_stay_readable(self, world, deal):
        with scopes_disabled():
            entry = AuditEntry(
                vendor=world.acme,
                action="deal.something_new",
                subject_type="deal",
                subject_id=deal.pk,
                deal_id=deal.pk,
                changes={"close_date": ["2026-04-01", "2026-05-15"], "protection_expired": [False, True]},
            )
        row = history_rows([entry], deal)[0]
        assert row.action == "deal.something_new"
        texts = change_texts([row])
        assert "Close date: April 1, 2026 → May 15, 2026" in texts
        assert "Protection ended: No → Yes" in texts

    def test_conflict_resolution_does_not_name_the_other_partner(self, world, deal):
        with scopes_disabled():
            keep_this = AuditEntry(
                vendor=world.acme,
                action="conflict.resolve",
                subject_type="registrationconflict",
                subject_id=1,
                deal_id=deal.pk,
                changes={"kept": [None, deal.pk]},
            )
            keep_other = AuditEntry(
                vendor=world.acme,
                action="conflict.resolve",
                subject_type="registrationconflict",
                subject_id=1,
                deal_id=deal.pk,
                changes={"kept": [None, deal.pk + 1000]},
            )
            keep_both = AuditEntry(
                vendor=world.acme,
                action="conflict.resolve",
                subject_type="registrationconflict",
                subject_id=1,
                deal_id=deal.pk,
                changes={"kept": [None, None]},
            )
        rows = history_rows([keep_this, keep_other, keep_both], deal)
        assert [row.changes[0].after for row in rows] == [
            "This deal",
            "The other registration",
            "Both (different customers)",
        ]
        assert all(row.changes[0].created for row in rows)
        assert rows[0].action == "Resolved a registration conflict"
