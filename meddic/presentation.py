"""What the deal page shows of a score: the flags with their next actions and a small trend line."""

from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist

from meddic import scoring
from meddic.models import ElementCode, ScoreHistory

TREND_POINTS = 24
TREND_WIDTH, TREND_HEIGHT = 240, 48


@dataclass(frozen=True)
class ShownFlag:
    code: str
    element_label: str
    message: str


@dataclass(frozen=True)
class Trend:
    quality: str  # SVG polyline points
    visibility: str
    count: int
    first: object
    last: object


def _points(values: list[int]) -> str:
    if len(values) == 1:
        values = values * 2
    step = TREND_WIDTH / (len(values) - 1)
    return " ".join(
        f"{round(i * step, 1)},{round(TREND_HEIGHT - value * TREND_HEIGHT / 100, 1)}"
        for i, value in enumerate(values)
    )


def score_context(deal) -> dict:
    """``score`` (or None before the first scoring), ``score_flags`` and ``score_trend`` for the deal page."""
    try:
        score = deal.score
    except ObjectDoesNotExist:
        return {"score": None, "score_flags": [], "score_trend": None}
    labels = dict(ElementCode.choices)
    flags = [
        ShownFlag(code, str(labels.get(scoring.FLAGS[code].element, "")), str(scoring.FLAGS[code].message))
        for code in score.flags
        if code in scoring.FLAGS
    ]
    rows = list(ScoreHistory.objects.filter(deal=deal).order_by("-at", "-pk")[:TREND_POINTS])[::-1]
    trend = None
    if rows:
        trend = Trend(
            quality=_points([row.quality for row in rows]),
            visibility=_points([row.visibility for row in rows]),
            count=len(rows),
            first=rows[0].at,
            last=rows[-1].at,
        )
    return {"score": score, "score_flags": flags, "score_trend": trend}
