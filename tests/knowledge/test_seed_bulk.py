"""``manage.py seed_bulk`` (DESIGN §8): a small bulk load, its tenancy, KPIs over it, top-ups and refusals, and
the history every deal comes with: six elements, phase changes, champion log, support, audit trail and score,
readable by the analyses as the services' own rows are."""

from collections import Counter, defaultdict
from datetime import timedelta
from io import StringIO
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F, Max, Min
from django.utils import timezone
from django_scopes import scopes_disabled

from audit.models import AuditEntry
from bench.seed import _Generator, deal_targets
from bench.seed_load import chunks_made
from bench.seed_structure import sellers_of
from bench.seed_writers import writer_for_connection
from deals.models import OPEN_PHASES, ChampionActivity, Deal, Phase, PhaseChange, RegistrationStatus
from knowledge.insights.as_of import closed_deals_as_of, initial_answers
from knowledge.insights.loss_factors import loss_factor_results
from knowledge.kpis import kpi_rows
from knowledge.models import SupportActivity
from knowledge.periods import MONTH, QUARTER, add_months, periods_between
from meddic.models import BuyerAccess, ChampionStatus, DealScore, ElementCode, Evidence, MeddicElement
from meddic.services import scores_refresh
from partners.models import Membership, PartnerCompany, Role, Tier, Vendor
from prm.clock import vendor_today
from prm.tenancy import vendor_scope

HISTORY = (MeddicElement, PhaseChange, ChampionActivity, AuditEntry, SupportActivity)


def seed(vendors=2, partners=3, deals=500, **options):
    out = StringIO()
    call_command(
        "seed_bulk", vendors=vendors, partners_per_vendor=partners, deals=deals, stdout=out, **options
    )
    return out.getvalue()


def table_counts() -> dict:
    with scopes_disabled():
        return {model.__name__: model.objects.count() for model in (Deal, DealScore, *HISTORY)}


@pytest.fixture
def bulk(db):
    seed()
    with scopes_disabled():
        return list(Vendor.objects.order_by("slug"))


def test_loads_vendors_partners_and_deals_with_their_scores(bulk):
    assert [vendor.slug for vendor in bulk] == ["bulk-001", "bulk-002"]
    with scopes_disabled():
        assert Deal.objects.count() == DealScore.objects.count() == 500
        assert dict(Deal.objects.values_list("vendor").annotate(n=Count("pk")).order_by()) == {
            bulk[0].pk: 250,
            bulk[1].pk: 250,
        }
        assert PartnerCompany.objects.filter(vendor=bulk[0]).count() == 3
        assert set(PartnerCompany.objects.values_list("tier", flat=True)) <= set(Tier.values)
        assert set(Deal.objects.values_list("phase", flat=True)) == set(Phase.values)
        drafts = Deal.objects.filter(registration_status=RegistrationStatus.DRAFT)
        assert drafts.exists() and not drafts.filter(registered_at__isnull=False).exists()
        assert (
            not Deal.objects.exclude(registration_status=RegistrationStatus.DRAFT)
            .filter(registered_at__isnull=True)
            .exists()
        )
        amounts = list(Deal.objects.values_list("amount", flat=True))
        assert min(amounts) >= 300_000 and all(amount % 10_000 == 0 for amount in amounts)
        first_month = add_months(vendor_today(bulk[0]), -17)
        oldest = Deal.objects.order_by("created_at").first().created_at
        assert timezone.localdate(oldest, ZoneInfo(bulk[0].time_zone)) >= first_month
        assert not Deal.objects.filter(
            phase__in=(Phase.WON, Phase.LOST), close_date__gt=timezone.now()
        ).exists()


def test_every_row_belongs_to_its_vendor(bulk):
    with scopes_disabled():
        assert not Deal.objects.exclude(partner__vendor=F("vendor")).exists()
        assert not DealScore.objects.exclude(deal__vendor=F("vendor")).exists()
        for model in (MeddicElement, PhaseChange, ChampionActivity):
            # Every row names an existing deal of its own vendor (the bulk load does not check keys row by row).
            assert model.objects.filter(deal__vendor=F("vendor")).count() == model.objects.count()
        support = SupportActivity.objects.all()
        assert support.filter(partner__vendor=F("vendor")).count() == support.count()
        assert not support.exclude(deal=None).exclude(deal__partner=F("partner")).exists()
        entries = AuditEntry.objects.all()
        assert entries.filter(deal_id__in=Deal.objects.filter(vendor=F("vendor")).values("pk")).count() == (
            entries.count()
        )
        element_entries = entries.filter(subject_type="meddicelement")
        assert element_entries.filter(
            subject_id__in=MeddicElement.objects.filter(vendor=F("vendor"), deal=F("deal")).values("pk")
        ).exists()
        assert not element_entries.exclude(subject_id__in=MeddicElement.objects.values("pk")).exists()
        assert (
            not PartnerCompany.objects.exclude(channel_manager=None)
            .exclude(
                channel_manager__memberships__vendor=F("vendor"),
                channel_manager__memberships__role=Role.CHANNEL_MANAGER,
            )
            .exists()
        )
        owners = set(Deal.objects.values_list("owner", "vendor", "partner").distinct())
        reps = set(Membership.objects.filter(role=Role.PARTNER_REP).values_list("user", "vendor", "partner"))
        assert owners <= reps


