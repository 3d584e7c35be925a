"""The champion log and the vendor's support of a bulk deal (``bench.seed_history``).

- **Champion log** (``ChampionActivity``, the fixed format of DESIGN §4): deals whose champion is verified,
  reported or only a coach have a few entries between shortly after creation and the close (or recently), closer
  together the stronger the champion, the kind following the phase the deal was in that day. Some open deals'
  champions went quiet more than 30 days ago, and half the champions of lost deals stopped well before the loss.
- **Support log** (``SupportActivity``): support follows promising deals, as in ``knowledge.demo``. Won deals
  (and better tiers) more often had a joint visit, a proposal review or a ringi template before their
  pre-approval groundwork; now and then the partner as a whole had a study session or technical Q&A.
"""

from datetime import date, datetime, time, timedelta

from deals.demo import words
from deals.demo.champions import EARLY_ACTIVITIES, LATE_ACTIVITIES, MIDDLE_ACTIVITIES
from deals.models import OPEN_PHASES, ActivityActor, ActivityOutcome, Phase
from knowledge.demo import DEAL_SUPPORT, NOTES
from knowledge.models import SupportType
from meddic.models import ChampionStatus

CH = ChampionStatus
# Days between entries (at least, at most) and how many entries at most, by the champion's status.
LOG_RHYTHM = {CH.VERIFIED: (7, 16, 5), CH.REPORTED: (9, 24, 4), CH.COACH_ONLY: (18, 35, 2)}
ACTIVE = (CH.VERIFIED, CH.REPORTED)
ACTORS = (ActivityActor.CHAMPION,) * 13 + (ActivityActor.PARTNER,) * 5 + (ActivityActor.VENDOR,) * 2
COACH_ACTORS = (ActivityActor.CHAMPION,) * 3 + (ActivityActor.PARTNER,) * 7
PRE_APPROVAL_RANK = OPEN_PHASES.index(Phase.PRE_APPROVAL)
EVALUATION_RANK = OPEN_PHASES.index(Phase.EVALUATION)

ACTIVITY_FIELDS = (
    "vendor",
    "deal",
    "date",
    "actor",
    "activity_type",
    "target",
    "outcome",
    "next_step",
    "logged_by",
    "created_at",
)
SUPPORT_FIELDS = (
    "vendor",
    "partner",
    "deal",
    "support_type",
    "date",
    "hours",
    "note",
    "logged_by",
    "created_at",
)
# Chance of deal-level support by how the deal stands, and by the partner's tier.
SUPPORT_CHANCE = {Phase.WON: 0.55, Phase.LOST: 0.3, Phase.ON_HOLD: 0.12}
SUPPORT_OPEN, SUPPORT_EARLY = 0.25, 0.08
TIER_SUPPORT = {"platinum": 1.3, "gold": 1.1, "silver": 0.9, "registered": 0.7}
# The demo's mix of deal-level support kinds (``knowledge.demo``).
# Won deals had the vendor in front of the customer and the ringi paperwork early.
WON_BOOST = {SupportType.JOINT_VISIT: 3, SupportType.RINGI_TEMPLATE: 3, SupportType.PROPOSAL_REVIEW: 2}
SUPPORT_KINDS = tuple(kind.value for kind, _weight in DEAL_SUPPORT)
SUPPORT_WEIGHTS = tuple(weight for _kind, weight in DEAL_SUPPORT)
WON_WEIGHTS = tuple(weight * WON_BOOST.get(kind, 1) for kind, weight in DEAL_SUPPORT)
PARTNER_SUPPORT = (SupportType.STUDY_SESSION.value,) * 3 + (SupportType.TECHNICAL_QA.value,)
PARTNER_SUPPORT_CHANCE = 0.04
HOURS = ("1.0", "1.5", "2.0", "2.0", "3.0", "4.0")
SUPPORT_NOTES = NOTES  # the demo's notes per kind
EVENING = time(18)


