"""Planning the demo deals: who sells, which phase each deal reached and when, its MEDDIC states over time,
its champion log, its registration workflow, and the planned registration conflicts. Nothing is saved here
(``deals.demo.write`` does that)."""

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from deals.demo import words
from deals.demo.champions import champion_log
from deals.demo.customers import Customer, CustomerBook
from deals.demo.stories import PATTERN_PACE, Story, ringi_pattern, story_for, weighted
from deals.models import OPEN_PHASES, PHASE_RANK, ConflictMatch, Deal, LossType, Phase
from deals.models import RegistrationStatus as S
from deals.validation import normalize_customer_name
from meddic.models import ChampionStatus
from partners.models import Membership, PartnerCompany, PartnerStatus, Role, Tier, User, Vendor
from prm.clock import vendor_today

HISTORY_MONTHS = 18

# Share of each phase: more open early-phase deals, about a third closed won or lost, a few on hold.
PHASE_WEIGHTS = {
    Phase.INFORMATION_GATHERING: 13,
    Phase.PROBLEM_DEFINITION: 12,
    Phase.EVALUATION: 12,
    Phase.PROPOSAL: 10,
    Phase.PRE_APPROVAL: 6,
    Phase.APPROVAL: 5,
    Phase.INFORMAL_AWARD: 3,
    Phase.WON: 17,
    Phase.LOST: 16,
    Phase.ON_HOLD: 5,
}
TIER_DEALS = {Tier.PLATINUM: 5, Tier.GOLD: 3, Tier.SILVER: 2, Tier.REGISTERED: 1}
# Better partners win more often: multipliers of the won and lost shares, and a quality bonus.
TIER_WINS = {
    Tier.PLATINUM: (1.25, 0.8),
    Tier.GOLD: (1.05, 0.95),
    Tier.SILVER: (0.9, 1.1),
    Tier.REGISTERED: (0.7, 1.3),
}
TIER_QUALITY = {Tier.PLATINUM: 0.08, Tier.GOLD: 0.03, Tier.SILVER: -0.03, Tier.REGISTERED: -0.08}
# Days since registration of open deals, by phase rank: (minimum, mean of the exponential rest).
OPEN_AGE = ((1, 35), (5, 50), (15, 70), (25, 90), (35, 110), (40, 120), (45, 130))
# The phase rank a lost deal had reached, by why it was lost.
LOSS_RANKS = {
    LossType.COMPETITOR: (2, 3, 4),
    LossType.NO_DECISION: (1, 2, 3),
    LossType.BUDGET_FROZEN: (3, 4, 5),
    LossType.RINGI_REJECTED: (5,),
    LossType.UNKNOWN: (1, 2, 3, 4, 5),
}
CHAMPIONS = (ChampionStatus.VERIFIED, ChampionStatus.REPORTED)


@dataclass
class Seller:
    """A partner company that sells in the demo: who owns and reviews its deals, and when it sold."""

    partner: PartnerCompany
    owners: list[User]
    admin: User | None
    manager: User | None
    start: date
    end: date

    @property
    def window(self) -> int:
        return (self.end - self.start).days


@dataclass
class Plan:
    """One deal and everything that happened to it, with the moments it happened."""

    deal: Deal
    manager: User | None
    created: datetime
    phases: list[tuple[str, datetime]]  # the first is the phase at creation
    initial_close: date
    snapshots: list[tuple[datetime, dict]] = field(default_factory=list)  # element states, first at creation
    events: list[tuple[str, str, datetime, User | None, str]] = field(default_factory=list)
    activities: list[dict] = field(default_factory=list)
    slip_at: datetime | None = None  # a close-date change recorded on its own
    expired_at: datetime | None = None


@dataclass
class ConflictPlan:
    deal: Plan
    other: Plan
    match: str
    detected_at: datetime
    resolved_at: datetime | None = None
    resolved_by: User | None = None