def test_kpis_add_up_over_the_bulk_data(bulk):
    vendor = bulk[0]
    today = vendor_today(vendor)
    months = periods_between(add_months(today, -17), today, MONTH)
    with vendor_scope(vendor):
        rows = kpi_rows(vendor=vendor, periods=months, group_type="vendor")
        counted = Deal.objects.exclude(registration_status=RegistrationStatus.DRAFT)
        assert sum(row["proposals"] for row in rows) == counted.count()
        assert sum(row["won"] for row in rows) == counted.filter(phase=Phase.WON).count()
        quarter = periods_between(today, today, QUARTER)
        (whole,) = kpi_rows(vendor=vendor, periods=quarter, group_type="vendor")
        partners = kpi_rows(vendor=vendor, periods=quarter, group_type="partner")
    assert len(partners) == 3
    for name in ("proposals", "won", "lost", "won_amount", "open_pipeline_amount"):
        assert sum(row[name] for row in partners) == whole[name]


def test_a_rerun_adds_nothing_and_a_larger_count_tops_up(bulk):
    before = table_counts()
    assert "0 added" in seed()
    assert table_counts() == before
    assert "100 added" in seed(deals=600)
    after = table_counts()
    with scopes_disabled():
        assert Deal.objects.count() == DealScore.objects.count() == 600
        assert Deal.objects.filter(vendor=bulk[1]).count() == 300
        assert PartnerCompany.objects.count() == 6
        assert MeddicElement.objects.count() == 6 * 600
        assert set(Deal.objects.annotate(n=Count("phase_changes")).values_list("n", flat=True)) >= {1, 2}
    assert all(after[name] > before[name] for name in before)


def indexes() -> dict[str, dict]:
    with connection.cursor() as cursor:
        return {
            (model._meta.db_table, name): (info["columns"], info["unique"], info["primary_key"])
            for model in (Deal, DealScore, *HISTORY)
            for name, info in connection.introspection.get_constraints(cursor, model._meta.db_table).items()
            if info["index"] or info["unique"] or info["primary_key"]
        }


def test_the_tables_keep_their_indexes(db):
    """A large load drops the secondary indexes while it loads and creates them again (on PostgreSQL)."""
    before = indexes()
    seed(deals=300)
    assert "100 added" in seed(deals=400)
    assert indexes() == before


def test_the_first_vendor_can_hold_most_deals(db):
    # Generated by two worker processes, as large loads are.
    assert "1,000 deals (1,000 added)" in seed(vendors=3, deals=1000, big_vendor_deals=700, workers=2)
    with scopes_disabled():
        counts = dict(Vendor.objects.annotate(n=Count("deals")).values_list("slug", "n"))
    assert counts == {"bulk-001": 700, "bulk-002": 150, "bulk-003": 150}
    assert "0 added" in seed(vendors=3, deals=1000, big_vendor_deals=700)
    assert "200 added" in seed(vendors=3, deals=1200, big_vendor_deals=700)
    with scopes_disabled():
        counts = dict(Vendor.objects.annotate(n=Count("deals")).values_list("slug", "n"))
    assert counts == {"bulk-001": 700, "bulk-002": 250, "bulk-003": 250}


def test_worker_processes_draw_the_same_chunks(db):
    seed(deals=0)
    with scopes_disabled():
        vendors = list(Vendor.objects.order_by("slug"))
        generator = _Generator("test", timezone.now(), *sellers_of(vendors))
    specs = list(generator.chunk_specs({vendors[0].pk: 300, vendors[1].pk: 200}, 1, 1))
    writer = writer_for_connection()

    def made(workers: int) -> list:
        """The chunks, with ``COPY``'s buffers read (the inserts' rows are compared as they are)."""
        return [
            (month, count, [tuple(_read(part) for part in table) for table in prepared])
            for month, count, prepared in chunks_made(generator, writer, specs, workers)
        ]

    here = made(0)
    assert sum(count for _month, count, _prepared in here) == 500
    assert made(2) == here


def _read(part):
    return part.getvalue() if hasattr(part, "getvalue") else part


