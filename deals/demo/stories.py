"""MEDDIC states of the demo deals (``deals.demo``) over their life.

A deal's story is drawn once: how well the partner qualifies it (``quality``), its ringi pattern, and the
champion and economic-buyer access *as of entering the proposal phase*, drawn from different tables for deals
that were later won and lost (so the loss-factor analysis finds the difference). Element states are then
computed for any stage of the deal from the same fixed draws, so levels only grow as the deal advances and the
states at creation, at proposal and at the end tell one consistent story.
"""

import random
from dataclasses import dataclass, field

from deals.demo import words
from deals.models import (
    CustomerSize,
    Industry,
    LossType,
    Phase,
)
from meddic.models import (
    ApproverLevel,
    BudgetStatus,
    BuyerAccess,
    ChampionStatus,
    CoReviewer,
    Criterion,
    ElementCode,
    Evidence,
    Position,
    RingiState,
    TitleLevel,
    TriState,
    Urgency,
)

E = ElementCode
CH = ChampionStatus

# Champion status and economic-buyer access when the proposal went out, by how the deal ended.
CHAMPION_IF_WON = {CH.VERIFIED: 42, CH.REPORTED: 38, CH.COACH_ONLY: 10, CH.NONE: 4, CH.UNKNOWN: 6}
CHAMPION_IF_LOST = {CH.VERIFIED: 6, CH.REPORTED: 22, CH.COACH_ONLY: 27, CH.NONE: 25, CH.UNKNOWN: 20}
CHAMPION_EARLY = {CH.VERIFIED: 3, CH.REPORTED: 27, CH.COACH_ONLY: 15, CH.NONE: 10, CH.UNKNOWN: 45}
ACCESS_IF_WON = {BuyerAccess.VENDOR_MET: 35, BuyerAccess.VIA_PARTNER: 50, BuyerAccess.NONE: 15}
ACCESS_IF_LOST = {BuyerAccess.VENDOR_MET: 5, BuyerAccess.VIA_PARTNER: 30, BuyerAccess.NONE: 65}
CHAMPION_SCORE = {CH.VERIFIED: 1.0, CH.REPORTED: 0.65, CH.COACH_ONLY: 0.3, CH.NONE: 0.05, CH.UNKNOWN: 0.15}
ACCESS_SCORE = {BuyerAccess.VENDOR_MET: 1.0, BuyerAccess.VIA_PARTNER: 0.6, BuyerAccess.NONE: 0.1}

