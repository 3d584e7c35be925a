"""The demo deals of ``manage.py seed_demo`` (DESIGN §8): counts, template rules, history, tenancy, and the
patterns later analyses rely on. The demo is seeded once for the module (it takes a few seconds)."""

import itertools
import random
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from audit.models import AuditEntry
from deals.demo import SEED
from deals.demo.plan import Planner
from deals.models import (
    CLOSED_PHASES,
    OPEN_PHASES,
    ChampionActivity,
    ConflictMatch,
    Deal,
    LossType,
    Phase,
    PhaseChange,
    RegistrationConflict,
    RegistrationEvent,
    RegistrationStatus,
)
from deals.validation import normalize_customer_name, validate_corporate_number, validate_proposal_reason
from meddic.models import ElementCode, MeddicElement
from partners.models import Membership, PartnerCompany, PartnerStatus, Role, Vendor
from prm.clock import vendor_today
from prm.tenancy import vendor_scope

CHILDREN = (PhaseChange, RegistrationEvent, MeddicElement, ChampionActivity)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Seed once in a transaction that is rolled back after the module (tests run in savepoints inside)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def data(demo, db):
    with scopes_disabled():
        deals = list(Deal.objects.select_related("vendor", "partner", "owner").order_by("pk"))
        yield _Data(deals)


class _Data:
    def __init__(self, deals):
        self.deals = deals
        self.by_id = {deal.pk: deal for deal in deals}
        self.elements = defaultdict(dict)
        for element in MeddicElement.objects.all():
            self.elements[element.deal_id][element.code] = element
        self.phases = defaultdict(list)
        for change in PhaseChange.objects.order_by("changed_at", "pk"):
            self.phases[change.deal_id].append(change)
        self.activities = defaultdict(list)
        for activity in ChampionActivity.objects.order_by("date", "pk"):
            self.activities[activity.deal_id].append(activity)

    def element_state_at(self, deal, moment) -> dict[str, dict]:
        """Replay the element audit trail up to ``moment`` from the all-unknown elements of a new deal."""
        state = {code: MeddicElement(code=code).as_dict() for code in ElementCode.values}
        entries = AuditEntry.objects.filter(deal_id=deal.pk, action="element.update", at__lte=moment)
        for entry in entries.order_by("at", "pk"):
            for key, (_before, after) in entry.changes.items():
                code, field = key.split(".", 1)
                state[code][field] = after
        return state

    def entered(self, deal, phase):
        return next((c.changed_at for c in self.phases[deal.pk] if c.to_phase == phase), None)


def test_about_400_deals_in_both_vendors_by_every_partner_and_rep(data):
    by_vendor = Counter(deal.vendor.slug for deal in data.deals)
    assert 380 <= len(data.deals) <= 420
    assert set(by_vendor) == {"kumo", "hikari"} and by_vendor["kumo"] > by_vendor["hikari"] >= 80
    with scopes_disabled():
        selling = PartnerCompany.objects.exclude(status=PartnerStatus.INVITED)
        reps = Membership.objects.filter(role=Role.PARTNER_REP).values_list("user_id", flat=True)
        assert {deal.partner_id for deal in data.deals} == set(selling.values_list("pk", flat=True))
        assert set(reps) <= {deal.owner_id for deal in data.deals}


def test_every_phase_and_registration_status_with_realistic_shares(data):
    phases = Counter(deal.phase for deal in data.deals)
    statuses = Counter(deal.registration_status for deal in data.deals)
    total = len(data.deals)
    assert set(phases) == set(Phase.values)
    assert set(statuses) == set(RegistrationStatus.values)
    early = phases[Phase.INFORMATION_GATHERING] + phases[Phase.PROBLEM_DEFINITION] + phases[Phase.EVALUATION]
    late = phases[Phase.PRE_APPROVAL] + phases[Phase.APPROVAL] + phases[Phase.INFORMAL_AWARD]
    assert early > late
    assert 0.25 <= (phases[Phase.WON] + phases[Phase.LOST]) / total <= 0.45
    assert 0 < phases[Phase.ON_HOLD] / total <= 0.1
    assert (statuses[RegistrationStatus.APPROVED] + statuses[RegistrationStatus.SUBMITTED]) / total > 0.75
    assert all(0 < statuses[s] / total < 0.1 for s in ("draft", "returned", "rejected"))
    assert set(Counter(d.loss_type for d in data.deals if d.phase == Phase.LOST)) == set(LossType.values)


