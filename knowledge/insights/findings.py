"""The plain-language findings at the top of the insight pages, with their numbers and their doubts.

A finding states rates with their 95% intervals and deal counts, the lift and Fisher's p, and says in words how
far chance could explain the difference. Where a group has fewer than ``MIN_GROUP`` deals it says "not enough
data" instead of a rate comparison. Percentages are rounded half up to whole numbers.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext, pgettext_lazy

from knowledge.insights.loss_factors import MIN_GROUP, FactorResult
from knowledge.insights.ringi import Contrast, PatternResult

# Kinds, in the order the page lists them.
CLEAR, HINT, NO_DIFFERENCE, NOT_ENOUGH = "clear", "hint", "no_difference", "not_enough"
KIND_ORDER = (CLEAR, HINT, NO_DIFFERENCE, NOT_ENOUGH)
CLEAR_P, HINT_P = 0.05, 0.2


@dataclass(frozen=True)
class Finding:
    kind: str
    headline: str
    detail: str = ""
    p: float | None = None
    key: str = ""  # the factor or pattern it is about

    @property
    def verdict(self) -> str:
        """What the statistics say, in two or three plain words (「有意差あり」)."""
        label = VERDICTS.get(self.kind)
        return str(label) if label is not None else ""


VERDICTS = {
    CLEAR: pgettext_lazy("finding", "Clear difference"),
    HINT: pgettext_lazy("finding", "Possible difference"),
    NO_DIFFERENCE: pgettext_lazy("finding", "No clear difference"),
    NOT_ENOUGH: pgettext_lazy("finding", "Not enough data"),
}


def percent(value: float | None) -> str:
    return "—" if value is None else f"{int(value * 100 + 0.5)}%"


def span(low: float | None, high: float | None) -> str:
    """ "47–91%": an interval of rates."""
    if low is None or high is None:
        return "—"
    return f"{int(low * 100 + 0.5)}–{int(high * 100 + 0.5)}%"


def points(value: float | None) -> str:
    """A difference of rates in percentage points, signed: "+48", "−12"."""
    if value is None:
        return "—"
    number = int(abs(value) * 100 + 0.5)
    return f"+{number}" if value >= 0 and number else f"−{number}" if number else "0"


def times(value: float | None) -> str:
    """ "2.2×" / 「2.2倍」."""
    return "—" if value is None else pgettext("lift", "%(value)s×") % {"value": f"{value:.1f}"}


def p_value(value: float | None) -> str:
    """ "p = 0.039", "p < 0.001"."""
    if value is None:
        return "—"
    return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"


def p_number(value: float | None) -> str:
    """ "0.039", "< 0.001": a p-value in a column headed "p"."""
    if value is None:
        return "—"
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def kind_of(p: float | None) -> str:
    if p is None:
        return NOT_ENOUGH
    return CLEAR if p < CLEAR_P else HINT if p < HINT_P else NO_DIFFERENCE


def verdict(p: float | None) -> str:
    if p is None:
        return ""
    if p < 0.01:
        return _("very unlikely to be chance alone")
    if p < CLEAR_P:
        return _("unlikely to be chance alone")
    if p < HINT_P:
        return _("a hint, but chance could explain it; watch it as more deals close")
    return _("no clear difference: chance explains it easily")


def deals_count(n: int) -> str:
    return ngettext("%(n)d deal", "%(n)d deals", n) % {"n": n}


def loss_factor_finding(result: FactorResult) -> Finding | None:
    """One finding per factor: its reference against the others (pooled), or why it cannot be compared."""
    reference, comparison = result.reference, result.headline
    if reference is None:
        return None
    factor, a = result.label, reference.label
    if comparison is None:
        return Finding(
            NOT_ENOUGH,
            _("%(factor)s: every deal had “%(value)s” at proposal, so there is nothing to compare.")
            % {"factor": factor, "value": a},
            key=result.code,
        )
    b = comparison.b
    if comparison.pooled:
        b_name = _("the others") if result.reference_is_top else _("weaker values")
    else:
        b_name = pgettext("quoted value", "“%(value)s”") % {"value": b.label}
    if not comparison.enough_data:
        return Finding(
            NOT_ENOUGH,
            _("%(factor)s: not enough data to compare “%(a)s” (%(a_n)s) with %(b)s (%(b_n)s).")
            % {
                "factor": factor,
                "a": a,
                "a_n": deals_count(reference.n),
                "b": b_name,
                "b_n": deals_count(b.n),
            },
            _("Each group needs at least %(min)d closed deals.") % {"min": MIN_GROUP},
            key=result.code,
        )
    if comparison.lift is not None:
        headline = _("%(factor)s: “%(a)s” won %(a_rate)s vs %(b_rate)s for %(b)s — %(lift)s the win rate")
    else:
        headline = _("%(factor)s: “%(a)s” won %(a_rate)s; none of %(b)s was won")
    headline %= {
        "factor": factor,
        "a": a,
        "b": b_name,
        "a_rate": percent(reference.win_rate),
        "b_rate": percent(b.win_rate),
        "lift": times(comparison.lift),
    }
    if comparison.pooled and result.reference_is_top:
        who = _("%(factor)s not “%(a)s” at proposal")
    elif comparison.pooled:
        who = _("%(factor)s weaker than “%(a)s” at proposal")
    else:
        who = _("%(factor)s “%(b)s” at proposal")
    detail = _(
        "%(who)s: won %(b_rate)s of the time (95%% interval %(b_span)s, %(b_n)s) vs %(a_rate)s "
        "(%(a_span)s, %(a_n)s) with “%(a)s”. Difference %(diff)s points (95%% interval %(d_low)s to "
        "%(d_high)s); Fisher's exact test: %(p)s, %(verdict)s."
    ) % {
        "who": who % {"factor": factor, "a": a, "b": b.label},
        "a": a,
        "a_rate": percent(reference.win_rate),
        "a_span": span(reference.ci_low, reference.ci_high),
        "a_n": deals_count(reference.n),
        "b_rate": percent(b.win_rate),
        "b_span": span(b.ci_low, b.ci_high),
        "b_n": deals_count(b.n),
        "diff": points(comparison.difference),
        "d_low": points(comparison.ci_low),
        "d_high": points(comparison.ci_high),
        "p": p_value(comparison.fisher_p),
        "verdict": verdict(comparison.fisher_p),
    }
    return Finding(kind_of(comparison.fisher_p), headline, detail, comparison.fisher_p, result.code)


def loss_factor_findings(results: list[FactorResult]) -> list[Finding]:
    """Clear differences first (smallest p first), then hints, then no difference, then not enough data."""
    findings = [f for f in map(loss_factor_finding, results) if f is not None]
    return sorted(findings, key=lambda f: (KIND_ORDER.index(f.kind), f.p if f.p is not None else 1))


def _pattern_name(result: PatternResult) -> str:
    return f"{result.code} {result.name}" if result.code else str(result.name)


def ringi_findings(results: list[PatternResult], contrast: Contrast | None) -> list[Finding]:
    """Best and worst win rate (``contrast``), fastest and slowest route, where lost deals stopped, what is too
    small."""
    findings = []
    enough = [r for r in results if r.code and r.enough_data]
    by_code = {r.code: r for r in enough}
    if len(enough) >= 2:
        if contrast is not None:
            best, worst, p = by_code[contrast.best], by_code[contrast.worst], contrast.p
            findings.append(
                Finding(
                    kind_of(p),
                    _("%(best)s won most often (%(best_rate)s), %(worst)s least (%(worst_rate)s)")
                    % {
                        "best": _pattern_name(best),
                        "best_rate": percent(best.win_rate),
                        "worst": _pattern_name(worst),
                        "worst_rate": percent(worst.win_rate),
                    },
                    _(
                        "%(best)s: %(best_rate)s (95%% interval %(best_span)s, %(best_n)s); %(worst)s: "
                        "%(worst_rate)s (%(worst_span)s, %(worst_n)s). Fisher's exact test: %(p)s, %(verdict)s."
                    )
                    % {
                        "best": best.code,
                        "best_rate": percent(best.win_rate),
                        "best_span": span(best.ci_low, best.ci_high),
                        "best_n": deals_count(best.n),
                        "worst": worst.code,
                        "worst_rate": percent(worst.win_rate),
                        "worst_span": span(worst.ci_low, worst.ci_high),
                        "worst_n": deals_count(worst.n),
                        "p": p_value(p),
                        "verdict": verdict(p),
                    },
                    p,
                    "win_rate",
                )
            )
        timed = [r for r in enough if r.days.median is not None]
        if len(timed) >= 2:
            fast = min(timed, key=lambda r: r.days.median)
            slow = max(timed, key=lambda r: r.days.median)
            findings.append(
                Finding(
                    "days",
                    _("%(fast)s closes fastest, %(slow)s slowest")
                    % {"fast": _pattern_name(fast), "slow": _pattern_name(slow)},
                    _(
                        "Days from entering proposal to the close: %(fast)s median %(fast_median)s "
                        "(half of the deals between %(fast_q1)s and %(fast_q3)s); %(slow)s median "
                        "%(slow_median)s (%(slow_q1)s–%(slow_q3)s)."
                    )
                    % {
                        "fast": fast.code,
                        "fast_median": f"{fast.days.median:.0f}",
                        "fast_q1": f"{fast.days.q1:.0f}",
                        "fast_q3": f"{fast.days.q3:.0f}",
                        "slow": slow.code,
                        "slow_median": f"{slow.days.median:.0f}",
                        "slow_q1": f"{slow.days.q1:.0f}",
                        "slow_q3": f"{slow.days.q3:.0f}",
                    },
                    key="days",
                )
            )
    for result in enough:
        stop = result.stalled_most_at
        if stop and stop[2] >= 2:
            _state, label, count = stop
            findings.append(
                Finding(
                    "stall",
                    (
                        _(
                            "Lost %(pattern)s deals stopped most often at “%(state)s” (%(count)d of %(lost)d; "
                            "%(unknown)d with the ringi state unknown)"
                        )
                        if result.lost_unknown
                        else _(
                            "Lost %(pattern)s deals stopped most often at “%(state)s” (%(count)d of %(lost)d)"
                        )
                    )
                    % {
                        "pattern": result.code,
                        "state": label,
                        "count": count,
                        "lost": result.lost,
                        "unknown": result.lost_unknown,
                    },
                    key=result.code,
                )
            )
        elif result.lost >= 2 and result.lost_unknown == result.lost:
            findings.append(
                Finding(
                    "stall",
                    _("Where the lost %(pattern)s deals stopped is not known (ringi state unknown)")
                    % {"pattern": result.code},
                    key=result.code,
                )
            )
    unclassified = next((r for r in results if r.code is None), None)
    if unclassified and unclassified.n:
        findings.append(
            Finding(
                NOT_ENOUGH,
                ngettext(
                    "%(n)d deal has no pattern: its decision process was not known well enough at the close.",
                    "%(n)d deals have no pattern: their decision process was not known well enough at the close.",
                    unclassified.n,
                )
                % {"n": unclassified.n},
                key="unclassified",
            )
        )
    small = [r.code for r in results if r.code and 0 < r.n < MIN_GROUP]
    if small:
        findings.append(
            Finding(
                NOT_ENOUGH,
                _("Not enough data for %(patterns)s: fewer than %(min)d closed deals each.")
                % {"patterns": ", ".join(small), "min": MIN_GROUP},
                key="small",
            )
        )
    return findings