def champion_log(history, rows, deal, story, days: list[tuple[date, int]], end: datetime) -> date | None:
    """Append the deal's champion log to ``rows``; returns the date of its last entry (None without one).

    ``days`` are the days the deal entered each phase of its path, with the phase's rank.
    """
    rng, today = history.rng, history.today
    champion = story.champion
    status = next((champion[m] for m in ("final", "proposal", "created") if champion[m] in LOG_RHYTHM), None)
    if status is None:
        return None
    first = min(today, deal.created.date() + timedelta(days=rng.randint(2, 12)))
    quiet = False
    if deal.closed_at is not None:
        last = deal.close_date - timedelta(days=rng.randint(0, 5))
        if deal.phase == Phase.LOST and champion["proposal"] in ACTIVE and rng.random() < 0.5:
            last, quiet = deal.close_date - timedelta(days=rng.randint(30, 60)), True
    elif deal.phase == Phase.ON_HOLD:
        last = end.date()
    else:
        last = today - timedelta(days=rng.randint(0, 10))
        if champion["final"] in ACTIVE and (today - first).days > 50 and rng.random() < 0.3:
            last, quiet = today - timedelta(days=rng.randint(31, 75)), True
    if last < first:
        return None
    low, high, cap = LOG_RHYTHM[status]
    dates, day = [], last
    while day >= first and len(dates) < cap:
        weekday = day - timedelta(days=max(0, day.weekday() - 4))  # Saturday and Sunday: the Friday before
        dates.append(weekday if weekday >= first else day)
        day -= timedelta(days=rng.randint(low, high))
    dates = sorted(set(dates))
    advance = 0.2 if status == CH.COACH_ONLY else 0.45 + 0.45 * story.quality
    actors = COACH_ACTORS if status == CH.COACH_ONLY else ACTORS
    for index, day in enumerate(dates):
        rank = days[0][1]
        for changed, changed_rank in days:
            if changed > day:
                break
            rank = changed_rank
        kinds = EARLY_ACTIVITIES if rank <= 1 else MIDDLE_ACTIVITIES if rank <= 3 else LATE_ACTIVITIES
        kind, target = rng.choice(kinds)
        if quiet and index == len(dates) - 1:
            outcome = ActivityOutcome.STALLED if rng.random() < 0.7 else ActivityOutcome.REGRESSED
        elif rng.random() < advance:
            outcome = ActivityOutcome.ADVANCED
        else:
            outcome = ActivityOutcome.STALLED if rng.random() < 0.8 else ActivityOutcome.REGRESSED
        actor = rng.choice(actors)
        rows.activities.append(
            (
                deal.vendor_id,
                deal.id,
                day,
                actor,
                kind,
                target,
                outcome,
                rng.choice(words.NEXT_STEPS[kind]),
                deal.staff if actor == ActivityActor.VENDOR else deal.owner,
                min(history.now, datetime.combine(day, EVENING, history.zone)),
            )
        )
    return dates[-1]


def support_log(history, rows, deal, days: list[tuple[date, int]]) -> None:
    """Append the vendor's support for the deal (and now and then for its partner as a whole) to ``rows``."""
    rng, today = history.rng, history.today
    start = deal.created.date()
    if rng.random() < PARTNER_SUPPORT_CHANCE:
        day = min(today, start + timedelta(days=rng.randint(-20, 20)))
        _support(history, rows, deal, rng.choice(PARTNER_SUPPORT), day, with_deal=False)
    open_chance = SUPPORT_OPEN if days[-1][1] >= EVALUATION_RANK else SUPPORT_EARLY
    chance = SUPPORT_CHANCE.get(deal.phase, open_chance)
    if rng.random() >= chance * TIER_SUPPORT[deal.tier]:
        return
    # Support counts for the playbook when given before the deal's pre-approval groundwork (or its close).
    cut = next((day for day, rank in days if rank == PRE_APPROVAL_RANK), None)
    if cut is None:
        cut = deal.close_date if deal.closed_at is not None else today
    span = max(1, (min(cut, today) - start).days)
    weights = WON_WEIGHTS if deal.phase == Phase.WON else SUPPORT_WEIGHTS
    for kind in dict.fromkeys(rng.choices(SUPPORT_KINDS, weights=weights, k=rng.randint(1, 2))):
        _support(
            history, rows, deal, kind, min(today, start + timedelta(days=rng.randrange(span))), with_deal=True
        )


def _support(history, rows, deal, kind: str, day: date, *, with_deal: bool) -> None:
    rows.support.append(
        (
            deal.vendor_id,
            deal.partner_id,
            deal.id if with_deal else None,
            kind,
            day,
            history.rng.choice(HOURS),
            SUPPORT_NOTES[kind],
            deal.staff,
            min(history.now, datetime.combine(day, EVENING, history.zone)),
        )
    )