def test_deal_targets_share_the_total():
    assert deal_targets(3, 10) == [4, 3, 3]
    assert deal_targets(3, 1000, 700) == [700, 150, 150]
    assert deal_targets(3, 500, 700) == [500, 0, 0]
    assert deal_targets(1, 500, 200) == [500]
    assert sum(deal_targets(50, 1_000_000, 200_000)) == 1_000_000


# -- history ---------------------------------------------------------------------------------------------------
def test_every_deal_has_its_six_elements(bulk):
    with scopes_disabled():
        assert MeddicElement.objects.count() == 6 * Deal.objects.count()
        codes = MeddicElement.objects.values("deal").annotate(n=Count("code", distinct=True))
        assert set(codes.values_list("n", flat=True)) == {6}
        assert set(MeddicElement.objects.values_list("code", flat=True)) == set(ElementCode.values)
        assert set(MeddicElement.objects.values_list("evidence", flat=True)) == set(Evidence.values)
        assert set(MeddicElement.objects.values_list("level", flat=True)) == {0, 1, 2, 3}
        # Only the vendor verifies: a verified element names the vendor staff member who did it and how.
        verified = MeddicElement.objects.filter(evidence=Evidence.VERIFIED)
        assert verified.exists()
        assert not verified.filter(verified_by=None).exists()
        assert not verified.filter(verification_method="").exists()
        staff = Membership.objects.filter(role__in=(Role.VENDOR_ADMIN, Role.CHANNEL_MANAGER))
        assert not verified.exclude(verified_by__in=staff.values("user")).exists()
        assert (
            not MeddicElement.objects.exclude(evidence=Evidence.VERIFIED).exclude(verified_by=None).exists()
        )
        # Later phases know more.
        levels = {
            phase: sum(levels) / len(levels)
            for phase, levels in _levels_by_phase(MeddicElement.objects.all()).items()
        }
        assert levels[Phase.INFORMATION_GATHERING] < levels[Phase.PROPOSAL] < levels[Phase.WON]


def _levels_by_phase(elements) -> dict[str, list[int]]:
    levels = defaultdict(list)
    for phase, level in elements.values_list("deal__phase", "level"):
        levels[phase].append(level)
    return levels


def test_phase_history_runs_from_creation_to_the_current_phase(bulk):
    now = timezone.now()
    with scopes_disabled():
        deals = {deal.pk: deal for deal in Deal.objects.all()}
        chains = defaultdict(list)
        for change in PhaseChange.objects.order_by("deal_id", "changed_at", "pk"):
            chains[change.deal_id].append(change)
    assert set(chains) == set(deals)
    for deal_id, chain in chains.items():
        deal = deals[deal_id]
        assert chain[0].from_phase == "" and chain[0].changed_at == deal.created_at
        assert all(a.to_phase == b.from_phase for a, b in pairwise(chain))
        assert chain[-1].to_phase == deal.phase
        assert all(change.changed_by_id == deal.owner_id for change in chain)
        assert chain[-1].changed_at <= now
        if deal.phase in (Phase.WON, Phase.LOST):
            assert chain[-1].changed_at == deal.closed_at
        open_phases = [
            OPEN_PHASES.index(change.to_phase) for change in chain if change.to_phase in OPEN_PHASES
        ]
        assert open_phases == sorted(open_phases)


def test_the_audit_trail_rebuilds_every_element(bulk):
    """Replaying each deal's element entries from the defaults gives its elements as they are; the deal's
    creation and each phase change are in the trail too, in the services' shape."""
    with scopes_disabled():
        entries = AuditEntry.objects.order_by("at", "pk")
        answers = defaultdict(initial_answers)
        for deal_id, changes in entries.filter(subject_type="meddicelement").values_list(
            "deal_id", "changes"
        ):
            for key, (_before, after) in changes.items():
                code, _dot, name = key.partition(".")
                if name in answers[deal_id][code]:
                    answers[deal_id][code][name] = after
        for element in MeddicElement.objects.all():
            assert answers[element.deal_id][element.code] == {
                name: value.value if hasattr(value, "value") else value
                for name, value in element.as_dict().items()
            }
        actions = Counter(entries.values_list("action", flat=True))
        assert actions["deal.create"] == Deal.objects.count()
        assert actions["deal.update"] == PhaseChange.objects.exclude(from_phase="").count()
        assert actions["element.update"] and actions["element.verify"]
        create = entries.filter(action="deal.create").select_related("actor").first()
        deal = Deal.objects.get(pk=create.deal_id)
        assert create.subject_type == "deal" and create.subject_id == deal.pk
        assert create.actor_id == deal.owner_id and create.actor_email == deal.owner.email
        assert create.changes["customer_name"] == [None, deal.customer_name]
        assert create.changes["amount"] == [None, deal.amount]
        first = PhaseChange.objects.filter(deal=deal).order_by("changed_at", "pk").first()
        assert create.changes["phase"] == [None, first.to_phase]
        assert len(create.request_id) == 32
        # Only vendor staff verify, or say the vendor met the buyer or verified the champion.
        staff = set(
            Membership.objects.filter(role__in=(Role.VENDOR_ADMIN, Role.CHANNEL_MANAGER)).values_list(
                "user", flat=True
            )
        )
        for action, actor, changes in entries.values_list("action", "actor", "changes"):
            vendor_only = any(
                values[1] in (Evidence.VERIFIED, BuyerAccess.VENDOR_MET)
                and key.endswith((".evidence", ".access", ".status"))
                and not (key == "champion.status" and values[1] != ChampionStatus.VERIFIED)
                for key, values in changes.items()
                if isinstance(values, list)
            )
            if vendor_only:
                assert actor in staff, (action, changes)
            if any(
                key.endswith(".evidence") and values[1] == Evidence.VERIFIED
                for key, values in changes.items()
            ):
                assert action == "element.verify"


