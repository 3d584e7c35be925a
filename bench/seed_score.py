"""The stored score of a bulk deal, from its final answers, by the product's own formulas (``meddic.scoring``).

Bulk vendors keep the default weights (every element weighs 1) and have no registration conflicts, so the
score is what ``meddic.services.scores_refresh`` would store on the day of seeding. A deal that is no longer open
(won, lost, on hold) is scored as of the day it entered its current phase: it carries no flags and its forecast
category is fixed, so only its visibility depends on the day, and it keeps the visibility it had when it left
the open phases.
"""

from datetime import date, datetime, tzinfo

from meddic import scoring
from meddic.models import ElementCode

WEIGHTS = dict.fromkeys(ElementCode.values, 1)
SCORE_FIELDS = (
    "deal",
    "vendor",
    "quality",
    "visibility",
    "forecast_category",
    "flag_codes",
    "flag_count",
    "computed_at",
)


class _Answers:
    """One element's answers with attribute access, as ``scoring`` reads a ``MeddicElement``."""

    def __init__(self, answers: dict):
        self.__dict__.update(answers)


def deal_score(
    deal, answers: dict[str, dict], last_activity: date | None, *, day: date, zone: tzinfo, at: datetime
) -> tuple:
    """The ``DealScore`` row (``SCORE_FIELDS``) of ``deal`` with these final answers as of ``day``, computed
    ``at``."""
    facts = scoring.Facts(
        phase=deal.phase,
        close_date=deal.close_date,
        elements={code: _Answers(values) for code, values in answers.items()},
        weights=WEIGHTS,
        last_champion_activity=last_activity,
        has_conflict=False,
        today=day,
        zone=zone,
    )
    result = scoring.score(facts)
    codes = "".join(f",{code}" for code in result.flags) + ("," if result.flags else "")
    return (
        deal.id,
        deal.vendor_id,
        result.quality,
        result.visibility,
        result.forecast_category,
        codes,
        len(result.flags),
        at,
    )