def test_template_rules_hold_for_every_deal(data):
    numbers = 0
    for deal in data.deals:
        today = vendor_today(deal.vendor)
        assert deal.customer_key == normalize_customer_name(deal.customer_name)
        validate_proposal_reason(deal.proposal_reason)
        assert 1 <= len(deal.reason_lines) <= 3
        validate_corporate_number(deal.customer_corporate_number)
        numbers += bool(deal.customer_corporate_number)
        assert 500_000 <= deal.amount <= 80_000_000
        if deal.phase in CLOSED_PHASES:
            assert deal.close_date <= today and deal.closed_at is not None
            assert deal.closed_at.astimezone(timezone.get_current_timezone()).date() >= deal.close_date
        else:
            assert deal.closed_at is None
        if deal.phase == Phase.LOST:
            assert deal.loss_type in LossType.values
        else:
            assert deal.loss_type == ""
    assert numbers >= 10
    assert any("株式会社" in d.customer_name for d in data.deals)
    assert any(d.customer_name.isascii() for d in data.deals)
    assert any(d.customer_name.startswith("医療法人") for d in data.deals)
    assert any(d.customer_name.endswith(("銀行", "工業株式会社")) for d in data.deals)
    assert any(d.customer_industry == "public" for d in data.deals)
    amounts = sorted(d.amount for d in data.deals)
    assert amounts[len(amounts) // 2] < sum(amounts) / len(amounts)  # skewed: a few large deals


def test_six_elements_and_tenant_consistency(data):
    assert all(set(data.elements[deal.pk]) == set(ElementCode.values) for deal in data.deals)
    vendor_of = {deal.pk: deal.vendor_id for deal in data.deals}
    for model in CHILDREN:
        rows = list(model.objects.values_list("deal_id", "vendor_id"))
        assert rows and all(vendor_of[deal_id] == vendor_id for deal_id, vendor_id in rows), model
    for deal_id, other_id, vendor_id in RegistrationConflict.objects.values_list(
        "deal_id", "other_id", "vendor_id"
    ):
        assert vendor_of[deal_id] == vendor_of[other_id] == vendor_id
    for deal_id, vendor_id in AuditEntry.objects.values_list("deal_id", "vendor_id"):
        assert vendor_of[deal_id] == vendor_id
    for deal in data.deals:
        assert deal.partner.vendor_id == deal.vendor_id


def test_phase_history_steps_to_the_current_phase_in_time(data):
    now = timezone.now()
    for deal in data.deals:
        changes = data.phases[deal.pk]
        assert changes[0].from_phase == "" and changes[0].changed_at == deal.created_at
        assert changes[-1].to_phase == deal.phase
        for before, after in itertools.pairwise(changes):
            assert after.from_phase == before.to_phase and after.changed_at > before.changed_at
        assert changes[-1].changed_at <= now and deal.updated_at <= now
        assert all(c.changed_by_id == deal.owner_id for c in changes)
        if deal.phase in CLOSED_PHASES:
            assert deal.closed_at == changes[-1].changed_at
        if deal.registered_at:
            assert deal.created_at <= deal.registered_at <= now
    assert AuditEntry.objects.filter(at__gt=now).count() == 0


def test_registration_workflow_and_protection(data):
    events = defaultdict(list)
    for event in RegistrationEvent.objects.order_by("at", "pk"):
        events[event.deal_id].append(event)
    for deal in data.deals:
        today = vendor_today(deal.vendor)
        steps = events[deal.pk]
        if deal.registration_status == RegistrationStatus.DRAFT:
            assert not steps and deal.registered_at is None
            continue
        assert steps[0].to_status == RegistrationStatus.SUBMITTED and steps[0].at == deal.registered_at
        assert steps[0].actor_id == deal.owner_id
        assert steps[-1].to_status == deal.registration_status
        for before, after in itertools.pairwise(steps):
            assert after.from_status == before.to_status
        assert all(s.reason for s in steps if s.to_status in ("returned", "rejected"))
        if deal.registration_status == RegistrationStatus.APPROVED:
            assert deal.protected_until and deal.protection_expired == (deal.protected_until < today)
        else:
            assert deal.protected_until is None and not deal.protection_expired
    protected = [d for d in data.deals if d.protected_until]
    assert any(d.protection_expired for d in protected) and any(not d.protection_expired for d in protected)
    with scopes_disabled():
        for partner in PartnerCompany.objects.exclude(status=PartnerStatus.INVITED):
            registered = [
                d.registered_at for d in data.deals if d.partner_id == partner.pk and d.registered_at
            ]
            first = min(registered).astimezone(timezone.get_current_timezone()).date()
            assert partner.first_deal_registered_on == first


def test_element_history_replays_to_the_final_state_and_sometimes_changed_after_proposal(data):
    differs = 0
    for entry in AuditEntry.objects.filter(action="element.update"):
        deal = data.by_id[entry.deal_id]
        assert deal.created_at < entry.at <= (deal.closed_at or timezone.now())
    for deal in data.deals:
        final = data.elements[deal.pk]
        replayed = data.element_state_at(deal, timezone.now())
        assert {code: element.as_dict() for code, element in final.items()} == replayed, deal.pk
        proposal_at = data.entered(deal, Phase.PROPOSAL)
        if proposal_at:
            at_proposal = data.element_state_at(deal, proposal_at)
            differs += at_proposal["champion"] != replayed["champion"]
            differs += at_proposal["economic_buyer"]["access"] != replayed["economic_buyer"]["access"]
    assert differs >= 20
    verified = AuditEntry.objects.filter(action="element.update", changes__icontains='"verified"')
    staff = set(
        Membership.objects.filter(role__in=(Role.VENDOR_ADMIN, Role.CHANNEL_MANAGER)).values_list(
            "user_id", flat=True
        )
    )
    assert verified.exists()
    for entry in verified:
        if any(k.endswith(".evidence") and v[1] == "verified" != v[0] for k, v in entry.changes.items()):
            assert entry.actor_id in staff


def test_wins_follow_champion_and_economic_buyer_access_at_proposal(data):
    """The loss-factor analysis has something to find: strong champions win more than absent ones."""
    outcome = defaultdict(Counter)
    for deal in data.deals:
        proposal_at = data.entered(deal, Phase.PROPOSAL)
        if deal.phase not in CLOSED_PHASES or proposal_at is None:
            continue
        state = data.element_state_at(deal, proposal_at)
        strong_champion = state["champion"]["status"] in ("verified", "reported")
        outcome[("champion", strong_champion)][deal.phase] += 1
        outcome[("access", state["economic_buyer"]["access"] != "none")][deal.phase] += 1

    def win_rate(group):
        return outcome[group][Phase.WON] / max(1, sum(outcome[group].values()))

    assert sum(outcome[("champion", False)].values()) >= 10
    assert win_rate(("champion", True)) > win_rate(("champion", False)) + 0.15
    assert win_rate(("access", True)) > win_rate(("access", False)) + 0.15


def test_meddic_states_are_varied_good_and_bad(data):
    open_late = [d for d in data.deals if d.phase in OPEN_PHASES[3:]]
    element = data.elements
    assert any(element[d.pk]["economic_buyer"].level == 0 for d in open_late)
    assert any(element[d.pk]["champion"].status in ("coach_only", "none") for d in open_late)
    assert any(element[d.pk]["champion"].status == "verified" for d in open_late)
    assert any(element[d.pk]["metrics"].level < 2 for d in data.deals if d.phase == Phase.EVALUATION)
    assert any(
        element[d.pk]["decision_process"].ringi_state == "unknown"
        for d in data.deals
        if d.phase in (Phase.PRE_APPROVAL, Phase.APPROVAL)
    )
    process = [element[d.pk]["decision_process"] for d in data.deals]
    approvers = {p.final_approver_level for p in process}
    assert {"department_head", "management_committee", "board", "president"} <= approvers
    assert {"in_budget", "next_fiscal_year"} <= {p.budget_status for p in process}
    assert any("procurement" in p.co_reviewers for p in process)
    evidence = Counter(e.evidence for elements in element.values() for e in elements.values())
    assert all(evidence[value] > 50 for value in ("unknown", "reported", "evidenced", "verified"))


def test_champion_logs_in_the_fixed_format_with_quiet_champions(data):
    quiet = active = 0
    for deal in data.deals:
        today = vendor_today(deal.vendor)
        log = data.activities[deal.pk]
        for activity in log:
            assert activity.logged_by_id == deal.owner_id and activity.next_step
            assert timezone.localtime(deal.created_at).date() <= activity.date <= today
        champion = data.elements[deal.pk]["champion"].status
        if deal.phase in OPEN_PHASES and champion in ("verified", "reported") and log:
            days_since = (today - log[-1].date).days
            quiet += days_since > 30
            active += days_since <= 14
    assert quiet >= 5 and active >= 20
    assert ChampionActivity.objects.count() > 500


def test_registration_conflicts_open_and_one_resolved_per_vendor(data):
    conflicts = list(RegistrationConflict.objects.select_related("deal", "other"))
    for vendor in Vendor.objects.all():
        mine = [c for c in conflicts if c.vendor_id == vendor.pk]
        assert sum(c.is_open for c in mine) >= 1 and sum(not c.is_open for c in mine) == 1
    assert {c.match for c in conflicts} == set(ConflictMatch.values)
    for conflict in conflicts:
        new, old = conflict.deal, conflict.other
        assert new.partner_id != old.partner_id and new.customer_name != old.customer_name
        if conflict.match == ConflictMatch.NAME:
            assert new.customer_key == old.customer_key
        else:
            assert new.customer_corporate_number == old.customer_corporate_number != ""
        assert (
            old.registration_status == RegistrationStatus.APPROVED and old.registered_at < new.registered_at
        )
        assert new.partner.status == old.partner.status == PartnerStatus.ACTIVE
        if conflict.is_open:
            assert new.registration_status == RegistrationStatus.SUBMITTED
        else:
            assert conflict.kept_id == old.pk and new.registration_status == RegistrationStatus.REJECTED
            assert conflict.resolved_at >= conflict.detected_at and conflict.resolution_note
    # No other customer is registered by two partners: every such pair is a recorded conflict.
    pairs = {frozenset((c.deal_id, c.other_id)) for c in conflicts}
    by_customer = defaultdict(list)
    for deal in data.deals:
        by_customer[(deal.vendor_id, "key", deal.customer_key)].append(deal)
        if deal.customer_corporate_number:
            by_customer[(deal.vendor_id, "number", deal.customer_corporate_number)].append(deal)
    for same in by_customer.values():
        for a in same:
            for b in same:
                if a.partner_id < b.partner_id:
                    assert frozenset((a.pk, b.pk)) in pairs


def test_the_plan_is_deterministic(data):
    vendor = Vendor.objects.get(slug="hikari")
    with vendor_scope(vendor):
        plans = [Planner(vendor, random.Random(f"{SEED}:hikari")).plan_all(120)[0] for _ in range(2)]
    first, second = ([(p.deal.customer_name, p.deal.phase, p.deal.amount) for p in run] for run in plans)
    assert first == second


def test_seeding_again_adds_nothing(data):
    with scopes_disabled():
        counts = [model.objects.count() for model in (Deal, AuditEntry, RegistrationConflict, *CHILDREN)]
        call_command("seed_demo", stdout=StringIO())
        assert [
            model.objects.count() for model in (Deal, AuditEntry, RegistrationConflict, *CHILDREN)
        ] == counts


def test_review_work_follows_the_scores_in_every_state(data):
    from meddic.models import DealReview, InfoRequest, ReviewState
    from notifications.models import Notification

    with scopes_disabled():
        reviews = list(DealReview.objects.select_related("deal__score"))
        requests = list(InfoRequest.objects.select_related("deal"))
        notified = Notification.objects.count()
    for vendor in ("kumo", "hikari"):
        states = Counter(r.state for r in reviews if r.deal.vendor.slug == vendor)
        assert {ReviewState.QUALIFIED, ReviewState.NEEDS_INFO, ReviewState.DISQUALIFIED} <= set(states)
    for review in reviews:
        assert review.deal.is_open and review.vendor_id == review.deal.vendor_id
        if review.state == ReviewState.QUALIFIED:
            assert review.deal.score.quality >= 60 and review.deal.score.visibility >= 50
    statuses = Counter(r.status for r in requests)
    assert statuses["open"] > 10 and statuses["answered"] > 10
    assert all(r.answer and r.answered_at for r in requests if r.status == "answered")
    assert notified == len(requests)