def test_the_loss_factor_analysis_reads_the_bulk_history(bulk):
    with vendor_scope(bulk[0]):
        deals = closed_deals_as_of(Deal.objects.all())
        current = {
            (element.deal_id, element.code): element.as_dict()
            for element in MeddicElement.objects.filter(deal__phase__in=(Phase.WON, Phase.LOST))
        }
    reached = [deal for deal in deals if deal.reached_proposal]
    assert len(reached) > 50 and any(deal.won for deal in reached) and any(not deal.won for deal in reached)
    for deal in deals:  # closed deals end with the answers they have now
        for code, answers in deal.at_close.items():
            assert answers == {
                name: getattr(value, "value", value) for name, value in current[deal.pk, code].items()
            }
    results = {result.code: result for result in loss_factor_results(deals)}
    champion = {group.value: group for group in results["champion_status"].groups}
    assert sum(group.n for group in champion.values()) == len(reached)
    assert champion[ChampionStatus.VERIFIED].n and champion[ChampionStatus.UNKNOWN].n
    # Deals with a verified champion at proposal won more often than those without one.
    assert champion[ChampionStatus.VERIFIED].win_rate > champion[ChampionStatus.NONE].win_rate
    access = {group.value: group for group in results["economic_buyer_access"].groups}
    assert access[BuyerAccess.VENDOR_MET].n and access["unknown"].n
    assert all(result.reference is not None and result.comparisons for result in results.values())


def test_scores_are_what_the_scoring_computes(bulk):
    vendor = bulk[0]
    with vendor_scope(vendor):
        open_deals = Deal.objects.filter(phase__in=OPEN_PHASES)
        scores = dict(DealScore.objects.values_list("deal", "quality"))
        assert scores_refresh(vendor=vendor, deals=open_deals) == 0
        categories = set(DealScore.objects.values_list("forecast_category", flat=True))
        flags = Counter(
            code
            for codes in DealScore.objects.values_list("flag_codes", flat=True)
            for code in codes.split(",")
        )
    assert len(set(scores.values())) > 10
    assert categories == {"pipeline", "best_case", "commit", "closed", "omitted"}
    assert flags["champion_inactive"] and flags["metrics_undefined"] and flags["close_date_passed"]


def test_champion_logs_and_support_fall_within_the_deals_lives(bulk):
    vendor = bulk[0]
    today = vendor_today(vendor)
    zone = ZoneInfo(vendor.time_zone)
    with vendor_scope(vendor):
        logs = Deal.objects.annotate(
            first=Min("champion_activities__date"), last=Max("champion_activities__date")
        )
        logged = logs.exclude(first=None)
        assert logged.count() > 100
        for deal in logged:
            assert timezone.localdate(deal.created_at, zone) <= deal.first <= deal.last <= today
            if deal.phase in (Phase.WON, Phase.LOST):
                assert deal.last <= deal.close_date
        quiet = logged.filter(phase__in=OPEN_PHASES, last__lt=today - timedelta(days=30))
        assert quiet.exists()
        support = SupportActivity.objects.all()
        assert support.exclude(deal=None).exists() and support.filter(deal=None).exists()
        assert not support.filter(date__gt=today).exists()
        for activity in support.exclude(deal=None).select_related("deal"):
            assert activity.date >= timezone.localdate(activity.deal.created_at, zone)


def test_refuses_a_database_of_another_shape(bulk):
    with pytest.raises(CommandError, match="2 vendors and 3 partners"):
        seed(vendors=3)
    with scopes_disabled():
        assert Vendor.objects.count() == 2 and Deal.objects.count() == 500


def test_refuses_a_database_with_other_vendors(world):
    with pytest.raises(CommandError, match="other vendors"):
        seed()
    with scopes_disabled():
        assert not Vendor.objects.filter(slug__startswith="bulk-").exists()
