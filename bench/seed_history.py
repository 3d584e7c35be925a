"""What happened to each bulk deal (``bench.seed``), written as the services would have written it.

For every deal, consistently with its phase, age and partner tier:

- **phase history** (``PhaseChange``): registered in one of the first phases (a few at proposal or later), mostly
  step by step up to its current phase, each change at a moment between creation and the close (or now);
- **the six MEDDIC elements**, drawn from the demo stories (``deals.demo.stories``): the answers at creation, as of
  entering proposal and at the end, so that later phases and better partners know more, and the champion and
  economic-buyer access as of proposal follow how the deal ended;
- **the audit trail** of the creation (``deal.create``), each phase change (``deal.update``) and each element
  change (``element.update`` keyed ``"<element>.<field>"``, ``element.verify``), with actor, email and a request
  id shared by the entries of one edit. The answers typed with the registration are recorded a second after it;
  the answers that came with entering proposal are recorded in the same edit as the phase change (same moment,
  before it), so ``knowledge.insights.as_of`` rebuilds each element as of proposal and as of closing;
- trust rules as in the services: only vendor staff (the partner's channel manager, else the vendor admin) verify
  an element or assert ``vendor_met`` / a verified champion; a partner changing a verified element drops it to
  ``reported``;
- the ``DealScore`` from the final answers (``bench.seed_score``), the champion log and support
  (``bench.seed_activity``).
"""

import json
import operator
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import Enum
from itertools import pairwise

from django.utils.translation import gettext

from bench.seed_activity import champion_log, support_log
from bench.seed_score import deal_score
from deals.demo.stories import ringi_pattern, story_for
from deals.models import OPEN_PHASES, PHASE_RANK, LossType, Phase
from meddic.models import (
    BuyerAccess,
    ChampionStatus,
    ElementCode,
    Evidence,
    MeddicElement,
    VerificationMethod,
)

CODES = tuple(ElementCode.values)
PROPOSAL_RANK = OPEN_PHASES.index(Phase.PROPOSAL)
TIER_BONUS = {"platinum": 0.08, "gold": 0.03, "silver": -0.03, "registered": -0.08}
# The phase rank a lost deal had reached, by why it was lost (as in the demo).
LOSS_RANKS = {
    LossType.COMPETITOR: (2, 3, 4),
    LossType.NO_DECISION: (1, 2, 3),
    LossType.BUDGET_FROZEN: (3, 4, 5),
    LossType.RINGI_REJECTED: (5,),
    LossType.UNKNOWN: (1, 2, 3, 4, 5),
}
# Where deals are registered: mostly early, a few straight at the quote or the groundwork.
START_RANKS = (0,) * 50 + (1,) * 27 + (2,) * 16 + (3,) * 5 + (4,) * 2
HOLD_RANKS = (0, 0, 1, 1, 1, 2, 2, 2, 3, 3)
VERIFICATION = {
    ElementCode.METRICS: (VerificationMethod.DOCUMENT, VerificationMethod.CUSTOMER_MEETING),
    ElementCode.ECONOMIC_BUYER: (VerificationMethod.ECONOMIC_BUYER_CALL, VerificationMethod.JOINT_VISIT),
    ElementCode.DECISION_CRITERIA: (VerificationMethod.DOCUMENT, VerificationMethod.CUSTOMER_MEETING),
    ElementCode.DECISION_PROCESS: (VerificationMethod.DOCUMENT, VerificationMethod.JOINT_VISIT),
    ElementCode.IDENTIFY_PAIN: (VerificationMethod.CUSTOMER_MEETING, VerificationMethod.JOINT_VISIT),
    ElementCode.CHAMPION: (VerificationMethod.JOINT_VISIT, VerificationMethod.CUSTOMER_MEETING),
}
VERIFIED = Evidence.VERIFIED.value
REPORTED = Evidence.REPORTED.value
# Answers that say what the vendor itself did or checked (``meddic.services.VENDOR_ASSERTIONS``).
VENDOR_MET = BuyerAccess.VENDOR_MET.value
CHAMPION_VERIFIED = ChampionStatus.VERIFIED.value

