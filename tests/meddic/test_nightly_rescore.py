"""The nightly re-score touches only the open deals whose time-based inputs crossed a threshold since the vendor's
previous run (meddic.rescore), and leaves every score as a full re-score would; deals without element rows score
as unknown elements; closed and on-hold deals keep the score they had when they left the open phases."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from deals.models import ChampionActivity, Deal
from meddic import scoring
from meddic.models import DealScore, MeddicElement, RescoreDay, ScoreHistory
from meddic.rescore import crossed_deals, nightly_rescore
from meddic.services import scores_refresh
from meddic.tasks import rescore_all, rescore_nightly
from prm.tenancy import vendor_scope
from tests.deals.conftest import register

TOKYO = ZoneInfo("Asia/Tokyo")
TODAY = date(2026, 11, 24)
YESTERDAY = TODAY - timedelta(days=1)


def tokyo(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TOKYO)


@dataclass
class Clock:
    """``django.utils.timezone.now`` for the test: noon in Tokyo on ``day`` unless set to a moment."""

    now: datetime

    def set_day(self, day: date) -> None:
        self.now = tokyo(day).astimezone(UTC)


@pytest.fixture
def clock() -> Iterator[Clock]:
    fixed = Clock(tokyo(TODAY).astimezone(UTC))
    with mock.patch("django.utils.timezone.now", side_effect=lambda: fixed.now):
        yield fixed


@contextmanager
def on_day(clock: Clock, day: date):
    before = clock.now
    clock.set_day(day)
    try:
        yield
    finally:
        clock.now = before


def make_deal(
    world,
    *,
    phase: str = "proposal",
    close_date: date = TODAY + timedelta(days=90),
    confirmed: dict[str, datetime] | None = None,
    champion: str | None = None,
    activities: tuple[date, ...] = (),
) -> Deal:
    """An open deal of acme registered today, then given the facts the test needs (written directly)."""
    deal = register(world, world.partner_rep, phase="proposal", close_date=TODAY + timedelta(days=90))
    with scopes_disabled():
        Deal.objects.filter(pk=deal.pk).update(phase=phase, close_date=close_date)
        MeddicElement.objects.filter(deal=deal).update(last_confirmed_at=None)
        for code, at in (confirmed or {}).items():
            MeddicElement.objects.filter(deal=deal, code=code).update(
                level=2, evidence="evidenced", last_confirmed_at=at
            )
        if champion:
            MeddicElement.objects.filter(deal=deal, code="champion").update(status=champion, level=1)
        for day in activities:
            ChampionActivity.objects.create(
                vendor=world.acme,
                deal=deal,
                date=day,
                actor="champion",
                activity_type="internal_briefing",
                target="users",
                outcome="advanced",
                logged_by=world.partner_rep,
            )
        return Deal.objects.get(pk=deal.pk)


def days_ago(days: int, hour: int = 12, minute: int = 0) -> datetime:
    """A confirmation at ``hour:minute`` Tokyo time, ``days`` days before TODAY."""
    return tokyo(TODAY - timedelta(days=days), hour, minute)


def selected(world, *, since: date, today: date = TODAY) -> set[int]:
    with vendor_scope(world.acme):
        return set(crossed_deals(vendor=world.acme, since=since, today=today).values_list("pk", flat=True))


def stored_scores(vendor) -> dict[int, tuple]:
    with scopes_disabled():
        return {
            row[0]: row[1:]
            for row in DealScore.objects.filter(vendor=vendor).values_list(
                "deal_id", "quality", "visibility", "forecast_category", "flag_codes", "flag_count"
            )
        }


def history_count(vendor) -> int:
    with scopes_disabled():
        return ScoreHistory.objects.filter(vendor=vendor).count()


def score_all(vendor) -> int:
    with vendor_scope(vendor):
        return scores_refresh(vendor=vendor)


def mark(vendor, day: date | None) -> None:
    with scopes_disabled():
        RescoreDay.objects.filter(vendor=vendor).delete()
        if day is not None:
            RescoreDay.objects.create(vendor=vendor, last_day=day)


def last_day(vendor) -> date | None:
    with scopes_disabled():
        row = RescoreDay.objects.filter(vendor=vendor).first()
    return row.last_day if row else None


# --- Which deals are selected ------------------------------------------------------------------------------------


def test_an_element_turning_31_days_old_is_picked_20_days_is_not(world, clock):
    turned = make_deal(world, confirmed={"metrics": days_ago(31)})
    younger = make_deal(world, confirmed={"metrics": days_ago(20)})
    older = make_deal(world, confirmed={"metrics": days_ago(32)})  # crossed yesterday, covered by that run
    assert selected(world, since=YESTERDAY) == {turned.pk}
    assert younger.pk not in selected(world, since=YESTERDAY) and older.pk not in selected(
        world, since=YESTERDAY
    )


def test_an_element_turning_91_days_old_is_picked(world, clock):
    stale = make_deal(world, confirmed={"champion": days_ago(91)})
    make_deal(world, confirmed={"champion": days_ago(90)})
    assert selected(world, since=YESTERDAY) == {stale.pk}


def test_the_age_of_a_confirmation_is_counted_in_the_vendors_time_zone(world, clock):
    # 23:30 in Tokyo 31 days ago is still that day there (14:30 UTC); 00:30 the next day is 30 days ago in Tokyo
    # though it is the same UTC day as the first.
    late_at, early_at = days_ago(31, hour=23, minute=30), days_ago(30, hour=0, minute=30)
    assert late_at.astimezone(UTC).date() == early_at.astimezone(UTC).date()
    late = make_deal(world, confirmed={"metrics": late_at})
    early = make_deal(world, confirmed={"metrics": early_at})
    assert selected(world, since=YESTERDAY) == {late.pk}
    assert early.pk not in selected(world, since=YESTERDAY)


def test_close_dates_that_passed_or_came_near_are_picked(world, clock):
    passed = make_deal(world, close_date=YESTERDAY)
    make_deal(world, close_date=TODAY - timedelta(days=2))  # passed the day before: already flagged
    make_deal(world, close_date=TODAY)  # not passed yet
    near = make_deal(world, close_date=TODAY + timedelta(days=30))
    make_deal(world, close_date=TODAY + timedelta(days=31))
    assert selected(world, since=YESTERDAY) == {passed.pk, near.pk}


def test_a_champion_whose_last_activity_turned_31_days_old_is_picked(world, clock):
    inactive = make_deal(world, champion="reported", activities=(TODAY - timedelta(days=31),))
    verified = make_deal(
        world, champion="verified", activities=(TODAY - timedelta(days=40), TODAY - timedelta(days=31))
    )
    make_deal(world, champion="reported", activities=(TODAY - timedelta(days=30),))
    # an older activity crossed, but a later one keeps the champion active
    make_deal(world, champion="reported", activities=(TODAY - timedelta(days=31), TODAY - timedelta(days=3)))
    # for a coach the flag does not depend on activity
    make_deal(world, champion="coach_only", activities=(TODAY - timedelta(days=31),))
    assert selected(world, since=YESTERDAY) == {inactive.pk, verified.pk}


@pytest.mark.parametrize("phase", ["won", "lost", "on_hold"])
def test_deals_that_are_not_open_are_never_picked(world, clock, phase):
    make_deal(
        world,
        phase=phase,
        close_date=YESTERDAY,
        confirmed={"metrics": days_ago(31), "economic_buyer": days_ago(91)},
        champion="reported",
        activities=(TODAY - timedelta(days=31),),
    )
    assert selected(world, since=YESTERDAY) == set()
    assert selected(world, since=TODAY - timedelta(days=120)) == set()


def test_a_missed_night_catches_the_crossings_of_both_days(world, clock):
    today_ = make_deal(world, confirmed={"metrics": days_ago(31)})
    yesterday_ = make_deal(world, confirmed={"metrics": days_ago(32)})
    closed_yesterday = make_deal(world, close_date=TODAY - timedelta(days=2))
    champion = make_deal(world, champion="reported", activities=(TODAY - timedelta(days=32),))
    make_deal(world, confirmed={"metrics": days_ago(33)})
    assert selected(world, since=TODAY - timedelta(days=2)) == {
        today_.pk,
        yesterday_.pk,
        closed_yesterday.pk,
        champion.pk,
    }
    assert selected(world, since=YESTERDAY) == {today_.pk}
    assert selected(world, since=TODAY) == set()


def test_other_vendors_deals_are_not_picked(world, clock):
    ours = make_deal(world, close_date=YESTERDAY)
    register(world, world.rival_rep, vendor=world.rival, close_date=YESTERDAY)
    assert selected(world, since=YESTERDAY) == {ours.pk}


# --- The nightly run --------------------------------------------------------------------------------------------


def population(world) -> list[Deal]:
    """Open, closed and on-hold deals whose time-based inputs sit on and around every threshold."""
    deals = []
    for offset in (-1, 0, 1, 2):
        deals += [
            make_deal(
                world, confirmed={"metrics": days_ago(30 + offset), "identify_pain": days_ago(90 + offset)}
            ),
            make_deal(world, phase="evaluation", close_date=TODAY - timedelta(days=offset)),
            make_deal(world, phase="pre_approval", close_date=TODAY + timedelta(days=30 + offset)),
            make_deal(world, champion="verified", activities=(TODAY - timedelta(days=30 + offset),)),
        ]
    for phase in ("won", "lost", "on_hold"):
        deals.append(
            make_deal(
                world,
                phase=phase,
                close_date=YESTERDAY,
                confirmed={"metrics": days_ago(31), "decision_process": days_ago(91)},
                champion="reported",
                activities=(TODAY - timedelta(days=31),),
            )
        )
    return deals


def test_the_nightly_run_leaves_every_score_as_a_full_rescore_would(world, clock):
    population(world)
    with on_day(clock, YESTERDAY):
        score_all(world.acme)  # the scores as last night's run left them
    mark(world.acme, YESTERDAY)
    before = stored_scores(world.acme)

    changed = rescore_nightly.delay(vendor_id=world.acme.pk).get()

    after = stored_scores(world.acme)
    assert changed == len([pk for pk in after if after[pk] != before[pk]]) > 0
    assert score_all(world.acme) == 0  # a full re-score finds nothing left to change
    assert stored_scores(world.acme) == after
    assert last_day(world.acme) == TODAY


def test_a_missed_night_is_caught_up(world, clock):
    population(world)
    day_before = TODAY - timedelta(days=2)
    with on_day(clock, day_before):
        score_all(world.acme)
    mark(world.acme, day_before)

    assert rescore_nightly.delay(vendor_id=world.acme.pk).get() > 0
    assert score_all(world.acme) == 0
    assert last_day(world.acme) == TODAY


def test_the_first_run_looks_back_one_day_and_a_second_run_does_nothing(world, clock):
    deal = make_deal(world, close_date=YESTERDAY)
    old = make_deal(world, close_date=TODAY - timedelta(days=2))
    with on_day(clock, YESTERDAY):
        score_all(world.acme)
    mark(world.acme, None)
    with on_day(clock, TODAY - timedelta(days=2)):
        score_all(world.acme)  # ``old`` as it was before its close date passed, two days ago

    assert rescore_nightly.delay(vendor_id=world.acme.pk).get() == 1
    assert "close_date_passed" in stored_scores(world.acme)[deal.pk][3]
    assert "close_date_passed" not in stored_scores(world.acme)[old.pk][3]  # beyond the first run's day
    assert last_day(world.acme) == TODAY
    histories = history_count(world.acme)
    assert rescore_nightly.delay(vendor_id=world.acme.pk).get() == 0
    assert history_count(world.acme) == histories


def test_the_beat_task_runs_the_nightly_rescore_of_every_active_vendor(world, clock):
    make_deal(world, close_date=YESTERDAY)
    with on_day(clock, YESTERDAY):
        score_all(world.acme)
    assert rescore_all.delay().get() == 2
    assert last_day(world.acme) == last_day(world.rival) == TODAY


def test_the_last_day_never_moves_back(world, clock):
    mark(world.acme, TODAY + timedelta(days=1))  # e.g. the vendor's time zone moved west
    with vendor_scope(world.acme):
        nightly_rescore(vendor=world.acme)
    assert last_day(world.acme) == TODAY + timedelta(days=1)


def nightly_queries(world, clock, crossing: int) -> int:
    for _ in range(crossing):
        make_deal(world, confirmed={"metrics": days_ago(31)}, close_date=YESTERDAY)
    with on_day(clock, YESTERDAY):
        score_all(world.acme)
    mark(world.acme, YESTERDAY)
    with CaptureQueriesContext(connection) as queries:
        changed = rescore_nightly.delay(vendor_id=world.acme.pk).get()
    assert changed == crossing
    return len(queries)


def test_the_nightly_run_takes_as_many_queries_for_few_deals_as_for_many(world, clock):
    few = nightly_queries(world, clock, 2)
    with scopes_disabled():
        Deal.objects.filter(vendor=world.acme).delete()
    many = nightly_queries(world, clock, 12)
    assert many == few


def test_full_rescores_still_score_every_deal(world, clock):
    """After a weight change, every deal of the vendor is re-scored, closed ones and unchanged inputs included."""
    open_deal = make_deal(world)
    won = make_deal(world, phase="won", close_date=YESTERDAY)
    with scopes_disabled():
        DealScore.objects.filter(vendor=world.acme).delete()
    assert score_all(world.acme) == 2
    assert set(stored_scores(world.acme)) == {open_deal.pk, won.pk}


# --- Deals without element rows ------------------------------------------------------------------------------------


def test_a_deal_without_elements_scores_as_unknown_elements(world, clock):
    bare = make_deal(world, phase="proposal", close_date=YESTERDAY)
    partial = make_deal(world, phase="evaluation", confirmed={"metrics": days_ago(3)})
    with scopes_disabled():
        MeddicElement.objects.filter(deal=bare).delete()
        MeddicElement.objects.filter(deal=partial).exclude(code="metrics").delete()
        DealScore.objects.filter(vendor=world.acme).delete()

    assert score_all(world.acme) == 2

    scores = stored_scores(world.acme)
    quality, visibility, category, codes, _count = scores[bare.pk]
    assert (quality, visibility, category) == (0, 0, "pipeline")
    assert {"economic_buyer_no_access", "champion_missing", "close_date_passed"} <= set(
        codes.strip(",").split(",")
    )
    # metrics level 2 of 18 → 11; evidenced (0.7) and fresh (1.0) of 6 → 12
    assert scores[partial.pk][:3] == (11, 12, "pipeline")
    with scopes_disabled():
        assert not MeddicElement.objects.filter(deal=bare).exists()
        assert MeddicElement.objects.filter(deal=partial).count() == 1


def test_the_nightly_run_scores_deals_without_elements(world, clock):
    bare = make_deal(world, close_date=YESTERDAY)
    with scopes_disabled():
        MeddicElement.objects.filter(deal=bare).delete()
    with on_day(clock, YESTERDAY):
        score_all(world.acme)
    mark(world.acme, YESTERDAY)
    assert rescore_nightly.delay(vendor_id=world.acme.pk).get() == 1
    assert "close_date_passed" in stored_scores(world.acme)[bare.pk][3]


# --- Closed and on-hold deals do not decay ---------------------------------------------------------------------------


@pytest.mark.parametrize("phase", ["won", "lost", "on_hold"])
def test_a_deal_that_left_the_open_phases_keeps_its_visibility(world, clock, phase):
    deal = make_deal(world, confirmed={code: days_ago(5) for code in scoring.CODES})
    fields = {"phase": phase}
    if phase in ("won", "lost"):
        fields["close_date"] = TODAY
    if phase == "lost":
        fields["loss_type"] = "competitor"
    from deals import services
    from tests.conftest import access_of

    with vendor_scope(world.acme):
        services.deal_update(
            access=access_of(world.partner_rep, world.acme), deal=deal, version=deal.version, fields=fields
        )
    at_close = stored_scores(world.acme)[deal.pk]
    assert at_close[1] == 70  # every element evidenced (0.7) and fresh

    for later in (40, 100, 400):
        with on_day(clock, TODAY + timedelta(days=later)):
            assert score_all(world.acme) == 0
    assert stored_scores(world.acme)[deal.pk] == at_close


def test_an_open_deal_decays(world, clock):
    deal = make_deal(world, confirmed={code: days_ago(5) for code in scoring.CODES})
    score_all(world.acme)
    assert stored_scores(world.acme)[deal.pk][1] == 70
    with on_day(clock, TODAY + timedelta(days=40)):
        score_all(world.acme)
    assert stored_scores(world.acme)[deal.pk][1] == 49  # 0.7 · 0.7


class TestFreshnessDay:
    def facts(self, phase, phase_since):
        return scoring.Facts(
            phase=phase,
            close_date=TODAY,
            elements={},
            weights={},
            last_champion_activity=None,
            has_conflict=False,
            today=TODAY,
            zone=TOKYO,
            phase_since=phase_since,
        )

    def test_open_deals_are_measured_today(self):
        assert scoring.freshness_day(self.facts("proposal", tokyo(TODAY - timedelta(days=9)))) == TODAY

    @pytest.mark.parametrize("phase", ["won", "lost", "on_hold"])
    def test_other_deals_on_the_day_they_entered_their_phase(self, phase):
        # 23:30 UTC is the next morning in Tokyo
        entered = datetime(2026, 10, 1, 23, 30, tzinfo=UTC)
        assert scoring.freshness_day(self.facts(phase, entered)) == date(2026, 10, 2)
