"""The champion log of a demo deal (``deals.demo``), in the fixed format of DESIGN §4: what the champion (or the
partner or vendor on their behalf) did, towards whom, with what outcome, and the next step."""

import random
from datetime import date, timedelta

from deals.demo import words
from deals.demo.stories import Story, weighted
from deals.models import ActivityActor, ActivityOutcome, ActivityTarget, ActivityType
from meddic.models import ChampionStatus as CH

EARLY_ACTIVITIES = (
    (ActivityType.SET_MEETING, ActivityTarget.USERS),
    (ActivityType.SHARED_CRITERIA, ActivityTarget.USERS),
    (ActivityType.INTERNAL_BRIEFING, ActivityTarget.USERS),
)
MIDDLE_ACTIVITIES = (
    (ActivityType.SHARED_CRITERIA, ActivityTarget.CO_REVIEWERS),
    (ActivityType.SHARED_COMPETITOR_INFO, ActivityTarget.CO_REVIEWERS),
    (ActivityType.INTERNAL_BRIEFING, ActivityTarget.CO_REVIEWERS),
    (ActivityType.SET_MEETING, ActivityTarget.ECONOMIC_BUYER),
)
LATE_ACTIVITIES = (
    (ActivityType.BRIEFED_ECONOMIC_BUYER, ActivityTarget.ECONOMIC_BUYER),
    (ActivityType.BUDGET_REQUEST, ActivityTarget.ECONOMIC_BUYER),
    (ActivityType.DRAFTED_RINGI, ActivityTarget.CO_REVIEWERS),
    (ActivityType.INTERNAL_BRIEFING, ActivityTarget.CO_REVIEWERS),
)
LOG_RHYTHM = {CH.VERIFIED: (7, 16, 12), CH.REPORTED: (9, 24, 10), CH.COACH_ONLY: (18, 35, 3)}


def champion_log(
    rng: random.Random, story: Story, *, first: date, last: date, rank_on, quiet: bool
) -> list[dict]:
    """The champion's activities between ``first`` and ``last`` (the last one on ``last``), oldest first.

    Verified champions act every one to two weeks, reported ones less often, a coach only now and then.
    ``rank_on(day)`` gives the deal's phase rank on a day; ``quiet`` ends the log with a stalled step.
    """
    statuses = [story.champion[m] for m in ("final", "proposal", "created")]
    status = next((s for s in statuses if s in LOG_RHYTHM), None)
    if status is None or last < first:
        return []
    low, high, cap = LOG_RHYTHM[status]
    days, day = [], last
    while day >= first and len(days) < cap:
        weekday = _weekday(day)
        days.append(weekday if weekday >= first else day)
        day -= timedelta(days=rng.randint(low, high))
    days = sorted(set(days))
    advance = 0.2 if status == CH.COACH_ONLY else 0.45 + 0.45 * story.quality
    entries = []
    for index, day in enumerate(days):
        rank = rank_on(day)
        choices = EARLY_ACTIVITIES if rank <= 1 else MIDDLE_ACTIVITIES if rank <= 3 else LATE_ACTIVITIES
        if story.pattern == "R7" and rank >= 2 and rng.random() < 0.3:
            kind = (ActivityType.BUDGET_REQUEST, ActivityTarget.ECONOMIC_BUYER)
        else:
            kind = rng.choice(choices)
        if quiet and index == len(days) - 1:
            outcome = ActivityOutcome.STALLED if rng.random() < 0.7 else ActivityOutcome.REGRESSED
        elif rng.random() < advance:
            outcome = ActivityOutcome.ADVANCED
        else:
            outcome = ActivityOutcome.STALLED if rng.random() < 0.8 else ActivityOutcome.REGRESSED
        actor = weighted(
            rng,
            {ActivityActor.CHAMPION: 30, ActivityActor.PARTNER: 70, ActivityActor.VENDOR: 0}
            if status == CH.COACH_ONLY
            else {ActivityActor.CHAMPION: 65, ActivityActor.PARTNER: 25, ActivityActor.VENDOR: 10},
        )
        entries.append(
            {
                "date": day,
                "actor": actor,
                "activity_type": kind[0],
                "target": kind[1],
                "outcome": outcome,
                "next_step": rng.choice(words.NEXT_STEPS[kind[0]]),
            }
        )
    return entries


def _weekday(day: date) -> date:
    """Business happens on weekdays: Saturday moves back to Friday, Sunday to the Friday before."""
    return day - timedelta(days=max(0, day.weekday() - 4))