ELEMENT_FIELDS = (
    "id",
    "vendor",
    "deal",
    "code",
    "level",
    "evidence",
    "note",
    "last_confirmed_at",
    "title_level",
    "access",
    "criteria",
    "position",
    "competitors",
    "final_approver_level",
    "co_reviewers",
    "budget_status",
    "ringi_state",
    "severity",
    "urgency",
    "status",
    "power_influence",
    "sells_internally",
    "vested_interest",
    "verified_by",
    "verified_at",
    "verification_method",
    "verification_note",
    "updated_at",
)
ANSWER_FIELDS = ELEMENT_FIELDS[4:23]
PHASE_FIELDS = ("vendor", "deal", "from_phase", "to_phase", "changed_at", "changed_by")
AUDIT_FIELDS = (
    "vendor",
    "at",
    "actor",
    "actor_email",
    "request_id",
    "action",
    "subject_type",
    "subject_id",
    "deal_id",
    "changes",
    "reason",
)
_ANSWERS = operator.itemgetter(*ANSWER_FIELDS)
_CRITERIA, _CO_REVIEWERS = ANSWER_FIELDS.index("criteria"), ANSWER_FIELDS.index("co_reviewers")


def _plain(value):
    return value.value if isinstance(value, Enum) else value


# Every answer field at its model default (what ``meddic.services.elements_create`` makes), per element.
_BLANK = {name: _plain(getattr(MeddicElement(), name)) for name in ANSWER_FIELDS}
DEFAULTS = {
    code: {name: _plain(value) for name, value in MeddicElement(code=code).as_dict().items()}
    for code in CODES
}
SECOND = timedelta(seconds=1)
_to_json = json.JSONEncoder(ensure_ascii=False).encode


@dataclass(slots=True)
class DealFacts:
    """A deal as ``bench.seed`` drew it: what its history has to agree with."""

    id: int
    vendor_id: int
    partner_id: int
    tier: str
    owner: int
    staff: int  # who acts for the vendor on this partner's deals: its channel manager, else the vendor admin
    created: datetime
    phase: str
    close_date: date
    closed_at: datetime | None
    loss_type: str
    industry: str
    size: str
    amount: int
    # ``deal.create``'s changes: the answers at registration (``deals.services.DEAL_FIELDS``) but the phase.
    created_values: dict


@dataclass(slots=True)
class Rows:
    """The rows of one chunk, per table, in the field orders of ``bench.seed`` and this module."""

    deals: list
    scores: list
    elements: list
    phases: list
    activities: list
    audit: list
    support: list

    @classmethod
    def empty(cls) -> "Rows":
        return cls([], [], [], [], [], [], [])


class _Edit:
    """One request: who made it, when, under which request id (entries of one edit share it)."""

    __slots__ = ("actor", "at", "request_id")

    def __init__(self, actor: int, at: datetime, request_id: str):
        self.actor, self.at, self.request_id = actor, at, request_id