# Ringi patterns (DESIGN §6): final approver, co-reviewers and budget that make each one recognisable.
A, CR, B = ApproverLevel, CoReviewer, BudgetStatus
PATTERNS = {
    "R1": ((A.DEPARTMENT_HEAD, A.DEPARTMENT_HEAD, A.SECTION_HEAD), ((), (CR.IT,)), (B.IN_BUDGET,)),
    "R2": (
        (A.DEPARTMENT_HEAD, A.EXECUTIVE),
        ((CR.IT, CR.LEGAL, CR.PROCUREMENT, CR.SECURITY),),
        (B.IN_BUDGET,),
    ),
    "R3": (
        (A.EXECUTIVE,),
        ((CR.IT, CR.FINANCE), (CR.IT, CR.FINANCE, CR.SECURITY)),
        (B.IN_BUDGET, B.OUT_OF_BUDGET),
    ),
    "R4": ((A.MANAGEMENT_COMMITTEE,), ((CR.IT, CR.LEGAL, CR.FINANCE),), (B.IN_BUDGET, B.OUT_OF_BUDGET)),
    "R5": ((A.BOARD,), ((CR.LEGAL, CR.FINANCE),), (B.IN_BUDGET, B.OUT_OF_BUDGET)),
    "R6": ((A.PRESIDENT,), ((),), (B.IN_BUDGET, B.OUT_OF_BUDGET)),
    "R7": ((A.DEPARTMENT_HEAD, A.EXECUTIVE), ((CR.FINANCE,), (CR.IT, CR.FINANCE)), (B.NEXT_FISCAL_YEAR,)),
    "R8": ((A.EXECUTIVE, A.BOARD), ((CR.PROCUREMENT, CR.LEGAL),), (B.NEXT_FISCAL_YEAR, B.IN_BUDGET)),
}
# How long each pattern takes from registration to close, relative to the average deal.
PATTERN_PACE = {"R1": 0.7, "R2": 1.1, "R3": 1.0, "R4": 1.3, "R5": 1.5, "R6": 0.5, "R7": 1.6, "R8": 1.7}
SMALL = (CustomerSize.UNDER_100, CustomerSize.FROM_100)
LARGE = (CustomerSize.FROM_1000, CustomerSize.FROM_5000)
CRITERIA_BY_INDUSTRY = {
    Industry.FINANCE: (Criterion.SECURITY, Criterion.TRACK_RECORD, Criterion.SUPPORT),
    Industry.PUBLIC: (Criterion.PRICE, Criterion.SECURITY, Criterion.TRACK_RECORD),
    Industry.HEALTHCARE: (Criterion.SECURITY, Criterion.INTEGRATION, Criterion.SUPPORT),
    Industry.MANUFACTURING: (Criterion.INTEGRATION, Criterion.PRICE, Criterion.FEATURES),
}
# The economic buyer is the one who approves: their title follows the final approver of the ringi route
# (a committee or the board is sponsored by an executive).
TITLE_OF_APPROVER = {
    ApproverLevel.SECTION_HEAD: TitleLevel.SECTION_HEAD,
    ApproverLevel.DEPARTMENT_HEAD: TitleLevel.DEPARTMENT_HEAD,
    ApproverLevel.EXECUTIVE: TitleLevel.EXECUTIVE,
    ApproverLevel.PRESIDENT: TitleLevel.PRESIDENT,
    ApproverLevel.MANAGEMENT_COMMITTEE: TitleLevel.EXECUTIVE,
    ApproverLevel.BOARD: TitleLevel.EXECUTIVE,
}


def weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def ringi_pattern(rng: random.Random, *, industry: str, size: str, amount: int) -> str:
    """The approval route a customer of this kind typically takes for a purchase of this size."""
    if industry == Industry.PUBLIC:
        return "R8" if rng.random() < 0.8 else "R7"
    if amount >= 40_000_000 or size == CustomerSize.FROM_5000:
        return weighted(rng, {"R4": 35, "R5": 25, "R3": 20, "R2": 10, "R7": 5, "R8": 5})
    if size in SMALL:
        return weighted(rng, {"R6": 35, "R1": 45, "R7": 10, "R3": 10})
    return weighted(rng, {"R1": 20, "R2": 25, "R3": 30, "R4": 10, "R7": 15})


