"""Registering and editing deals through the template: rules, versions, permissions and history."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scopes_disabled

from audit.models import AppendOnlyError, AuditEntry
from deals import services
from deals.models import Deal, PhaseChange
from meddic.models import ElementCode
from prm.clock import vendor_today
from prm.tenancy import vendor_scope
from tests.conftest import access_of
from tests.deals.conftest import deal_fields, register


def update(world, user, deal, **kwargs):
    with vendor_scope(world.acme):
        kwargs.setdefault("version", Deal.objects.get(pk=deal.pk).version)
        return services.deal_update(access=access_of(user, world.acme), deal=deal, **kwargs)


def history(deal):
    with scopes_disabled():
        return list(AuditEntry.objects.filter(deal_id=deal.pk).order_by("at", "pk"))


class TestCreate:
    def test_owner_partner_and_tenant_come_from_the_caller(self, world):
        deal = register(world, world.partner_rep)
        assert (deal.vendor, deal.partner, deal.owner) == (world.acme, world.alpha, world.partner_rep)
        assert deal.registration_status == "draft"
        assert deal.version == 1
        assert deal.customer_key == "サンプル商事"

    def test_six_unknown_elements_are_created(self, world):
        deal = register(world, world.partner_rep)
        with scopes_disabled():
            elements = {e.code: (e.level, e.evidence) for e in deal.elements.all()}
        assert elements == dict.fromkeys(ElementCode.values, (0, "unknown"))

    def test_initial_element_answers_are_saved_and_confirmed(self, world):
        deal = register(world, world.partner_rep, meddic={"champion": {"level": 2, "status": "reported"}})
        with scopes_disabled():
            champion = deal.elements.get(code="champion")
        assert (champion.level, champion.status) == (2, "reported")
        assert champion.last_confirmed_at is not None

    def test_vendor_staff_do_not_register_deals(self, world):
        with pytest.raises(PermissionDenied):
            register(world, world.channel_manager)

    def test_missing_required_answers_are_named(self, world):
        with vendor_scope(world.acme), pytest.raises(ValidationError) as error:
            services.deal_create(access=access_of(world.partner_rep, world.acme), fields={"title": "x"})
        assert set(error.value.message_dict) == {
            "customer_name",
            "amount",
            "close_date",
            "phase",
            "proposal_reason",
        }

    def test_the_partner_cannot_be_chosen_in_the_fields(self, world):
        with vendor_scope(world.acme), pytest.raises(ValidationError) as error:
            services.deal_create(
                access=access_of(world.partner_rep, world.acme), fields=deal_fields(partner=world.beta)
            )
        assert "partner" in error.value.message_dict

    def test_creation_records_the_phase_and_an_audit_entry(self, world):
        deal = register(world, world.partner_rep)
        with scopes_disabled():
            assert list(PhaseChange.objects.filter(deal=deal).values_list("from_phase", "to_phase")) == [
                ("", "evaluation")
            ]
        created = history(deal)[0]
        assert created.action == "deal.create" and created.actor == world.partner_rep
        assert created.changes["customer_name"] == [None, "株式会社サンプル商事"]
        assert "loss_type" not in created.changes


class TestRules:
    def test_a_fourth_reason_line_is_refused_and_nothing_saved(self, world):
        with pytest.raises(ValidationError) as error:
            register(world, world.partner_rep, proposal_reason="一\n二\n三\n四")
        assert "proposal_reason" in error.value.message_dict
        with scopes_disabled():
            assert not Deal.objects.exists()

    def test_won_needs_a_close_date_that_is_not_in_the_future(self, world):
        tomorrow = vendor_today(world.acme) + timedelta(days=1)
        with pytest.raises(ValidationError) as error:
            register(world, world.partner_rep, phase="won", close_date=tomorrow)
        assert error.value.message_dict["close_date"] == [
            "A won or lost deal's close date cannot be in the future."
        ]
        deal = register(world, world.partner_rep, phase="won", close_date=vendor_today(world.acme))
        assert deal.closed_at is not None

    def test_an_open_deal_may_expect_to_close_in_the_future(self, world):
        register(world, world.partner_rep, phase="proposal", close_date=date.today() + timedelta(days=300))

    def test_lost_needs_a_loss_type(self, world):
        with pytest.raises(ValidationError) as error:
            register(world, world.partner_rep, phase="lost", close_date=date.today() - timedelta(days=1))
        assert "loss_type" in error.value.message_dict
        deal = register(
            world,
            world.partner_rep,
            phase="lost",
            loss_type="competitor",
            close_date=date.today() - timedelta(days=1),
        )
        assert deal.loss_type == "competitor"

    def test_loss_type_is_dropped_when_the_deal_is_not_lost(self, world):
        deal = register(world, world.partner_rep, phase="proposal", loss_type="competitor")
        assert deal.loss_type == ""

    def test_corporate_number_is_normalised_and_checked(self, world):
        deal = register(world, world.partner_rep, customer_corporate_number="７００００１２０５０００２")
        assert deal.customer_corporate_number == "7000012050002"
        with pytest.raises(ValidationError) as error:
            register(world, world.partner_rep, customer_corporate_number="7000012050003")
        assert "customer_corporate_number" in error.value.message_dict

    def test_unknown_choices_are_refused(self, world):
        with pytest.raises(ValidationError) as error:
            register(world, world.partner_rep, phase="negotiation")
        assert "phase" in error.value.message_dict


class TestUpdate:
    def test_a_saved_edit_raises_the_version_and_is_in_the_history(self, world):
        deal = register(world, world.partner_rep)
        deal = update(world, world.partner_rep, deal, fields={"amount": 15_000_000, "title": "刷新フェーズ2"})
        assert deal.version == 2
        entry = history(deal)[-1]
        assert entry.action == "deal.update" and entry.actor == world.partner_rep
        assert entry.changes == {
            "title": ["基幹システム刷新", "刷新フェーズ2"],
            "amount": [12_000_000, 15_000_000],
        }

    def test_an_edit_that_changes_nothing_keeps_the_version(self, world):
        deal = register(world, world.partner_rep)
        deal = update(world, world.partner_rep, deal, fields={"amount": 12_000_000})
        assert deal.version == 1
        assert [e.action for e in history(deal)] == ["deal.create"]

    def test_a_stale_version_is_refused_and_nothing_is_written(self, world):
        deal = register(world, world.partner_rep)
        update(world, world.partner_admin, deal, version=1, fields={"amount": 20_000_000})
        with pytest.raises(services.StaleVersion) as error:
            update(
                world,
                world.partner_rep,
                deal,
                version=1,
                fields={"amount": 1},
                meddic={"metrics": {"level": 3}},
            )
        assert error.value.current.amount == 20_000_000 and error.value.current.version == 2
        with scopes_disabled():
            fresh = Deal.objects.get(pk=deal.pk)
            assert (fresh.amount, fresh.version) == (20_000_000, 2)
            assert fresh.elements.get(code="metrics").level == 0

    def test_phase_changes_are_kept_as_history_and_close_the_deal(self, world):
        deal = register(world, world.partner_rep)
        deal = update(world, world.partner_rep, deal, fields={"phase": "proposal"})
        deal = update(
            world, world.partner_rep, deal, fields={"phase": "won", "close_date": vendor_today(world.acme)}
        )
        with scopes_disabled():
            steps = list(PhaseChange.objects.filter(deal=deal).values_list("from_phase", "to_phase"))
        assert steps == [("", "evaluation"), ("evaluation", "proposal"), ("proposal", "won")]
        assert deal.closed_at is not None
        deal = update(world, world.partner_rep, deal, fields={"phase": "approval"})
        assert deal.closed_at is None

    def test_element_changes_are_merged_per_field_and_audited(self, world):
        deal = register(
            world, world.partner_rep, meddic={"economic_buyer": {"level": 1, "title_level": "executive"}}
        )
        deal = update(world, world.partner_rep, deal, meddic={"economic_buyer": {"access": "via_partner"}})
        with scopes_disabled():
            buyer = deal.elements.get(code="economic_buyer")
        assert (buyer.level, buyer.title_level, buyer.access) == (1, "executive", "via_partner")
        assert history(deal)[-1].changes == {"economic_buyer.access": ["none", "via_partner"]}
        assert deal.version == 2

    def test_element_answers_are_checked_against_their_picklists(self, world):
        deal = register(world, world.partner_rep)
        with pytest.raises(ValidationError) as error:
            update(
                world,
                world.partner_rep,
                deal,
                meddic={
                    "identify_pain": {"severity": 6},
                    "decision_criteria": {"criteria": ["price", "karma"]},
                    "metrics": {"access": "none"},
                    "budget": {"level": 1},
                },
            )
        assert set(error.value.message_dict) == {
            "meddic.identify_pain.severity",
            "meddic.decision_criteria.criteria",
            "meddic.metrics.access",
            "meddic.budget",
        }


class TestWhoMayEdit:
    def test_a_rep_cannot_edit_another_reps_deal(self, world, django_user_model):
        deal = register(world, world.partner_admin)
        with pytest.raises(PermissionDenied):
            update(world, world.partner_rep, deal, fields={"amount": 1})

    def test_the_partner_admin_edits_any_deal_of_the_company(self, world):
        deal = register(world, world.partner_rep)
        assert update(world, world.partner_admin, deal, fields={"amount": 1}).amount == 1

    def test_vendor_staff_answer_elements_but_not_the_template(self, world):
        deal = register(world, world.partner_rep, submit=True)
        with pytest.raises(PermissionDenied):
            update(world, world.channel_manager, deal, fields={"amount": 1})
        deal = update(world, world.channel_manager, deal, meddic={"champion": {"evidence": "verified"}})
        with scopes_disabled():
            assert deal.elements.get(code="champion").evidence == "verified"

    def test_a_partner_cannot_mark_an_element_verified(self, world):
        deal = register(world, world.partner_rep)
        with pytest.raises(PermissionDenied):
            update(world, world.partner_admin, deal, meddic={"metrics": {"evidence": "verified", "level": 2}})
        with scopes_disabled():
            assert deal.elements.get(code="metrics").level == 0

    def test_a_partner_may_resend_an_evidence_the_vendor_verified(self, world):
        deal = register(world, world.partner_rep, submit=True)
        update(world, world.channel_manager, deal, meddic={"metrics": {"evidence": "verified"}})
        deal = update(
            world, world.partner_rep, deal, meddic={"metrics": {"evidence": "verified", "level": 3}}
        )
        with scopes_disabled():
            assert deal.elements.get(code="metrics").level == 3


class TestChampionLog:
    def entry(self, **overrides):
        values = {
            "date": date.today() - timedelta(days=1),
            "actor": "champion",
            "activity_type": "drafted_ringi",
            "target": "economic_buyer",
            "outcome": "advanced",
            "next_step": "部長説明の日程調整",
        }
        values.update(overrides)
        return values

    def test_entries_are_logged_in_the_fixed_format_newest_first(self, world):
        from deals.selectors import champion_log

        deal = register(world, world.partner_rep)
        with vendor_scope(world.acme):
            access = access_of(world.partner_rep, world.acme)
            services.champion_activity_add(
                access=access, deal=deal, **self.entry(date=date.today() - timedelta(days=5))
            )
            services.champion_activity_add(
                access=access, deal=deal, **self.entry(activity_type="budget_request")
            )
            log = list(champion_log(deal))
        assert [a.activity_type for a in log] == ["budget_request", "drafted_ringi"]
        assert log[0].logged_by == world.partner_rep
        assert history(deal)[-1].action == "champion_activity.create"

    def test_unknown_vocabulary_and_future_dates_are_refused(self, world):
        deal = register(world, world.partner_rep)
        with vendor_scope(world.acme), pytest.raises(ValidationError) as error:
            services.champion_activity_add(
                access=access_of(world.partner_rep, world.acme),
                deal=deal,
                **self.entry(date=date.today() + timedelta(days=3), outcome="great"),
            )
        assert set(error.value.message_dict) == {"date", "outcome"}

    def test_another_rep_cannot_log_on_my_deal(self, world):
        deal = register(world, world.partner_admin)
        with vendor_scope(world.acme), pytest.raises(PermissionDenied):
            services.champion_activity_add(
                access=access_of(world.partner_rep, world.acme), deal=deal, **self.entry()
            )


class TestAuditIsAppendOnly:
    def test_entries_cannot_be_changed_or_deleted(self, world):
        deal = register(world, world.partner_rep)
        with scopes_disabled():
            entry = AuditEntry.objects.filter(deal_id=deal.pk).first()
            entry.action = "forged"
            with pytest.raises(AppendOnlyError):
                entry.save()
            with pytest.raises(AppendOnlyError):
                entry.delete()
            with pytest.raises(AppendOnlyError):
                AuditEntry.objects.filter(deal_id=deal.pk).update(action="forged")
            with pytest.raises(AppendOnlyError):
                AuditEntry.objects.filter(deal_id=deal.pk).delete()
            assert AuditEntry.objects.get(pk=entry.pk).action == "deal.create"
