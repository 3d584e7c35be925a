"""Registration workflow, conflict detection and protection expiry (DESIGN §4)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scopes_disabled

from deals import tasks, workflow
from deals.models import Deal, RegistrationConflict
from deals.selectors import deals_visible
from prm.clock import vendor_today
from prm.tenancy import vendor_scope
from tests.conftest import access_of
from tests.deals.conftest import register


def act(world, user, deal, action, reason="", vendor=None):
    vendor = vendor or world.acme
    with vendor_scope(vendor):
        return workflow.deal_transition(
            access=access_of(user, vendor), deal=deal, action=action, reason=reason
        )


def fresh(deal):
    with scopes_disabled():
        return Deal.objects.get(pk=deal.pk)


class TestTransitions:
    def test_submit_registers_the_deal_once(self, world):
        deal = register(world, world.partner_rep)
        deal = act(world, world.partner_rep, deal, "submit")
        assert deal.registration_status == "submitted"
        first = deal.registered_at
        deal = act(world, world.channel_manager, deal, "return", reason="決裁者を確認してください")
        deal = act(world, world.partner_rep, deal, "submit")
        assert deal.registered_at == first

    def test_approval_protects_for_the_vendor_setting(self, world):
        world.acme.protection_days = 120
        world.acme.save()
        deal = register(world, world.partner_rep, submit=True)
        deal = act(world, world.channel_manager, deal, "approve")
        assert deal.registration_status == "approved"
        assert deal.protected_until == vendor_today(world.acme) + timedelta(days=120)

    def test_default_protection_is_ninety_days(self, world):
        deal = register(world, world.partner_rep, submit=True)
        deal = act(world, world.vendor_admin, deal, "approve")
        assert deal.protected_until == vendor_today(world.acme) + timedelta(days=90)

    @pytest.mark.parametrize("action", ["reject", "return"])
    def test_reject_and_return_need_a_reason(self, world, action):
        deal = register(world, world.partner_rep, submit=True)
        with pytest.raises(ValidationError) as error:
            act(world, world.channel_manager, deal, action, reason="  ")
        assert "reason" in error.value.message_dict
        deal = act(world, world.channel_manager, deal, action, reason="重複登録")
        with scopes_disabled():
            event = deal.registration_events.last()
        assert (event.to_status, event.reason, event.actor) == (
            deal.registration_status,
            "重複登録",
            world.channel_manager,
        )

    def test_partners_cannot_approve_and_vendor_staff_cannot_submit(self, world):
        deal = register(world, world.partner_rep)
        with pytest.raises(PermissionDenied):
            act(world, world.channel_manager, deal, "submit")
        deal = act(world, world.partner_rep, deal, "submit")
        for user in (world.partner_rep, world.partner_admin):
            with pytest.raises(PermissionDenied):
                act(world, user, deal, "approve")

    def test_a_rep_cannot_submit_a_colleagues_deal_but_the_partner_admin_can(self, world):
        deal = register(world, world.partner_admin)
        with pytest.raises(PermissionDenied):
            act(world, world.partner_rep, deal, "submit")
        deal = register(world, world.partner_rep)
        assert act(world, world.partner_admin, deal, "submit").registration_status == "submitted"

    @pytest.mark.parametrize(
        ("status", "action"),
        [
            ("draft", "approve"),
            ("draft", "reject"),
            ("approved", "submit"),
            ("approved", "return"),
            ("rejected", "approve"),
        ],
    )
    def test_steps_from_the_wrong_state_are_refused(self, world, status, action):
        deal = register(world, world.partner_rep)
        with scopes_disabled():
            Deal.objects.filter(pk=deal.pk).update(registration_status=status)
        user = world.partner_rep if action == "submit" else world.channel_manager
        with pytest.raises(ValidationError):
            act(world, user, fresh(deal), action, reason="理由")
        assert fresh(deal).registration_status == status

    def test_actions_offered_match_role_and_state(self, world):
        deal = register(world, world.partner_rep)
        with vendor_scope(world.acme):
            assert [
                t.action for t in workflow.actions_for(access_of(world.partner_rep, world.acme), deal)
            ] == ["submit"]
            assert workflow.actions_for(access_of(world.channel_manager, world.acme), deal) == []
        deal = act(world, world.partner_rep, deal, "submit")
        with vendor_scope(world.acme):
            staff = [
                t.action for t in workflow.actions_for(access_of(world.channel_manager, world.acme), deal)
            ]
            assert staff == ["approve", "reject", "return"]
            assert workflow.actions_for(access_of(world.partner_rep, world.acme), deal) == []

    def test_every_step_is_in_the_audit_history(self, world):
        from audit.models import AuditEntry

        deal = register(world, world.partner_rep, submit=True)
        act(world, world.channel_manager, deal, "reject", reason="対象外の製品")
        with scopes_disabled():
            actions = list(
                AuditEntry.objects.filter(deal_id=deal.pk).order_by("pk").values_list("action", "reason")
            )
        assert actions == [("deal.create", ""), ("deal.submit", ""), ("deal.reject", "対象外の製品")]

    def test_the_first_submission_ticks_the_onboarding_checklist(self, world):
        assert world.beta.first_deal_registered_on is None
        register(world, world.beta_rep)
        with scopes_disabled():
            world.beta.refresh_from_db()
        assert world.beta.first_deal_registered_on is None
        register(world, world.beta_rep, submit=True)
        with scopes_disabled():
            world.beta.refresh_from_db()
        assert world.beta.first_deal_registered_on == vendor_today(world.acme)

    def test_the_owner_and_channel_manager_are_emailed(self, world, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            deal = register(world, world.partner_rep, submit=True)
        assert [m.to for m in mail.outbox] == [["cm@acme.example"]]
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            act(world, world.channel_manager, deal, "return", reason="決裁者の役職を追記してください")
        # The owner and their partner admins, one message each, with the reason.
        assert sorted(m.to[0] for m in mail.outbox) == ["padmin@alpha.example", "rep@alpha.example"]
        assert all("決裁者の役職を追記してください" in m.body for m in mail.outbox)


class TestConflicts:
    def test_same_customer_in_another_spelling_flags_both_deals(self, world):
        alpha = register(world, world.partner_rep, submit=True, customer_name="株式会社サンプル商事")
        beta = register(world, world.beta_rep, submit=True, customer_name="ｻﾝﾌﾟﾙ商事㈱")
        with scopes_disabled():
            conflict = RegistrationConflict.objects.get()
        assert (conflict.deal, conflict.other, conflict.match) == (beta, alpha, "name")
        with vendor_scope(world.acme):
            flagged = dict(
                deals_visible(access_of(world.channel_manager, world.acme)).values_list("pk", "has_conflict")
            )
        assert flagged == {alpha.pk: True, beta.pk: True}

    def test_same_corporate_number_under_another_name_is_a_conflict(self, world):
        register(world, world.partner_rep, submit=True, customer_corporate_number="7000012050002")
        register(
            world,
            world.beta_rep,
            submit=True,
            customer_name="Sample Trading",
            customer_corporate_number="7000012050002",
        )
        with scopes_disabled():
            assert RegistrationConflict.objects.get().match == "corporate_number"

    def test_the_same_partner_registering_twice_is_not_a_conflict(self, world):
        register(world, world.partner_rep, submit=True)
        register(world, world.partner_admin, submit=True)
        with scopes_disabled():
            assert not RegistrationConflict.objects.exists()

    def test_drafts_rejected_and_expired_registrations_do_not_conflict(self, world):
        register(world, world.partner_rep)  # draft
        rejected = register(world, world.partner_rep, submit=True)
        act(world, world.channel_manager, rejected, "reject", reason="重複")
        expired = register(world, world.partner_admin, submit=True)
        with scopes_disabled():
            RegistrationConflict.objects.all().delete()
        act(world, world.channel_manager, expired, "approve")
        with scopes_disabled():
            Deal.objects.filter(pk=expired.pk).update(
                protected_until=vendor_today(world.acme) - timedelta(days=1)
            )
        register(world, world.beta_rep, submit=True)
        with scopes_disabled():
            assert not RegistrationConflict.objects.exists()

    def test_an_approved_protected_registration_conflicts(self, world):
        alpha = register(world, world.partner_rep, submit=True)
        act(world, world.channel_manager, alpha, "approve")
        register(world, world.beta_rep, submit=True)
        with scopes_disabled():
            assert RegistrationConflict.objects.get().other == alpha

    def test_other_vendors_never_conflict(self, world):
        register(world, world.partner_rep, submit=True)
        register(world, world.rival_rep, world.rival, submit=True)
        with scopes_disabled():
            assert not RegistrationConflict.objects.exists()

    def test_resubmitting_does_not_duplicate_the_flag(self, world):
        register(world, world.partner_rep, submit=True)
        beta = register(world, world.beta_rep, submit=True)
        act(world, world.channel_manager, beta, "return", reason="詳細を")
        act(world, world.beta_rep, beta, "submit")
        with scopes_disabled():
            assert RegistrationConflict.objects.count() == 1

    def test_a_conflicted_deal_cannot_be_approved_until_resolved(self, world):
        alpha = register(world, world.partner_rep, submit=True)
        beta = register(world, world.beta_rep, submit=True)
        with pytest.raises(ValidationError):
            act(world, world.channel_manager, beta, "approve")
        with scopes_disabled():
            conflict = RegistrationConflict.objects.get()
        with vendor_scope(world.acme):
            workflow.conflict_resolve(
                access=access_of(world.channel_manager, world.acme),
                conflict=conflict,
                keep=alpha,
                note="先行登録を優先",
            )
        assert fresh(beta).registration_status == "rejected"
        with scopes_disabled():
            assert fresh(beta).registration_events.last().reason == "先行登録を優先"
        assert act(world, world.channel_manager, alpha, "approve").registration_status == "approved"

    def test_keeping_both_clears_the_flag_and_changes_neither(self, world):
        alpha = register(world, world.partner_rep, submit=True)
        beta = register(world, world.beta_rep, submit=True)
        with scopes_disabled():
            conflict = RegistrationConflict.objects.get()
        with vendor_scope(world.acme):
            resolved = workflow.conflict_resolve(
                access=access_of(world.vendor_admin, world.acme),
                conflict=conflict,
                keep=None,
                note="別法人と確認",
            )
            flagged = dict(
                deals_visible(access_of(world.channel_manager, world.acme)).values_list("pk", "has_conflict")
            )
        assert resolved.resolved_by == world.vendor_admin and resolved.kept is None
        assert flagged == {alpha.pk: False, beta.pk: False}
        assert fresh(alpha).registration_status == fresh(beta).registration_status == "submitted"

    def test_only_vendor_staff_resolve_and_a_note_is_required(self, world):
        alpha = register(world, world.partner_rep, submit=True)
        register(world, world.beta_rep, submit=True)
        with scopes_disabled():
            conflict = RegistrationConflict.objects.get()
        with vendor_scope(world.acme):
            with pytest.raises(PermissionDenied):
                workflow.conflict_resolve(
                    access=access_of(world.partner_admin, world.acme), conflict=conflict, keep=alpha, note="x"
                )
            with pytest.raises(ValidationError):
                workflow.conflict_resolve(
                    access=access_of(world.channel_manager, world.acme),
                    conflict=conflict,
                    keep=alpha,
                    note="",
                )

    def test_conflicts_are_emailed_to_both_sides(self, world, django_capture_on_commit_callbacks):
        register(world, world.partner_rep, submit=True)
        with django_capture_on_commit_callbacks(execute=True):
            register(world, world.beta_rep, submit=True)
        # People who never chose a language read the product's default, Japanese.
        conflict_mail = [m for m in mail.outbox if "同じ顧客の別の登録" in m.subject]
        # Each flagged deal's people, and the channel manager of each side (Beta has none: every channel
        # manager), one message per person and deal.
        assert sorted(m.to[0] for m in conflict_mail) == [
            "cm@acme.example",
            "cm@acme.example",
            "padmin@alpha.example",
            "rep@alpha.example",
            "rep@beta.example",
        ]
        partner_mail = next(m for m in conflict_mail if m.to == ["rep@beta.example"])
        assert "Alpha" not in partner_mail.body


class TestProtectionExpiry:
    def test_lapsed_protection_ends_once_and_the_owner_is_told(
        self, world, django_capture_on_commit_callbacks
    ):
        deal = register(world, world.partner_rep, submit=True)
        act(world, world.channel_manager, deal, "approve")
        kept = register(world, world.partner_admin, submit=True, customer_name="別の顧客")
        act(world, world.channel_manager, kept, "approve")
        with scopes_disabled():
            Deal.objects.filter(pk=deal.pk).update(
                protected_until=vendor_today(world.acme) - timedelta(days=1)
            )
            Deal.objects.filter(pk=kept.pk).update(protected_until=vendor_today(world.acme))
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.expire_protection.delay(vendor_id=world.acme.pk).get() == 1
        assert fresh(deal).protection_expired and not fresh(kept).protection_expired
        assert sorted(m.to[0] for m in mail.outbox) == [
            "cm@acme.example",
            "padmin@alpha.example",
            "rep@alpha.example",
        ]
        assert tasks.expire_protection.delay(vendor_id=world.acme.pk).get() == 0

    def test_the_nightly_job_fans_out_per_vendor(self, world):
        for vendor, user in ((world.acme, world.partner_rep), (world.rival, world.rival_rep)):
            deal = register(world, user, vendor, submit=True)
            admin = world.vendor_admin if vendor == world.acme else world.rival_admin
            act(world, admin, deal, "approve", vendor=vendor)
        with scopes_disabled():
            Deal.objects.update(protected_until=vendor_today(world.acme) - timedelta(days=2))
        assert tasks.expire_protection_all.delay().get() == 2
        with scopes_disabled():
            assert set(Deal.objects.values_list("protection_expired", flat=True)) == {True}


class TestConflictsAfterEdits:
    def test_renaming_a_registered_deal_to_another_partners_customer_flags_it(self, world):
        from deals import services

        register(world, world.partner_rep, submit=True, customer_name="株式会社北都精機")
        beta = register(world, world.beta_rep, submit=True, customer_name="南海物産株式会社")
        with scopes_disabled():
            assert not RegistrationConflict.objects.exists()
        with vendor_scope(world.acme):
            services.deal_update(
                access=access_of(world.beta_rep, world.acme),
                deal=beta,
                version=beta.version,
                fields={"customer_name": "(株)北都精機"},
            )
        with scopes_disabled():
            assert RegistrationConflict.objects.get().deal == beta

    def test_renaming_a_draft_flags_nothing_until_it_is_submitted(self, world):
        from deals import services

        register(world, world.partner_rep, submit=True, customer_name="株式会社北都精機")
        draft = register(world, world.beta_rep, customer_name="南海物産株式会社")
        with vendor_scope(world.acme):
            services.deal_update(
                access=access_of(world.beta_rep, world.acme),
                deal=draft,
                version=draft.version,
                fields={"customer_name": "北都精機"},
            )
        with scopes_disabled():
            assert not RegistrationConflict.objects.exists()
