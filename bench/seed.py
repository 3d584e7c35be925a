"""Large synthetic data for benchmarks (``manage.py seed_bulk``, DESIGN §8).

``seed_bulk`` loads vendors ``bulk-001`` … with their partner companies (every tier, most with a channel manager),
vendor staff, partner reps and deals spread over the last 18 months in every phase and registration status
(drafts too), amounts in yen. Every deal comes with its history (``bench.seed_history``): its six MEDDIC
elements, the phases it went through, its champion log, the vendor's support, the audit entries the services
would have written, and its ``DealScore`` computed from its answers. Deals are written month by month across all
vendors, oldest first, as they would have arrived; on PostgreSQL with ``COPY`` (``bench.seed_writers``), elsewhere
in batches of inserts.

Deals are shared evenly between the vendors, or, with ``big_vendor_deals``, the first vendor gets that many (a
large tenant next to many small ones) and the others share the rest.

It only ever adds: a database that holds other vendors is refused, a bulk database of another shape too, and on
a bulk database of the same shape it tops every vendor up to its share of ``deals`` (so running it twice adds
nothing, and ``--deals 1000000`` after ``--deals 100000`` adds the other 900,000). Every row carries its vendor.
"""

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from datetime import timezone as dt_timezone
from itertools import accumulate
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.utils import timezone
from django_scopes import scopes_disabled

from audit.models import AuditEntry
from bench.seed_activity import ACTIVITY_FIELDS, SUPPORT_FIELDS
from bench.seed_history import AUDIT_FIELDS, ELEMENT_FIELDS, PHASE_FIELDS, DealFacts, History, Rows
from bench.seed_load import load, worker_count
from bench.seed_score import SCORE_FIELDS
from bench.seed_structure import SLUG_PREFIX, TIME_ZONE, Seller, create_structure, sellers_of
from bench.seed_writers import Writer, analyze, writer_for_connection
from deals.demo import words
from deals.demo.plan import apportion
from deals.models import (
    OPEN_PHASES,
    ChampionActivity,
    CustomerSize,
    Deal,
    Industry,
    Phase,
    PhaseChange,
    RegistrationStatus,
)
from deals.validation import corporate_number_check_digit, normalize_customer_name
from knowledge.models import SupportActivity
from knowledge.periods import add_months
from meddic.models import DealScore, ElementCode, MeddicElement
from partners.models import Tier, Vendor

HISTORY_MONTHS = 18
CHUNK = 20_000  # deals per transaction (with their history: about half a million rows)
ELEMENTS = len(ElementCode.values)

TIER_DEALS = {Tier.PLATINUM: 5.0, Tier.GOLD: 3.0, Tier.SILVER: 2.0, Tier.REGISTERED: 1.0}
TIER_WIN_RATE = {Tier.PLATINUM: 0.58, Tier.GOLD: 0.5, Tier.SILVER: 0.42, Tier.REGISTERED: 0.33}
STATUS_WEIGHTS = {
    RegistrationStatus.DRAFT: 4,
    RegistrationStatus.SUBMITTED: 6,
    RegistrationStatus.APPROVED: 82,
    RegistrationStatus.REJECTED: 3,
    RegistrationStatus.RETURNED: 5,
}
SIZE_WEIGHTS = {
    CustomerSize.UNDER_100: 15,
    CustomerSize.FROM_100: 25,
    CustomerSize.FROM_300: 27,
    CustomerSize.FROM_1000: 18,
    CustomerSize.FROM_5000: 8,
    CustomerSize.UNKNOWN: 7,
}
MEDIAN_AMOUNT = {
    CustomerSize.UNDER_100: 1_200_000,
    CustomerSize.FROM_100: 2_500_000,
    CustomerSize.FROM_300: 5_000_000,
    CustomerSize.FROM_1000: 10_000_000,
    CustomerSize.FROM_5000: 22_000_000,
    CustomerSize.UNKNOWN: 3_000_000,
}
# Open deals: most in the early phases, fewer the further along.
OPEN_CUM_WEIGHTS = list(accumulate((13, 12, 12, 10, 6, 5, 3)))
MIN_AMOUNT, MAX_AMOUNT = 300_000, 120_000_000