class History:
    """Writes the history rows of one deal at a time (see the module)."""

    def __init__(self, rng: random.Random, now: datetime, zone: tzinfo, emails: dict[int, str]):
        self.rng, self.zone, self.emails = rng, zone, emails
        self.now = now.astimezone(zone)
        self.today = self.now.date()
        self.json_cache: dict = {}
        self.fragments: dict = {}
        self.drop_reason = gettext("Changed by the partner after the vendor verified it: no longer verified.")

    def request_id(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"

    # -- the deal ---------------------------------------------------------------------------------------------
    def write(self, rows: Rows, deal: DealFacts, element_base: int) -> tuple[int, datetime]:
        """Append the deal's history and score to ``rows`` (its elements take the ids from ``element_base``);
        returns the deal's version and the moment of its last change."""
        path = self.path(deal)
        moments = self.phase_moments(deal, path)
        creation = _Edit(deal.owner, deal.created, self.request_id())
        created = {**deal.created_values, "phase": [None, path[0]]}
        self.audit(rows, deal, creation, "deal.create", "deal", deal.id, _to_json(created))
        # Each phase change after the first is an edit of its own by the owner.
        changes = [
            (_Edit(deal.owner, at, self.request_id()), previous, phase)
            for (previous, phase), at in zip(pairwise(path), moments[1:], strict=True)
        ]
        elements, story, edits = self.answers(rows, deal, element_base, path, moments, creation, changes)
        rows.phases.append((deal.vendor_id, deal.id, "", path[0], deal.created, deal.owner))
        for edit, previous, phase in changes:
            rows.phases.append((deal.vendor_id, deal.id, previous, phase, edit.at, deal.owner))
            values = {"phase": [previous, phase]}
            if phase in (Phase.WON, Phase.LOST):  # the close date and loss type change with the close
                initial = deal.created_values["close_date"][1]
                if initial != deal.close_date.isoformat():
                    values["close_date"] = [initial, deal.close_date.isoformat()]
                if deal.loss_type:
                    values["loss_type"] = ["", deal.loss_type]
            self.audit(rows, deal, edit, "deal.update", "deal", deal.id, _to_json(values))
        days = [(moment.date(), _rank(phase)) for phase, moment in zip(path, moments, strict=True)]
        last_activity = champion_log(self, rows, deal, story, days, moments[-1])
        support_log(self, rows, deal, days)
        # A deal that is no longer open is scored as of the day it left the open phases (``bench.seed_score``).
        day = self.today if deal.phase in OPEN_PHASES else days[-1][0]
        rows.scores.append(
            deal_score(deal, elements.final, last_activity, day=day, zone=self.zone, at=self.now)
        )
        return 1 + len(changes) + edits, max(moments[-1], elements.last_at)

    def answers(self, rows: Rows, deal: DealFacts, element_base: int, path, moments, creation, changes):
        """The elements' answers over the deal's life, drawn from a demo story: typed with the registration,
        brought up to date when entering proposal, and the latest ones. Returns the elements, the story and
        how many edits of their own the answers took."""
        rng = self.rng
        ranks = [_rank(phase) for phase in path if phase in OPEN_PHASES]
        start, last = ranks[0], ranks[-1]
        story = story_for(
            rng,
            outcome=deal.phase,
            loss_type=deal.loss_type,
            reaches_proposal=last >= PROPOSAL_RANK,
            tier_bonus=TIER_BONUS[deal.tier],
            pattern=ringi_pattern(rng, industry=deal.industry, size=deal.size, amount=deal.amount),
            industry=deal.industry,
            size=deal.size,
        )
        elements = _Elements(self, rows, deal, element_base)
        # Registered at proposal or later: the answers as of proposal come with the registration.
        typed = (
            story.states(2.8, "proposal") if start >= PROPOSAL_RANK else story.states(start - 0.6, "created")
        )
        elements.change(_partner_view(typed), _Edit(deal.owner, deal.created + SECOND, creation.request_id))
        if start < PROPOSAL_RANK <= last:
            # Entering proposal: the answers brought up to date in the same edit as the phase change.
            entering = next(edit for edit, _previous, phase in changes if _rank(phase) >= PROPOSAL_RANK)
            elements.change(story.states(2.8, "proposal"), entering)
        final = story.states(7 if deal.phase == Phase.WON else last, "final", final=True)
        edits = 0
        if deal.phase in OPEN_PHASES:
            # The latest answers in an edit of their own after the last phase change; good deals kept fresh.
            lower = max(moments[-1], elements.last_at)
            if story.quality > 0.55:
                lower = max(lower, self.now - timedelta(days=25))
            at = max(elements.last_at, min(self.now, lower + (self.now - lower) * rng.uniform(0.1, 1.0)))
            edits += elements.change(final, _Edit(deal.owner, at, self.request_id()))
        else:  # closed or put on hold: in the same edit as that last phase change
            elements.change(final, changes[-1][0])
        elements.flush()
        return elements, story, edits + elements.vendor_edits

    def path(self, deal: DealFacts) -> list[str]:
        """The phases the deal went through, the first at creation, the last its current one."""
        rng = self.rng
        phase = deal.phase
        if phase in OPEN_PHASES:
            last = _rank(phase)
        elif phase == Phase.WON:
            last = 6 if rng.random() < 0.65 else 5
        elif phase == Phase.LOST:
            last = rng.choice(LOSS_RANKS.get(deal.loss_type, LOSS_RANKS[LossType.UNKNOWN]))
        else:
            last = rng.choice(HOLD_RANKS)
        start = min(last, rng.choice(START_RANKS))
        ranks = list(range(start, last + 1))
        if last > 4 and start < 4 and rng.random() < 0.25:
            ranks.remove(4)  # straight from the quote into the ringi
        if start == 0 and last > 1 and rng.random() < 0.2:
            ranks.remove(1)
        path = [OPEN_PHASES[rank] for rank in ranks]
        return path if phase in OPEN_PHASES else [*path, phase]

    def phase_moments(self, deal: DealFacts, path: list[str]) -> list[datetime]:
        """When the deal entered each phase of ``path``: the first at creation, a close at ``closed_at``."""
        rng, created = self.rng, deal.created
        if deal.closed_at is not None:
            end = deal.closed_at
        elif deal.phase in OPEN_PHASES:
            end = created + (self.now - created) * rng.uniform(0.35, 1.0)
        else:  # put on hold some time ago
            end = created + (self.now - created) * rng.uniform(0.3, 0.9)
        steps = len(path) - 1
        if not steps:
            return [created]
        cuts = sorted(rng.random() for _ in range(steps - 1))
        span = end - created
        return [created, *(created + span * cut for cut in cuts), end]

    # -- rows ---------------------------------------------------------------------------------------------------
    def audit(
        self, rows: Rows, deal: DealFacts, edit: _Edit, action, subject_type, subject_id, changes, reason=""
    ):
        rows.audit.append(
            (
                deal.vendor_id,
                edit.at,
                edit.actor,
                self.emails[edit.actor],
                edit.request_id,
                action,
                subject_type,
                subject_id,
                deal.id,
                changes,
                reason,
            )
        )

    def json_list(self, value: list) -> str:
        key = tuple(value)
        text = self.json_cache.get(key)
        if text is None:
            text = self.json_cache[key] = _to_json([str.__str__(item) for item in key])
        return text

    def json_value(self, value) -> str:
        """JSON of one answer; answers come from small vocabularies, so each is encoded once."""
        if value.__class__ is list:
            return self.json_list(value)
        text = self.json_cache.get(value)
        if text is None:
            text = self.json_cache[value] = _to_json(value)
        return text

    def element_changes(self, code: str, diff: dict) -> str:
        """``{"<element>.<field>": [before, after]}`` as JSON (``changes`` of an element's audit entry); each
        field's change is encoded once and reused."""
        cache, parts = self.fragments, []
        for name, (before, after) in diff.items():
            key = (
                (code, name, before, after)
                if before.__class__ is not list
                else (code, name, *before, "", *after)
            )
            text = cache.get(key)
            if text is None:
                encode = self.json_value
                text = cache[key] = f'"{code}.{name}": [{encode(before)}, {encode(after)}]'
            parts.append(text)
        return "{" + ", ".join(parts) + "}"


class _Elements:
    """A deal's six elements as they change, edit by edit, and the audit entries of each change."""

    def __init__(self, history: History, rows: Rows, deal: DealFacts, base: int):
        self.history, self.rows, self.deal = history, rows, deal
        self.ids = {code: base + index for index, code in enumerate(CODES)}
        self.final = {code: dict(DEFAULTS[code]) for code in CODES}
        self.confirmed: dict[str, datetime] = {}
        self.verified: dict[str, tuple[datetime, str]] = {}
        self.last_at = deal.created
        self.vendor_edits = 0

    def change(self, after: dict[str, dict], edit: _Edit) -> bool:
        """Bring every element to ``after`` in the owner's ``edit``. What only the vendor may do (verify, assert
        what the vendor itself checked, change a verified element without it losing its verification) happens
        in the vendor's own edits, between the last change and ``edit``. Returns whether ``edit`` changed an
        element."""
        history = self.history
        owner_changes, vendor_changes, verifications = [], [], []
        for code in CODES:
            before, state = self.final[code], after[code]
            diff = {name: [before[name], value] for name, value in state.items() if before[name] != value}
            if not diff:
                continue
            was_verified = before["evidence"] == VERIFIED
            if state["evidence"] == VERIFIED and not was_verified:
                verifications.append((code, diff.pop("evidence")[0]))
                if diff:
                    vendor_changes.append((code, diff))
            elif was_verified and state["evidence"] == REPORTED and not _asserts(diff):
                # A partner's change: the vendor no longer vouches for the element (meddic.services).
                owner_changes.append((code, diff, history.drop_reason))
                self.verified.pop(code, None)
            elif was_verified or _asserts(diff):
                vendor_changes.append((code, diff))
            else:
                owner_changes.append((code, diff, ""))
            self.final[code] = dict(state)
        if vendor_changes or verifications:
            rng, start = history.rng, self.last_at
            span = edit.at - start
            at = start + span * rng.uniform(0.3, 0.6)
            if vendor_changes:
                vendor_edit = _Edit(self.deal.staff, at, history.request_id())
                self.vendor_edits += 1
                for code, diff in vendor_changes:
                    self._entry(vendor_edit, "element.update", code, diff, "")
            for index, (code, before) in enumerate(verifications, start=1):
                moment = at + (edit.at - at) * index / (len(verifications) + 1)
                verify = _Edit(self.deal.staff, moment, history.request_id())
                method = rng.choice(VERIFICATION[code])
                self.verified[code] = (verify.at, method)
                self.vendor_edits += 1
                changes = {"evidence": [before, VERIFIED], "verification_method": ["", method]}
                self._entry(verify, "element.verify", code, changes, "")
        for code, diff, reason in owner_changes:
            self._entry(edit, "element.update", code, diff, reason)
        return bool(owner_changes)

    def _entry(self, edit: _Edit, action: str, code: str, diff: dict, reason: str) -> None:
        self.history.audit(
            self.rows,
            self.deal,
            edit,
            action,
            "meddicelement",
            self.ids[code],
            self.history.element_changes(code, diff),
            reason,
        )
        self.confirmed[code] = max(edit.at, self.confirmed.get(code, edit.at))
        if edit.at > self.last_at:
            self.last_at = edit.at

    def flush(self) -> None:
        """The six element rows as they stand after the last edit."""
        deal, json_list = self.deal, self.history.json_list
        for code in CODES:
            answers = self.final[code]
            confirmed = answers["last_confirmed_at"] = self.confirmed.get(code)
            values = list(_ANSWERS({**_BLANK, **answers}))
            values[_CRITERIA] = json_list(values[_CRITERIA])
            values[_CO_REVIEWERS] = json_list(values[_CO_REVIEWERS])
            verified_at, method = self.verified.get(code, (None, ""))
            if answers["evidence"] != VERIFIED:
                verified_at, method = None, ""
            self.rows.elements.append(
                (
                    self.ids[code],
                    deal.vendor_id,
                    deal.id,
                    code,
                    *values,
                    deal.staff if verified_at else None,
                    verified_at,
                    method,
                    "",
                    confirmed or deal.created,
                )
            )


def _rank(phase: str) -> int:
    """The phase's place in the sales process; a closed or held deal's last phase comes after all open ones."""
    return PHASE_RANK.get(phase, len(OPEN_PHASES))


def _asserts(diff: dict) -> bool:
    """Whether a change makes one of the vendor's own assertions."""
    access, status = diff.get("access"), diff.get("status")
    return (access is not None and access[1] == VENDOR_MET) or (
        status is not None and status[1] == CHAMPION_VERIFIED
    )


def _partner_view(states: dict[str, dict]) -> dict[str, dict]:
    """What the partner can type itself: nothing verified, no vendor assertion."""
    for state in states.values():
        if state["evidence"] == VERIFIED:
            state["evidence"] = Evidence.EVIDENCED.value
        if state.get("access") == VENDOR_MET:
            state["access"] = BuyerAccess.VIA_PARTNER.value
        if state.get("status") == CHAMPION_VERIFIED:
            state["status"] = ChampionStatus.REPORTED.value
    return states
