"""The nightly re-score: only the open deals whose score inputs crossed a threshold with the calendar (DESIGN §5).

Between edits, a deal's score moves with the date through four inputs (see ``meddic.scoring``), each crossing a
threshold on one day:

- element freshness: ``last_confirmed_at`` (its day in the vendor's time zone) becomes more than ``FRESH_DAYS``
  or more than ``STALE_DAYS`` days old;
- ``champion_inactive``: the deal's last champion activity becomes more than ``INACTIVE_DAYS`` days old, for a
  champion whose status is verified or reported (for any other status the flag does not depend on the date);
- ``close_date_passed``: the close date becomes yesterday;
- ``decision_process_unknown``: the close date comes within ``CLOSE_SOON_DAYS`` days.

Every other input changes only with an edit, which re-scores the deal at once (``services.score_refresh``), and
a deal that is not open does not move with the date at all (``scoring.freshness_day``). So the nightly run
selects, in one query, the open deals for which one of these thresholds was crossed on a day after the vendor's
previous run (:class:`~meddic.models.RescoreDay`) up to today — so missed nights are caught up; a first run looks
back one day — and re-scores just those.

Each branch of the selection reads an index that starts with ``vendor_id``: ``meddic_element_confirmed``
(``vendor``, ``last_confirmed_at``, ``deal``) for freshness, ``deals_vendor_closed_kpi`` (``vendor``, ``close_date``,
…) for the close date, and the champion log's (``vendor``, ``deal``, ``date``), read index-only within the vendor,
for champion activity.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q, QuerySet

from deals.models import OPEN_PHASES, ChampionActivity, Deal
from meddic.models import ChampionStatus, ElementCode, MeddicElement, RescoreDay
from meddic.scoring import CLOSE_SOON_DAYS, FRESH_DAYS, INACTIVE_DAYS, STALE_DAYS
from meddic.services import scores_refresh
from prm.clock import vendor_today

ACTIVE_CHAMPION = (ChampionStatus.VERIFIED, ChampionStatus.REPORTED)


def _window(since: date, today: date, days: int) -> tuple[date, date]:
    """The dates ``x`` (first, last) for which ``x + days`` fell in (since, today]: a fact dated ``x`` crossed a
    threshold ``days`` after it (before it, when negative) on one of those days. Empty (first > last) when
    ``since >= today``."""
    return since + timedelta(days=1 - days), today - timedelta(days=days)


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def crossed_deals(*, vendor, since: date, today: date) -> QuerySet[Deal]:
    """The vendor's open deals whose time-based score inputs crossed a threshold on a day in (since, today]."""
    zone = ZoneInfo(vendor.time_zone)
    # close_date < day turns true the day after the close date; close_date - day <= CLOSE_SOON_DAYS turns true
    # CLOSE_SOON_DAYS days before it.
    by_close_date = (
        Deal.objects.filter(vendor=vendor)
        .filter(
            Q(close_date__range=_window(since, today, 1))
            | Q(close_date__range=_window(since, today, -CLOSE_SOON_DAYS))
        )
        .order_by()
        .values("pk")
    )
    # Freshness drops when the age in days (today − the confirmation's local day) exceeds FRESH_DAYS or STALE_DAYS.
    confirmed = Q()
    for days in (FRESH_DAYS, STALE_DAYS):
        first, last = _window(since, today, days + 1)
        confirmed |= Q(
            last_confirmed_at__gte=_day_start(first, zone),
            last_confirmed_at__lt=_day_start(last + timedelta(days=1), zone),
        )
    by_freshness = MeddicElement.objects.filter(confirmed, vendor=vendor).order_by().values("deal_id")
    # champion_inactive turns on when the last activity is more than INACTIVE_DAYS old: an activity in the window
    # and none after it, for a champion whose status makes the flag depend on it.
    first, last = _window(since, today, INACTIVE_DAYS + 1)
    later = ChampionActivity.objects.filter(vendor=vendor, deal=OuterRef("deal_id"), date__gt=last)
    active = MeddicElement.objects.filter(
        vendor=vendor, deal=OuterRef("deal_id"), code=ElementCode.CHAMPION, status__in=ACTIVE_CHAMPION
    )
    by_champion = (
        ChampionActivity.objects.filter(vendor=vendor, date__range=(first, last))
        .filter(~Exists(later), Exists(active))
        .order_by()
        .values("deal_id")
    )
    return Deal.objects.filter(
        vendor=vendor, phase__in=OPEN_PHASES, pk__in=by_close_date.union(by_freshness, by_champion)
    )


def nightly_rescore(*, vendor) -> int:
    """Re-score the vendor's deals whose time-based inputs crossed a threshold since its previous run, and
    remember today as the last day covered. Idempotent: a second run on the same day selects nothing. Returns
    how many scores changed."""
    today = vendor_today(vendor)
    mark = RescoreDay.objects.filter(vendor=vendor).first()
    since = mark.last_day if mark is not None else today - timedelta(days=1)
    changed = scores_refresh(vendor=vendor, deals=crossed_deals(vendor=vendor, since=since, today=today))
    # Never back: a vendor whose time zone moved west has covered today already.
    RescoreDay.objects.update_or_create(vendor=vendor, defaults={"last_day": max(since, today)})
    return changed