DEAL_FIELDS = (
    "id",
    "vendor",
    "partner",
    "owner",
    "customer_name",
    "customer_key",
    "customer_corporate_number",
    "customer_industry",
    "customer_size",
    "title",
    "amount",
    "close_date",
    "phase",
    "loss_type",
    "proposal_reason",
    "registration_status",
    "protected_until",
    "protection_expired",
    "version",
    "registered_at",
    "closed_at",
    "created_at",
    "updated_at",
)
# Tables in the order a chunk is written (deals first: everything else names them).
TABLES = (
    (Deal, DEAL_FIELDS, "deals"),
    (DealScore, SCORE_FIELDS, "scores"),
    (MeddicElement, ELEMENT_FIELDS, "elements"),
    (PhaseChange, PHASE_FIELDS, "phases"),
    (ChampionActivity, ACTIVITY_FIELDS, "activities"),
    (AuditEntry, AUDIT_FIELDS, "audit"),
    (SupportActivity, SUPPORT_FIELDS, "support"),
)


class BulkSeedRefused(Exception):
    """The database holds data that ``seed_bulk`` must not add to."""


@dataclass(frozen=True)
class Customer:
    name: str
    key: str
    number: str
    industry: str
    size: str
    titles: tuple[str, ...]


@dataclass(frozen=True)
class ChunkSpec:
    """What one chunk holds: the moments its deals were created (with their vendor), and their first ids."""

    number: int
    month: datetime
    moments: list[tuple[datetime, int]]
    first_deal: int
    first_element: int


@dataclass
class SeedReport:
    vendors: int
    partners: int
    deals_before: int
    deals_added: int
    seconds: float

    @property
    def deals(self) -> int:
        return self.deals_before + self.deals_added


def seed_bulk(
    *,
    vendors: int,
    partners_per_vendor: int,
    deals: int,
    big_vendor_deals: int = 0,
    seed: int = 20260401,
    now: datetime | None = None,
    workers: int | None = None,
    say: Callable[[str], None] = lambda line: None,
) -> SeedReport:
    """Top the bulk vendors up to ``deals`` deals in all (creating vendors, partners and users first if there
    are none), ``big_vendor_deals`` of them (when not 0) for the first vendor; see the module's docstring.
    ``workers`` processes generate the rows (default: one per processor for a large load, see
    ``bench.seed_load``); ``say`` hears progress lines."""
    if vendors < 1 or partners_per_vendor < 1 or deals < 0 or big_vendor_deals < 0:
        raise BulkSeedRefused(
            "--vendors and --partners-per-vendor must be at least 1, --deals and --big-vendor-deals at least 0."
        )
    started = timezone.now()
    now = now or started
    with scopes_disabled():
        existing = _check_shape(vendors, partners_per_vendor)
        if not existing:
            say(f"creating {vendors} vendors × {partners_per_vendor} partners with their users")
            create_structure(vendors, partners_per_vendor, random.Random(f"{seed}:structure"))
        bulk = list(Vendor.objects.filter(slug__startswith=SLUG_PREFIX).order_by("slug"))
        have = dict(
            Deal.objects.filter(vendor__in=bulk).values_list("vendor").annotate(n=Count("pk")).order_by()
        )
        before = sum(have.values())
        targets = deal_targets(vendors, deals, big_vendor_deals)
        missing = {
            vendor.pk: max(0, target - have.get(vendor.pk, 0))
            for vendor, target in zip(bulk, targets, strict=True)
        }
        added = 0
        if sum(missing.values()):
            sellers, emails = sellers_of(bulk)
            generator = _Generator(f"{seed}:{before}", now, sellers, emails)
            added = generator.write_all(missing, say, existing=before, workers=workers)
            analyze(model for model, _fields, _name in TABLES)
    seconds = (timezone.now() - started).total_seconds()
    return SeedReport(vendors, vendors * partners_per_vendor, before, added, seconds)