class Planner:
    def __init__(self, vendor: Vendor, rng: random.Random):
        self.vendor, self.rng = vendor, rng
        self.tz = ZoneInfo(vendor.time_zone)
        self.today = vendor_today(vendor)
        self.yesterday = self.today - timedelta(days=1)
        self.latest = timezone.now() - timedelta(minutes=1)
        self.customers = CustomerBook(rng, vendor.slug)

    # -- who sells ----------------------------------------------------------------------------------------
    def sellers(self) -> list[Seller]:
        """Partners with people to sell, each over its own window: from its first training (at most 18
        months back) to yesterday; a suspended partner stopped three months ago, an onboarding one has just
        signed. Invited partners have nobody yet and sell nothing."""
        members = Membership.objects.filter(is_active=True).select_related("user").order_by("user__email")
        reps, admins, managers = defaultdict(list), {}, []
        for member in members:
            if member.role == Role.PARTNER_REP:
                reps[member.partner_id].append(member.user)
            elif member.role == Role.PARTNER_ADMIN:
                admins.setdefault(member.partner_id, member.user)
            elif member.role == Role.CHANNEL_MANAGER:
                managers.append(member.user)
        earliest = months_before(self.today, HISTORY_MONTHS)
        sellers = []
        for partner in PartnerCompany.objects.select_related("channel_manager").order_by("pk"):
            owners = reps.get(partner.pk) or ([admins[partner.pk]] if partner.pk in admins else [])
            if not owners:
                continue
            start = max(earliest, partner.first_training_on or partner.contract_signed_on or earliest)
            end = self.yesterday
            if partner.status == PartnerStatus.SUSPENDED:
                end -= timedelta(days=90)
            if partner.status == PartnerStatus.ONBOARDING:
                start = min(partner.contract_signed_on or self.today - timedelta(days=20), self.yesterday)
            if end < start:
                continue
            manager = partner.channel_manager or (managers[0] if managers else None)
            sellers.append(Seller(partner, owners, admins.get(partner.pk), manager, start, end))
        return sellers

    def plan_all(self, count: int) -> tuple[list[Plan], list[ConflictPlan]]:
        """About ``count`` deals, oldest first: two first deals per onboarding partner, the conflict pairs,
        and the rest shared among the other partners by tier."""
        sellers = self.sellers()
        onboarding = [s for s in sellers if s.partner.status == PartnerStatus.ONBOARDING]
        regular = [s for s in sellers if s not in onboarding]
        plans: list[Plan] = []
        for seller in onboarding:
            first, last = seller.owners[0], seller.owners[-1]
            plans.append(self.plan(seller, first, phase=Phase.INFORMATION_GATHERING, status=S.DRAFT))
            plans.append(self.plan(seller, last, phase=Phase.PROBLEM_DEFINITION, status=S.SUBMITTED))
        active = [s for s in regular if s.end >= self.yesterday]
        conflicts = self.plan_conflicts(active, count, plans) if len(active) >= 2 else []
        weights = [TIER_DEALS[s.partner.tier] * min(1.0, s.window / 365) for s in regular]
        for seller, number in zip(regular, apportion(max(0, count - len(plans)), weights), strict=True):
            for index in range(number):
                owner = seller.owners[index % len(seller.owners)]
                if seller.admin and self.rng.random() < 0.1:
                    owner = seller.admin
                plans.append(self.plan(seller, owner))
        plans.sort(key=lambda plan: plan.created)
        return plans, conflicts

    # -- one deal -----------------------------------------------------------------------------------------
    def plan(
        self,
        seller: Seller,
        owner: User,
        *,
        phase: str | None = None,
        status: str | None = None,
        created_day: date | None = None,
        customer: Customer | None = None,
    ) -> Plan:
        rng, repeat = self.rng, False
        if customer is None:
            customer, repeat = self.customers.for_partner(seller.partner.pk)
        amount = self.customers.amount(customer.size, repeat)
        pattern = ringi_pattern(rng, industry=customer.industry, size=customer.size, amount=amount)
        if phase is None and seller.end < self.yesterday - timedelta(days=30):
            phase = weighted(rng, {Phase.WON: 42, Phase.LOST: 48, Phase.ON_HOLD: 10})
        phase = phase or self.phase_for(seller)
        loss_type = self.loss_type(pattern) if phase == Phase.LOST else ""
        path = self.path(phase, loss_type)
        days, close_date, initial_close = self.timing(seller, path, amount, pattern, created_day)
        created = self.moment(days[0])
        deal = Deal(
            vendor=self.vendor,
            partner=seller.partner,
            owner=owner,
            customer_name=customer.name,
            customer_key=normalize_customer_name(customer.name),
            customer_corporate_number=customer.number,
            customer_industry=customer.industry,
            customer_size=customer.size,
            title=self.customers.title(customer, repeat),
            amount=amount,
            close_date=close_date,
            phase=phase,
            loss_type=loss_type,
            proposal_reason=self.customers.reason(),
        )
        entered = [created, *self.moments(days[1:], after=created)]
        plan = Plan(deal, seller.manager, created, list(zip(path, entered, strict=True)), initial_close)
        if phase in (Phase.WON, Phase.LOST):
            deal.closed_at = plan.phases[-1][1]
        if close_date != initial_close and len(plan.phases) == 1:
            plan.slip_at = self.between(created, self.latest)
        story = story_for(
            rng,
            outcome=phase,
            loss_type=loss_type,
            reaches_proposal=Phase.PROPOSAL in path,
            tier_bonus=TIER_QUALITY[seller.partner.tier],
            pattern=pattern,
            industry=customer.industry,
            size=customer.size,
        )
        self.elements(plan, story)
        self.activities(plan, story)
        self.registration(plan, status)
        return plan

    def phase_for(self, seller: Seller) -> str:
        won, lost = TIER_WINS[seller.partner.tier]
        weights = dict(PHASE_WEIGHTS)
        weights[Phase.WON] *= won
        weights[Phase.LOST] *= lost
        return weighted(self.rng, weights)

    def loss_type(self, pattern: str) -> str:
        """Why a deal was lost leans on its ringi route: budgets freeze for next-year budgets, long
        approval routes reject more ringi, public tenders end without a decision more often."""
        weights = dict(words.LOSS_WEIGHTS)
        if pattern == "R7":
            weights[LossType.BUDGET_FROZEN] *= 3
        if pattern in ("R4", "R5"):
            weights[LossType.RINGI_REJECTED] *= 2.5
        if pattern == "R8":
            weights[LossType.NO_DECISION] *= 1.5
            weights[LossType.BUDGET_FROZEN] *= 1.5
        return weighted(self.rng, weights)

    def path(self, phase: str, loss_type: str) -> list[str]:
        """The phases a deal went through: registered in one of the first three, mostly step by step."""
        rng = self.rng
        if phase in OPEN_PHASES:
            last = PHASE_RANK[phase]
        elif phase == Phase.WON:
            last = 6 if rng.random() < 0.65 else 5
        elif phase == Phase.LOST:
            last = rng.choice(LOSS_RANKS[loss_type])
        else:
            last = weighted(rng, {0: 2, 1: 3, 2: 3, 3: 2})
        start = min(last, weighted(rng, {0: 5, 1: 3, 2: 2}))
        ranks = list(range(start, last + 1))
        if last > 4 and rng.random() < 0.25:
            ranks.remove(4)  # straight from the quote into the ringi
        if start == 0 and last > 1 and rng.random() < 0.2:
            ranks.remove(1)
        path = [OPEN_PHASES[rank] for rank in ranks]
        return path if phase in OPEN_PHASES else [*path, phase]

    def timing(
        self, seller: Seller, path, amount: int, pattern: str, created_day
    ) -> tuple[list[date], date, date]:
        """The day of each phase change (the first is the day the deal was created), the close date, and
        the close date expected at creation."""
        if path[-1] in OPEN_PHASES:
            return self.open_timing(seller, path, created_day)
        rng, final = self.rng, path[-1]
        # Larger deals and longer approval routes take longer; a deal lost early ended early.
        cycle = (40 + 28 * math.log2(max(amount, 1_000_000) / 1_000_000)) * PATTERN_PACE[pattern]
        cycle *= rng.uniform(0.7, 1.35)
        if final == Phase.LOST:
            cycle *= 0.35 + 0.65 * (PHASE_RANK[path[-2]] + 1) / 7
        cycle = max(int(cycle), 3 * len(path))
        stop = int(cycle * rng.uniform(0.3, 0.7)) if final == Phase.ON_HOLD else cycle
        room = (min(seller.end, self.yesterday) - seller.start).days
        if created_day is None:
            stop = min(stop, int(room * rng.uniform(0.5, 0.9))) if stop > room else stop
            created_day = seller.start + timedelta(days=rng.randint(0, room - stop))
        end_day = created_day + timedelta(days=stop)
        middle = sorted(created_day + timedelta(days=rng.randint(0, stop)) for _ in path[2:])
        if final == Phase.ON_HOLD:
            expected = created_day + timedelta(days=cycle)
            return [created_day, *middle, end_day], expected, expected
        initial = created_day + timedelta(days=max(14, int(cycle * rng.uniform(0.6, 1.1))))
        # Reps record the close on the day or a day or two later.
        recorded = min(end_day + timedelta(days=rng.choice((0, 0, 0, 1, 2))), self.yesterday)
        return [created_day, *middle, recorded], end_day, initial

    def open_timing(self, seller: Seller, path, created_day) -> tuple[list[date], date, date]:
        """Open deals are younger the earlier their phase; a few forgotten ones are old. Most expect to
        close within the phases still ahead; one in ten has let its close date pass."""
        rng, rank = self.rng, PHASE_RANK[path[-1]]
        if created_day is None:
            low, mean = OPEN_AGE[rank]
            age = low + min(int(rng.expovariate(1 / mean)), 3 * mean)
            if rank <= 3 and rng.random() < 0.05:
                age = rng.randint(200, 450)
            created_day = min(max(seller.start, self.yesterday - timedelta(days=age)), seller.end)
        span = (self.yesterday - created_day).days
        changes = sorted(created_day + timedelta(days=rng.randint(0, span)) for _ in path[1:])
        close_date = self.today + timedelta(days=int(sum(rng.uniform(15, 40) for _ in range(7 - rank))))
        age = (self.today - created_day).days
        if age > 30 and rng.random() < 0.1:
            close_date = self.today - timedelta(days=rng.randint(1, min(45, age - 15)))
        initial = close_date if rng.random() < 0.6 else close_date - timedelta(days=rng.randint(14, 90))
        return [created_day, *changes], close_date, max(initial, created_day + timedelta(days=14))

    # -- moments ------------------------------------------------------------------------------------------
    def moment(self, day: date) -> datetime:
        """A moment in office hours on ``day`` (never later than now)."""
        moment = datetime.combine(day, time(9), self.tz) + timedelta(minutes=self.rng.randrange(600))
        return min(moment, self.latest)

    def moments(self, days, *, after: datetime) -> list[datetime]:
        """Office-hour moments on the given sorted days, each later than the one before."""
        result, cursor = [], after
        for day in days:
            moment = self.moment(day)
            if moment <= cursor:
                moment = min(cursor + timedelta(minutes=self.rng.randint(3, 90)), self.latest)
            result.append(moment)
            cursor = moment
        return result

    def between(self, start: datetime, end: datetime) -> datetime:
        """A moment strictly between two others, in office hours when that fits."""
        if end <= start:
            return start
        days = (end.astimezone(self.tz).date() - start.astimezone(self.tz).date()).days
        moment = self.moment(start.astimezone(self.tz).date() + timedelta(days=self.rng.randint(0, days)))
        return moment if start < moment < end else start + (end - start) * self.rng.uniform(0.2, 0.8)

    # -- MEDDIC history and champion log ------------------------------------------------------------------
    def end_of(self, plan: Plan) -> datetime:
        """Where the deal's story stops: when it closed or was put on hold, or now."""
        return plan.phases[-1][1] if plan.deal.phase not in OPEN_PHASES else self.latest

    def elements(self, plan: Plan, story: Story) -> None:
        """Element states at creation, just before entering proposal (midway for deals that never got
        there) and at the end, each at its moment: the state "as of proposal" may differ from the last."""
        ranks = [PHASE_RANK[phase] for phase, _at in plan.phases if phase in OPEN_PHASES]
        start, last = ranks[0], ranks[-1]
        phase, end, entered = plan.deal.phase, self.end_of(plan), dict(plan.phases)
        created = plan.created + timedelta(seconds=1)
        # The last state is written once the deal is in its last open phase.
        last_entry = plan.phases[-1 if phase in OPEN_PHASES else -2][1]
        if Phase.PROPOSAL in entered:
            proposal_at = entered[Phase.PROPOSAL]
            middle_at = self.between(max(created, proposal_at - timedelta(days=5)), proposal_at)
            middle_stage = 2.8
            lower = max(proposal_at, last_entry)
            if phase in OPEN_PHASES and story.quality > 0.55:
                lower = max(lower, self.latest - timedelta(days=25))  # good open deals are kept fresh
            final_at = max(self.between(lower, end - timedelta(minutes=1)), lower + timedelta(seconds=1))
        else:
            middle_at, middle_stage = self.between(created, end), (start + last) / 2
            final_at = self.between(max(middle_at, last_entry), end)
        middle_at = max(middle_at, created)
        plan.snapshots = [
            (created, story.states(start - 0.6, "created")),
            (middle_at, story.states(middle_stage, "proposal")),
            (max(final_at, middle_at), story.states(7 if phase == Phase.WON else last, "final", final=True)),
        ]

    def activities(self, plan: Plan, story: Story) -> None:
        """The champion log, ending at the close, at the hold, or recently; some champions went quiet
        more than 30 days ago, and half the champions of lost deals stopped well before the loss."""
        rng, deal, end = self.rng, plan.deal, self.end_of(plan).astimezone(self.tz).date()
        first = plan.created.astimezone(self.tz).date() + timedelta(days=rng.randint(5, 20))
        quiet = False
        if deal.phase in (Phase.WON, Phase.LOST):
            last = deal.close_date - timedelta(days=rng.randint(0, 5))
            if deal.phase == Phase.LOST and story.champion["proposal"] in CHAMPIONS and rng.random() < 0.5:
                last, quiet = deal.close_date - timedelta(days=rng.randint(30, 60)), True
        elif deal.phase == Phase.ON_HOLD:
            last = end
        else:
            last = self.yesterday - timedelta(days=rng.randint(0, 10))
            if story.champion["final"] in CHAMPIONS and (self.today - first).days > 50 and rng.random() < 0.3:
                last, quiet = self.today - timedelta(days=rng.randint(31, 75)), True
        changes = [(at.astimezone(self.tz).date(), PHASE_RANK.get(phase, 6)) for phase, at in plan.phases]

        def rank_on(day: date) -> int:
            return max((rank for changed, rank in changes if changed <= day), default=changes[0][1])

        plan.activities = champion_log(
            rng, story, first=first, last=min(last, end), rank_on=rank_on, quiet=quiet
        )

    # -- registration -------------------------------------------------------------------------------------
    def status_for(self, plan: Plan) -> str:
        """Recent deals are often drafts or waiting for review; older ones mostly approved."""
        phase, age = plan.deal.phase, (self.today - plan.created.astimezone(self.tz).date()).days
        if phase == Phase.WON:
            return S.APPROVED
        if phase == Phase.LOST:
            return weighted(self.rng, {S.APPROVED: 88, S.REJECTED: 7, S.RETURNED: 5})
        if phase == Phase.ON_HOLD:
            return weighted(self.rng, {S.APPROVED: 85, S.RETURNED: 8, S.REJECTED: 7})
        if age <= 21:
            return weighted(self.rng, {S.DRAFT: 30, S.SUBMITTED: 50, S.APPROVED: 15, S.RETURNED: 5})
        if age <= 60:
            return weighted(self.rng, {S.SUBMITTED: 15, S.APPROVED: 72, S.RETURNED: 7, S.REJECTED: 6})
        return weighted(self.rng, {S.APPROVED: 88, S.RETURNED: 4, S.REJECTED: 8})

    def registration(self, plan: Plan, status: str | None, reason: str = "") -> None:
        """Workflow steps up to ``status``: submitted by the owner, decided by the channel manager within
        days; some approvals came after a return for facts. Approval protects the registration for the
        vendor's protection days, and the nightly job has expired the protections that ran out."""
        rng, deal = self.rng, plan.deal
        status = status or self.status_for(plan)
        deal.registration_status = status
        if status == S.DRAFT:
            return
        owner, manager = deal.owner, plan.manager
        steps = [(S.DRAFT, S.SUBMITTED, owner, "")]
        if status == S.APPROVED and rng.random() < 0.12:
            steps.append((S.SUBMITTED, S.RETURNED, manager, rng.choice(words.RETURN_REASONS)))
            steps.append((S.RETURNED, S.SUBMITTED, owner, ""))
        if status == S.APPROVED:
            steps.append((S.SUBMITTED, S.APPROVED, manager, ""))
        elif status == S.RETURNED:
            steps.append((S.SUBMITTED, S.RETURNED, manager, rng.choice(words.RETURN_REASONS)))
        elif status == S.REJECTED:
            if not reason and rng.random() < 0.15:
                steps.append((S.SUBMITTED, S.APPROVED, manager, ""))
            steps.append((steps[-1][1], S.REJECTED, manager, reason or rng.choice(words.REJECT_REASONS)))
        day = min(
            plan.created.astimezone(self.tz).date() + timedelta(days=rng.choice((0, 0, 0, 1, 2, 3))),
            self.yesterday,
        )
        days = [day]
        for _step in steps[1:]:
            day = min(day + timedelta(days=rng.randint(0, 4)), self.yesterday)
            days.append(day)
        moments = self.moments(days, after=plan.created)
        plan.events = [(f, t, at, actor, why) for (f, t, actor, why), at in zip(steps, moments, strict=True)]
        deal.registered_at = moments[0]
        deal.protected_until, deal.protection_expired, plan.expired_at = None, False, None
        if status == S.APPROVED:
            approved_on = plan.events[-1][2].astimezone(self.tz).date()
            deal.protected_until = approved_on + timedelta(days=self.vendor.protection_days)
            if deal.protected_until < self.today:
                deal.protection_expired = True
                expiry = datetime.combine(deal.protected_until + timedelta(days=1), time(2), self.tz)
                plan.expired_at = min(expiry + timedelta(minutes=rng.randrange(30)), self.latest)

    # -- conflicts ----------------------------------------------------------------------------------------
    def plan_conflicts(self, sellers: list[Seller], count: int, plans: list[Plan]) -> list[ConflictPlan]:
        """Customers registered by two partners under different spellings (or the same corporate number):
        the first partner's registration is approved and protected, the second was submitted in the last
        days and is flagged. One more pair was settled: the channel manager kept the first."""
        cases = [(case, False) for case in words.CONFLICT_CASES[: max(1, round(count / 90))]]
        cases.append((words.RESOLVED_CONFLICT_CASE, True))
        for (_industry, first, second, _same), _resolved in cases:
            self.customers.claim(first)
            self.customers.claim(second)
        conflicts = []
        for index, ((industry, first, second, same_number), resolved) in enumerate(cases):
            holder, newcomer = sellers[index % len(sellers)], sellers[(index + 1) % len(sellers)]
            number = self.customers.corporate_number() if same_number else ""
            size = self.customers.size(industry)
            older = self.plan(
                holder,
                holder.owners[0],
                phase=self.rng.choice((Phase.EVALUATION, Phase.PROPOSAL)),
                status=S.APPROVED,
                created_day=self.yesterday - timedelta(days=self.rng.randint(45, 80)),
                customer=Customer(first, industry, size, number),
            )
            age = self.rng.randint(12, 25) if resolved else self.rng.randint(1, 10)
            newer = self.plan(
                newcomer,
                newcomer.owners[-1],
                phase=self.rng.choice((Phase.INFORMATION_GATHERING, Phase.PROBLEM_DEFINITION)),
                status=S.SUBMITTED,
                created_day=self.yesterday - timedelta(days=age),
                customer=Customer(second, industry, size, number),
            )
            conflict = ConflictPlan(
                deal=newer,
                other=older,
                match=ConflictMatch.CORPORATE_NUMBER if same_number else ConflictMatch.NAME,
                detected_at=newer.events[0][2],
            )
            if resolved:
                self.registration(newer, S.REJECTED, reason=words.CONFLICT_NOTE)
                conflict.detected_at = newer.events[0][2]
                conflict.resolved_at, conflict.resolved_by = newer.events[-1][2], newer.events[-1][3]
            plans += [older, newer]
            conflicts.append(conflict)
        return conflicts


def months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, min(day.day, 28))


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainders), so the counts add up exactly."""
    whole = sum(weights) or 1
    shares = [total * weight / whole for weight in weights]
    counts = [int(share) for share in shares]
    order = sorted(range(len(shares)), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts
