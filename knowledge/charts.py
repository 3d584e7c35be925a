"""What the KPI charts draw, as plain data for ``json_script`` (static/js/kpis.js draws it with Chart.js).

Factor charts use ln(index) so that the three factors add up to the expected-value gap; the script labels the
axis in indices (×0.5, ×2). Every chart has a table with the same numbers next to it in the page.
"""

from deals.models import Phase
from knowledge.decomposition import CHART_LIMIT, EXPECTED_VALUE, FACTORS
from knowledge.lines import HistoryPoint, KpiLine


def _factor_series(factor, indices) -> dict:
    return {
        "code": factor.code,
        "label": str(factor.label),
        "values": [item.chart_value if item else None for item in indices],
        "indices": [item.index if item else None for item in indices],
    }


def decomposition_chart(lines: list[KpiLine]) -> dict:
    """One stacked bar per line: its three factors' ln indices (left of zero: below the benchmark)."""
    return {
        "labels": [line.label for line in lines],
        "limit": CHART_LIMIT,
        "datasets": [
            _factor_series(factor, [line.decomposition.of(factor.code) for line in lines])
            for factor in FACTORS
        ],
        "totals": [line.decomposition.expected_value.index for line in lines],
    }


def status_phases(lines: list[KpiLine]) -> list[tuple[str, str]]:
    """The phases any of the lines has deals in, in phase order (every phase when none has any)."""
    present = {code for line in lines if line.row for code in line.row.status_distribution}
    phases = [(code, str(label)) for code, label in Phase.choices if code in present]
    return phases or [(code, str(label)) for code, label in Phase.choices]


def status_counts(line: KpiLine, phases: list[tuple[str, str]], divide_by: int = 1) -> list:
    distribution = line.row.status_distribution if line.row else {}
    if divide_by == 1:
        return [distribution.get(code, 0) for code, _label in phases]
    return [round(distribution.get(code, 0) / divide_by, 1) for code, _label in phases]


def status_chart(labels: list[str], counts: list[list], phases: list[tuple[str, str]]) -> dict:
    """Stacked bars: one per label, a segment per phase (deals registered in the period, by current phase)."""
    return {
        "labels": labels,
        "phases": [{"code": code, "label": label} for code, label in phases],
        "counts": [[row[position] for row in counts] for position in range(len(phases))],
    }


def trend_chart(history: list[HistoryPoint]) -> dict:
    """A line per factor and one for expected value: ln index against the benchmark in each trend period."""
    indices = {
        factor.code: [
            point.decomposition.of(factor.code) if point.decomposition else None for point in history
        ]
        for factor in (*FACTORS, EXPECTED_VALUE)
    }
    return {
        "labels": [point.label for point in history],
        "limit": CHART_LIMIT,
        "datasets": [_factor_series(factor, indices[factor.code]) for factor in (*FACTORS, EXPECTED_VALUE)],
    }


def factor_chart(line: KpiLine) -> dict:
    """One bar per factor and one for expected value: the line's ln index against its benchmark."""
    items = [*line.decomposition.factors, line.decomposition.expected_value]
    return {
        "labels": [str(item.factor.label) for item in items],
        "codes": [item.factor.code for item in items],
        "limit": CHART_LIMIT,
        "values": [item.chart_value for item in items],
        "indices": [item.index for item in items],
    }