@dataclass
class Story:
    """What is true about a deal's customer, and how well the partner knows it at each stage."""

    rng: random.Random
    quality: float  # 0–1: how well the partner qualifies the deal
    pattern: str
    industry: str
    size: str
    champion: dict[str, str]  # status at "created", "proposal", "final"
    access: dict[str, str]  # economic-buyer access at the same moments
    outcome: str = ""  # won, lost, on_hold or "" while open
    loss_type: str = ""
    champion_left: bool = False
    noise: dict[str, float] = field(default_factory=dict)
    noise2: dict[str, float] = field(default_factory=dict)

    def __post_init__(self):
        rng = self.rng
        for code in E.values:
            self.noise[code] = rng.random()
            self.noise2[code] = rng.random()
        approvers, reviewers, budgets = PATTERNS[self.pattern]
        self.approver = rng.choice(approvers)
        self.co_reviewers = list(rng.choice(reviewers))
        self.budget = rng.choice(budgets)
        self.eb_title = TITLE_OF_APPROVER[self.approver]
        # A weak partner sometimes does not even know who the economic buyer is.
        self.eb_unknown = rng.random() > self.quality + 0.2
        preferred = CRITERIA_BY_INDUSTRY.get(self.industry, (Criterion.FEATURES, Criterion.PRICE))
        others = [c for c in Criterion.values if c not in preferred]
        self.criteria = sorted({*rng.sample(preferred, 2), *rng.sample(others, rng.randint(0, 2))})
        self.position = (
            Position.LEADING
            if self.quality > 0.65
            else Position.BEHIND
            if self.quality < 0.35
            else Position.EVEN
        )
        self.competitors = "、".join(rng.sample(words.COMPETITORS, rng.randint(1, 2)))
        self.notes = {
            E.METRICS: rng.choice(words.METRICS_NOTES),
            E.ECONOMIC_BUYER: rng.choice(words.ECONOMIC_BUYER_NOTES[self.eb_title]),
            E.DECISION_CRITERIA: rng.choice(words.CRITERIA_NOTES),
            E.DECISION_PROCESS: (
                words.RINGI_NOTE_TENDER
                if self.pattern == "R8" and self.industry == Industry.PUBLIC
                else words.RINGI_NOTES[self.pattern]
            ),
            E.IDENTIFY_PAIN: rng.choice(words.PAIN_NOTES),
            E.CHAMPION: rng.choice(words.CHAMPION_NAMES),
        }

    # -- levels ---------------------------------------------------------------------------------------------
    def level(self, code: str, stage: float) -> int:
        """0–3, growing with the stage; better qualified deals know more at the same stage."""
        x = 0.45 * stage + 1.6 * (self.quality - 0.5) + (self.noise[code] - 0.5) + 0.3
        return max(0, min(3, int(x)))

    def evidence(self, code: str, level: int, stage: float) -> str:
        v = self.noise2[code]
        if level == 0:
            return Evidence.UNKNOWN
        if level == 1:
            return Evidence.REPORTED
        if level == 2:
            if stage >= 5 and v < 0.12:
                return Evidence.VERIFIED
            return Evidence.EVIDENCED if v < 0.25 + 0.45 * self.quality else Evidence.REPORTED
        return Evidence.VERIFIED if stage >= 4 and v < 0.2 + 0.6 * self.quality else Evidence.EVIDENCED

    # -- element states -------------------------------------------------------------------------------------
    def states(self, stage: float, moment: str, final: bool = False) -> dict[str, dict]:
        """Every element's answers (as ``MeddicElement.as_dict()``) at ``stage``; ``moment`` picks the
        champion and economic-buyer situation; ``final`` applies how the deal ended."""
        return {
            E.METRICS: self._plain(E.METRICS, stage),
            E.ECONOMIC_BUYER: self._economic_buyer(stage, self.access[moment]),
            E.DECISION_CRITERIA: self._criteria(stage, final),
            E.DECISION_PROCESS: self._process(stage, final),
            E.IDENTIFY_PAIN: self._pain(stage, final),
            E.CHAMPION: self._champion(self.champion[moment], stage, final),
        }

    def _plain(self, code: str, stage: float) -> dict:
        level = self.level(code, stage)
        return {
            "level": level,
            "evidence": self.evidence(code, level, stage),
            "note": self.notes[code] if level else "",
        }

    def _economic_buyer(self, stage: float, access: str) -> dict:
        base = self.level(E.ECONOMIC_BUYER, stage)
        if access == BuyerAccess.NONE:
            level = 0 if self.eb_unknown or stage < 1 else 1
        elif access == BuyerAccess.VIA_PARTNER:
            level = 1 if base < 2 else 2
        else:
            level = max(2, base)
        evidence = self.evidence(E.ECONOMIC_BUYER, level, stage)
        if evidence == Evidence.VERIFIED and access != BuyerAccess.VENDOR_MET:
            evidence = Evidence.EVIDENCED
        return {
            "level": level,
            "evidence": evidence,
            "note": self.notes[E.ECONOMIC_BUYER] if level else "",
            "title_level": self.eb_title if level else TitleLevel.UNKNOWN,
            "access": access,
        }

    def _criteria(self, stage: float, final: bool) -> dict:
        state = self._plain(E.DECISION_CRITERIA, stage)
        known = state["level"] > 0
        position = self.position if known else Position.UNKNOWN
        if final and self.outcome == Phase.WON:
            position = Position.LEADING
        elif final and self.loss_type == LossType.COMPETITOR:
            position = Position.BEHIND
        state.update(
            criteria=self.criteria if known else [],
            position=position,
            competitors=self.competitors if known and position != Position.UNKNOWN else "",
        )
        return state

    def _process(self, stage: float, final: bool) -> dict:
        state = self._plain(E.DECISION_PROCESS, stage)
        level, v = state["level"], self.noise[E.DECISION_PROCESS]
        if level == 0:
            state.update(
                final_approver_level=ApproverLevel.UNKNOWN,
                co_reviewers=[],
                budget_status=BudgetStatus.UNKNOWN,
                ringi_state=RingiState.UNKNOWN,
            )
            return state
        sure = level >= 2
        state.update(
            final_approver_level=self.approver if sure or v > 0.5 else ApproverLevel.UNKNOWN,
            co_reviewers=self.co_reviewers if sure else self.co_reviewers[:1],
            budget_status=self.budget if sure or v > 0.4 else BudgetStatus.UNKNOWN,
            # A partner who is not sure of the route does not know where the ringi stands either.
            ringi_state=self._ringi(stage, final) if sure else RingiState.UNKNOWN,
        )
        return state

    def _ringi(self, stage: float, final: bool) -> str:
        v = self.noise2[E.DECISION_PROCESS]
        if final and self.outcome == Phase.WON:
            return RingiState.APPROVED
        if final and self.loss_type == LossType.RINGI_REJECTED:
            return RingiState.RETURNED
        if stage < 3:
            return RingiState.NOT_STARTED
        if stage < 4:
            return RingiState.NEMAWASHI if v > 0.5 else RingiState.NOT_STARTED
        if stage < 5:
            return RingiState.DRAFTED if v > 0.5 else RingiState.NEMAWASHI
        if stage < 6:
            return RingiState.CIRCULATING if v > 0.4 else RingiState.DRAFTED
        return RingiState.APPROVED

    def _pain(self, stage: float, final: bool) -> dict:
        state = self._plain(E.IDENTIFY_PAIN, stage)
        if not state["level"]:
            state.update(severity=None, urgency=Urgency.UNKNOWN)
            return state
        q, v = self.quality, self.noise2[E.IDENTIFY_PAIN]
        severity = max(1, min(5, round(1.5 + 3.2 * q + self.noise[E.IDENTIFY_PAIN] - 0.5)))
        if final and self.outcome == Phase.ON_HOLD:
            urgency = Urgency.UNDECIDED
        elif self.pattern == "R7":
            urgency = Urgency.THIS_YEAR if v < 0.6 else Urgency.UNDECIDED
        elif q >= 0.65:
            urgency = Urgency.THIS_QUARTER if v < 0.5 else Urgency.THIS_HALF
        elif q >= 0.4:
            urgency = Urgency.THIS_HALF if v < 0.5 else Urgency.THIS_YEAR
        else:
            urgency = Urgency.UNDECIDED if v < 0.6 else Urgency.THIS_YEAR
        state.update(severity=severity, urgency=urgency)
        return state

    def _champion(self, status: str, stage: float, final: bool) -> dict:
        v, yes, no, unknown = self.noise2[E.CHAMPION], TriState.YES, TriState.NO, TriState.UNKNOWN
        note = self.notes[E.CHAMPION]
        if status == CH.VERIFIED:
            level, evidence = (3 if self.quality > 0.55 else 2), Evidence.VERIFIED
            tests = (yes, yes if v > 0.1 else unknown, yes)
        elif status == CH.REPORTED:
            level = 2 if self.noise[E.CHAMPION] > 0.45 else 1
            evidence = Evidence.EVIDENCED if v < 0.3 and level == 2 else Evidence.REPORTED
            tests = (yes if v > 0.3 else unknown, yes if v > 0.5 else unknown, yes)
        elif status == CH.COACH_ONLY:
            level, evidence, tests = 1, Evidence.REPORTED, (no, no if v > 0.4 else unknown, yes)
            note = f"{note}：{words.CHAMPION_COACH_NOTE}"
        elif status == CH.NONE:
            level, evidence, tests = 0, Evidence.REPORTED, (unknown, no, unknown)
            note = words.CHAMPION_LEFT_NOTE if final and self.champion_left else words.CHAMPION_NONE_NOTE
        else:
            level, evidence, tests, note = 0, Evidence.UNKNOWN, (unknown, unknown, unknown), ""
        return {
            "level": level,
            "evidence": evidence,
            "note": note,
            "status": status,
            "power_influence": tests[0],
            "sells_internally": tests[1],
            "vested_interest": tests[2],
        }