def deal_targets(vendors: int, deals: int, big_vendor_deals: int = 0) -> list[int]:
    """How many deals each vendor holds in all: an even share, or ``big_vendor_deals`` (at most ``deals``) for
    the first vendor and even shares of the rest for the others."""
    if not big_vendor_deals or vendors == 1:
        return [deals // vendors + (index < deals % vendors) for index in range(vendors)]
    big = min(big_vendor_deals, deals)
    rest, others = deals - big, vendors - 1
    return [big, *(rest // others + (index < rest % others) for index in range(others))]


def _check_shape(vendors: int, partners_per_vendor: int) -> bool:
    """Whether bulk vendors exist already (of exactly this shape); refuses any other data."""
    others = list(Vendor.objects.exclude(slug__startswith=SLUG_PREFIX).values_list("slug", flat=True)[:3])
    if others:
        raise BulkSeedRefused(
            "This database holds other vendors ("
            + ", ".join(others)
            + "): seed_bulk only loads a database of "
            "its own (an empty one, or one it seeded before)."
        )
    shape = list(
        Vendor.objects.filter(slug__startswith=SLUG_PREFIX)
        .annotate(n=Count("partners"))
        .values_list("n", flat=True)
    )
    if shape and (len(shape) != vendors or set(shape) != {partners_per_vendor}):
        raise BulkSeedRefused(
            f"This database was seeded with {len(shape)} vendors and {max(shape)} partners each; seed_bulk only "
            f"adds deals to that shape. Use --vendors {len(shape)} --partners-per-vendor {max(shape)}, or an "
            "empty database."
        )
    return bool(shape)


# -- deals ------------------------------------------------------------------------------------------------------
class _Generator:
    """Draws the deals: ``key`` seeds the plan (when each deal was created) and, with a chunk's number, the
    deals of that chunk, so that chunks can be drawn in any order and any process."""

    def __init__(self, key: str, now: datetime, sellers: dict[int, list[Seller]], emails: dict[int, str]):
        self.key = key
        self.plan = rng = random.Random(f"{key}:plan")
        self.rng = random.Random(f"{key}:deals")
        # The vendors' zone keeps one offset all year (no daylight saving): moments carry it as a fixed offset,
        # which is cheaper to compute with and to write out.
        self.zone = dt_timezone(ZoneInfo(TIME_ZONE).utcoffset(now))
        self.now = now.astimezone(self.zone)
        self.today = self.now.date()
        self.sellers = sellers
        self.history = History(self.rng, now, self.zone, emails)
        self.customers = _customer_book(random.Random(f"{key}:customers"))
        self.reasons = [
            "\n".join(lines)
            for lines in (
                (p, o, r)
                for p in words.REASON_PROBLEMS
                for o in words.REASON_OFFERS
                for r in words.REASON_PROOFS
            )
        ]
        # Each partner sells at its own pace: its tier's share, give or take.
        self.partner_weights = {
            vendor_id: list(accumulate(TIER_DEALS[s.tier] * rng.uniform(0.6, 1.4) for s in group))
            for vendor_id, group in sellers.items()
        }
        statuses = list(STATUS_WEIGHTS)
        self.statuses = (statuses, list(accumulate(STATUS_WEIGHTS.values())))
        losses = list(words.LOSS_WEIGHTS)
        self.losses = (losses, list(accumulate(words.LOSS_WEIGHTS.values())))

    # Months of the last 18 (this one partly), oldest first, each with its share of new deals: business grows.
    def months(self) -> list[tuple[datetime, datetime, float]]:
        first = add_months(self.today, -(HISTORY_MONTHS - 1))
        months = []
        for index in range(HISTORY_MONTHS):
            start = datetime.combine(add_months(first, index), time.min, self.zone)
            end = min(datetime.combine(add_months(first, index + 1), time.min, self.zone), self.now)
            share = (1 + 0.03 * index) * (end - start).total_seconds() / (31 * 86400)
            months.append((start, end, share))
        return months

    def write_all(
        self, missing: dict[int, int], say: Callable[[str], None], *, existing: int, workers: int | None
    ) -> int:
        """Write the missing deals month by month next to ``existing`` deals (see ``bench.seed_load``)."""
        total = sum(missing.values())
        writer = writer_for_connection()
        first_deal, first_element = (
            writer.reserve(Deal, total),
            writer.reserve(MeddicElement, ELEMENTS * total),
        )
        return load(
            self,
            writer,
            self.chunk_specs(missing, first_deal, first_element),
            total=total,
            large=total >= existing,
            workers=worker_count(total, CHUNK) if workers is None else workers,
            models=[model for model, _fields, _name in TABLES],
            say=say,
        )

    def chunk_specs(
        self, missing: dict[int, int], first_deal: int, first_element: int
    ) -> Iterator[ChunkSpec]:
        """Chunks of at most ``CHUNK`` deals, oldest first, every vendor's deals of a month interleaved; deals
        take consecutive ids from ``first_deal``, their elements from ``first_element``."""
        months = self.months()
        per_vendor = {
            vendor_id: apportion(count, [share for _s, _e, share in months])
            for vendor_id, count in missing.items()
        }
        number, deal_id = 0, first_deal
        for index, (start, end, _share) in enumerate(months):
            span = (end - start).total_seconds()
            moments = sorted(
                (start + timedelta(seconds=self.plan.random() * span), vendor_id)
                for vendor_id, counts in per_vendor.items()
                for _ in range(counts[index])
            )
            for offset in range(0, len(moments), CHUNK):
                part = moments[offset : offset + CHUNK]
                yield ChunkSpec(
                    number, start, part, deal_id, first_element + ELEMENTS * (deal_id - first_deal)
                )
                number, deal_id = number + 1, deal_id + len(part)

    def chunk(self, spec: ChunkSpec, writer: Writer) -> tuple[datetime, int, list]:
        """The deals of one chunk with their history, prepared for ``writer``: (month, deals, prepared)."""
        self.rng.seed(f"{self.key}:{spec.number}")
        rows = Rows.empty()
        for offset, (moment, vendor_id) in enumerate(spec.moments):
            self.deal(
                rows, moment, vendor_id, spec.first_deal + offset, spec.first_element + ELEMENTS * offset
            )
        tables = [(model, fields, getattr(rows, name)) for model, fields, name in TABLES]
        return spec.month, len(rows.deals), writer.prepare(tables)

    def deal(self, rows: Rows, created: datetime, vendor_id: int, deal_id: int, element_id: int) -> None:
        """One deal (values in ``DEAL_FIELDS`` order) and its history, appended to ``rows``."""
        rng, now, today = self.rng, self.now, self.today
        group = self.sellers[vendor_id]
        seller = rng.choices(group, cum_weights=self.partner_weights[vendor_id])[0]
        customer = rng.choice(self.customers)
        amount = MEDIAN_AMOUNT[customer.size] * rng.lognormvariate(0, 0.7)
        amount = int(min(MAX_AMOUNT, max(MIN_AMOUNT, round(amount, -4))))
        status = rng.choices(self.statuses[0], cum_weights=self.statuses[1])[0]
        phase = self.phase(seller, (now - created).days, status)
        close_date, closed_at, initial_close = self.close(created, phase)
        loss_type = ""
        if phase == Phase.LOST:
            loss_type = rng.choices(self.losses[0], cum_weights=self.losses[1])[0]
        registered = None
        if status != RegistrationStatus.DRAFT:
            registered = min(created + timedelta(seconds=rng.random() * 3 * 86400), closed_at or now)
        protected_until = None
        if status == RegistrationStatus.APPROVED:
            protected_until = registered.date() + timedelta(days=90)
        title = rng.choice(customer.titles)
        reason = rng.choice(self.reasons)
        created_values = {
            "customer_name": [None, customer.name],
            "customer_size": [None, customer.size],
            "title": [None, title],
            "amount": [None, amount],
            "close_date": [None, initial_close.isoformat()],
            "proposal_reason": [None, reason],
        }
        if customer.number:
            created_values["customer_corporate_number"] = [None, customer.number]
        if customer.industry:
            created_values["customer_industry"] = [None, customer.industry]
        facts = DealFacts(
            id=deal_id,
            vendor_id=vendor_id,
            partner_id=seller.partner_id,
            tier=seller.tier,
            owner=rng.choice(seller.owners),
            staff=seller.staff,
            created=created,
            phase=phase,
            close_date=close_date,
            closed_at=closed_at,
            loss_type=loss_type,
            industry=customer.industry,
            size=customer.size,
            amount=amount,
            created_values=created_values,
        )
        version, last_change = self.history.write(rows, facts, element_id)
        updated = max(
            moment for moment in (created, registered, closed_at, last_change) if moment is not None
        )
        rows.deals.append(
            (
                deal_id,
                vendor_id,
                seller.partner_id,
                facts.owner,
                customer.name,
                customer.key,
                customer.number,
                customer.industry,
                customer.size,
                title,
                amount,
                close_date,
                phase,
                loss_type,
                reason,
                status,
                protected_until,
                protected_until is not None
                and protected_until < today
                and phase not in (Phase.WON, Phase.LOST),
                version,
                registered,
                closed_at,
                created,
                updated,
            )
        )

    def close(self, created: datetime, phase: str) -> tuple[date, datetime | None, date]:
        """The close date, when the deal closed (won or lost) and the close date expected at registration."""
        rng, now, today = self.rng, self.now, self.today
        start = created.date()
        if phase not in (Phase.WON, Phase.LOST):
            if rng.random() < 0.12:  # overdue: the close date passed and nobody moved it yet
                close_date = max(start, today - timedelta(days=rng.randint(1, 45)))
            else:
                close_date = today + timedelta(days=rng.randint(15, 240))
            return close_date, None, close_date
        close_date = min(today, start + timedelta(days=10 + int(rng.expovariate(1 / 75))))
        moment = datetime.combine(close_date, time(9), self.zone) + timedelta(minutes=rng.randrange(540))
        # Closed after it was created, never later than now; the close date is the day it closed.
        closed_at = min(now, max(moment, created + timedelta(minutes=rng.randint(5, 120))))
        return closed_at.date(), closed_at, start + timedelta(days=rng.randint(30, 150))

    def phase(self, seller: Seller, age: int, status: str) -> str:
        rng = self.rng
        if status == RegistrationStatus.DRAFT:
            return OPEN_PHASES[rng.randrange(3)]
        # The older a deal, the likelier it closed; open ones advance with age.
        closed = 0.08 + 0.8 * min(1.0, age / 330)
        draw = rng.random()
        if draw < closed:
            return Phase.WON if rng.random() < TIER_WIN_RATE[seller.tier] else Phase.LOST
        if draw < closed + 0.05:
            return Phase.ON_HOLD
        rank = rng.choices(range(len(OPEN_PHASES)), cum_weights=OPEN_CUM_WEIGHTS)[0]
        if rng.random() < min(0.6, age / 300):
            rank += 1
        return OPEN_PHASES[min(len(OPEN_PHASES) - 1, rank)]


def _customer_book(rng: random.Random) -> list[Customer]:
    """Every name the demo vocabulary makes (a few thousand companies and the municipalities), each with its
    size and number."""
    customers, keys = [], set()
    sizes, size_weights = list(SIZE_WEIGHTS), list(SIZE_WEIGHTS.values())
    for industry, forms in words.NAME_FORMS.items():
        titles = tuple(words.TITLES_BY_INDUSTRY.get(industry, ())) + tuple(words.TITLES_COMMON["kumo"])
        for form in forms:
            for stem in words.STEMS:
                name = form.format(s=stem)
                key = normalize_customer_name(name)
                if key in keys:
                    continue
                keys.add(key)
                base = f"{rng.randrange(10**12):012d}"
                customers.append(
                    Customer(
                        name=name,
                        key=key,
                        number=f"{corporate_number_check_digit(base)}{base}" if rng.random() < 0.6 else "",
                        industry=industry,
                        size=rng.choices(sizes, weights=size_weights)[0],
                        titles=titles,
                    )
                )
    # Municipalities buy by tender (ringi pattern R8); each appears often enough to be a few percent of deals.
    titles = tuple(words.TITLES_BY_INDUSTRY[Industry.PUBLIC]) + tuple(words.TITLES_COMMON["kumo"])
    for town in words.TOWNS:
        size = CustomerSize.FROM_1000 if rng.random() < 0.6 else CustomerSize.FROM_300
        town = Customer(town, normalize_customer_name(town), "", Industry.PUBLIC, size, titles)
        customers += [town] * (len(customers) // 40 // len(words.TOWNS))
    return customers