def story_for(
    rng: random.Random, *, outcome: str, loss_type: str, reaches_proposal: bool, tier_bonus: float, **customer
) -> Story:
    """Draw a deal's story. Closed deals draw champion and access from the table of their outcome first and
    derive quality from them; open and held deals draw quality first and the rest from it."""
    if outcome in (Phase.WON, Phase.LOST) and reaches_proposal:
        won = outcome == Phase.WON
        champion = weighted(rng, CHAMPION_IF_WON if won else CHAMPION_IF_LOST)
        access = weighted(rng, ACCESS_IF_WON if won else ACCESS_IF_LOST)
        quality = (
            0.12 + 0.38 * CHAMPION_SCORE[champion] + 0.3 * ACCESS_SCORE[access] + rng.uniform(-0.12, 0.18)
        )
    else:
        quality = rng.betavariate(2.2, 2.0) + tier_bonus
        if outcome == Phase.LOST:
            quality -= 0.15
        if outcome == Phase.ON_HOLD:
            quality -= 0.08
        if reaches_proposal:
            good = rng.random() < quality
            champion = weighted(rng, CHAMPION_IF_WON if good else CHAMPION_IF_LOST)
            access = weighted(rng, ACCESS_IF_WON if good else ACCESS_IF_LOST)
        else:
            champion = weighted(rng, CHAMPION_EARLY)
            access = weighted(
                rng, {BuyerAccess.NONE: 70, BuyerAccess.VIA_PARTNER: 27, BuyerAccess.VENDOR_MET: 3}
            )
    quality = max(0.02, min(0.98, quality))
    story = Story(
        rng=rng,
        quality=quality,
        champion={},
        access={},
        outcome=outcome if outcome in (Phase.WON, Phase.LOST, Phase.ON_HOLD) else "",
        loss_type=loss_type,
        **customer,
    )
    story.champion, story.access = _situations(rng, story, champion, access)
    return story


def _situations(rng, story: Story, champion: str, access: str) -> tuple[dict, dict]:
    """Champion and access at creation, at proposal and at the end: some improve, some champions leave."""
    early = CH.REPORTED if champion in (CH.VERIFIED, CH.REPORTED) and rng.random() < 0.4 else CH.UNKNOWN
    final_champion, final_access = champion, access
    if story.outcome == Phase.WON:
        if champion == CH.REPORTED and rng.random() < 0.5:
            final_champion = CH.VERIFIED
        elif champion == CH.COACH_ONLY and rng.random() < 0.3:
            final_champion = CH.REPORTED
        if access == BuyerAccess.VIA_PARTNER and rng.random() < 0.4:
            final_access = BuyerAccess.VENDOR_MET
        elif access == BuyerAccess.NONE and rng.random() < 0.5:
            final_access = BuyerAccess.VIA_PARTNER
    elif story.outcome == Phase.LOST:
        if champion in (CH.VERIFIED, CH.REPORTED) and rng.random() < 0.3:
            final_champion, story.champion_left = CH.NONE, True
    elif not story.outcome:
        if champion == CH.REPORTED and rng.random() < 0.3:
            final_champion = CH.VERIFIED
        elif champion == CH.UNKNOWN and rng.random() < 0.3:
            final_champion = CH.REPORTED
        if access == BuyerAccess.NONE and rng.random() < 0.25:
            final_access = BuyerAccess.VIA_PARTNER
    return (
        {"created": early, "proposal": champion, "final": final_champion},
        {"created": BuyerAccess.NONE, "proposal": access, "final": final_access},
    )
