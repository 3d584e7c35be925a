"""Large synthetic data for benchmarks (``manage.py seed_bulk``, DESIGN §8).

``seed_bulk`` loads vendors ``bulk-001`` … with their partner companies (every tier, most with a channel manager),
vendor staff, partner reps and deals with a ``DealScore`` each, spread over the last 18 months in every phase and
registration status (drafts too), amounts in yen. Deals are written month by month across all vendors, oldest
first, as they would have arrived; on PostgreSQL with ``COPY``, elsewhere in batches of inserts.

It only ever adds: a database that holds other vendors is refused, a bulk database of another shape too, and on
a bulk database of the same shape it tops every vendor up to its share of ``deals`` (so running it twice adds
nothing, and ``--deals 1000000`` after ``--deals 100000`` adds the other 900,000). Every row carries its vendor.
"""

import contextlib
import csv
import io
import queue
import random
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django_scopes import scopes_disabled

from deals.demo import words
from deals.demo.plan import apportion
from deals.models import OPEN_PHASES, CustomerSize, Deal, Phase, RegistrationStatus
from deals.validation import corporate_number_check_digit, normalize_customer_name
from knowledge.periods import add_months
from meddic.models import DealScore, ForecastCategory
from partners.models import Membership, PartnerCompany, PartnerStatus, Role, Tier, User, Vendor

SLUG_PREFIX = "bulk-"
HISTORY_MONTHS = 18
TIME_ZONE = "Asia/Tokyo"
MANAGERS_PER_VENDOR = 5
REPS_PER_PARTNER = 2
CHUNK = 50_000  # deals per COPY (and per transaction)

TIERS = ((Tier.PLATINUM, 1), (Tier.GOLD, 2), (Tier.SILVER, 3), (Tier.REGISTERED, 4))
TIER_DEALS = {Tier.PLATINUM: 5.0, Tier.GOLD: 3.0, Tier.SILVER: 2.0, Tier.REGISTERED: 1.0}
TIER_WIN_RATE = {Tier.PLATINUM: 0.58, Tier.GOLD: 0.5, Tier.SILVER: 0.42, Tier.REGISTERED: 0.33}
TIER_QUALITY = {Tier.PLATINUM: 8, Tier.GOLD: 3, Tier.SILVER: -3, Tier.REGISTERED: -8}
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
PARTNER_FORMS = (
    "{s}システムズ株式会社",
    "株式会社{s}ソリューションズ",
    "{s}情報サービス株式会社",
    "株式会社{s}テクノ",
    "{s}ネットワークス株式会社",
    "{s}ビジネスサポート株式会社",
)
# Flags a weak open deal tends to carry (contract codes, DESIGN §5).
WEAK_FLAGS = ("metrics_undefined", "economic_buyer_no_access", "decision_process_unknown", "pain_not_urgent")

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


class BulkSeedRefused(Exception):
    """The database holds data that ``seed_bulk`` must not add to."""


@dataclass(frozen=True)
class Seller:
    vendor_id: int
    partner_id: int
    tier: str
    owners: tuple[int, ...]


@dataclass(frozen=True)
class Customer:
    name: str
    key: str
    number: str
    industry: str
    size: str
    titles: tuple[str, ...]


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
    seed: int = 20260401,
    now: datetime | None = None,
    say: Callable[[str], None] = lambda line: None,
) -> SeedReport:
    """Top the bulk vendors up to ``deals`` deals in all (creating vendors, partners and users first if there
    are none); see the module's docstring. ``say`` hears progress lines."""
    if vendors < 1 or partners_per_vendor < 1 or deals < 0:
        raise BulkSeedRefused("--vendors and --partners-per-vendor must be at least 1, --deals at least 0.")
    started = timezone.now()
    now = now or started
    with scopes_disabled():
        existing = _check_shape(vendors, partners_per_vendor)
        if not existing:
            say(f"creating {vendors} vendors × {partners_per_vendor} partners with their users")
            _create_structure(vendors, partners_per_vendor, random.Random(f"{seed}:structure"))
        bulk = list(Vendor.objects.filter(slug__startswith=SLUG_PREFIX).order_by("slug"))
        have = dict(
            Deal.objects.filter(vendor__in=bulk).values_list("vendor").annotate(n=Count("pk")).order_by()
        )
        before = sum(have.values())
        targets = [deals // vendors + (index < deals % vendors) for index in range(vendors)]
        missing = {
            vendor.pk: max(0, target - have.get(vendor.pk, 0))
            for vendor, target in zip(bulk, targets, strict=True)
        }
        added = 0
        if sum(missing.values()):
            rng = random.Random(f"{seed}:{before}")
            generator = _Generator(rng, now, _sellers(bulk))
            added = generator.write_all(missing, say)
            _analyze()
    seconds = (timezone.now() - started).total_seconds()
    return SeedReport(vendors, vendors * partners_per_vendor, before, added, seconds)


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


# -- vendors, partners, users -----------------------------------------------------------------------------------
@transaction.atomic
def _create_structure(vendors: int, partners_per_vendor: int, rng: random.Random) -> None:
    stems = words.STEMS
    made = Vendor.objects.bulk_create(
        Vendor(
            slug=f"{SLUG_PREFIX}{number:03d}",
            name=f"{stems[number % len(stems)]}テック株式会社 ({number:03d})",
            time_zone=TIME_ZONE,
            fiscal_year_start_month=4,
        )
        for number in range(1, vendors + 1)
    )
    users, memberships = [], []

    def user(email: str, name: str) -> User:
        # No usable password: bulk users exist to own deals and to call the API with issued tokens.
        users.append(User(email=email, name=name, password=make_password(None)))
        return users[-1]

    staff = {}
    for vendor in made:
        domain = f"{vendor.slug}.example"
        staff[vendor.pk] = (
            user(f"admin@{domain}", "管理 花子"),
            [user(f"cm{i}@{domain}", f"チャネル担当 {i}") for i in range(1, MANAGERS_PER_VENDOR + 1)],
        )
    User.objects.bulk_create(users)
    users.clear()
    partners = []
    for vendor in made:
        admin, managers = staff[vendor.pk]
        memberships.append(Membership(user=admin, vendor=vendor, role=Role.VENDOR_ADMIN))
        memberships += [Membership(user=cm, vendor=vendor, role=Role.CHANNEL_MANAGER) for cm in managers]
        offset = rng.randrange(len(stems))
        tiers = [tier for tier, weight in TIERS for _ in range(weight)]
        for index in range(partners_per_vendor):
            stem = stems[(offset + index) % len(stems)]
            form = PARTNER_FORMS[(offset + index) // len(stems) % len(PARTNER_FORMS)]
            round_ = (offset + index) // (len(stems) * len(PARTNER_FORMS))
            partners.append(
                PartnerCompany(
                    vendor=vendor,
                    name=form.format(s=stem) + (f" {round_ + 1}" if round_ else ""),
                    tier=rng.choice(tiers),
                    status=PartnerStatus.ACTIVE,
                    # About one partner in ten has no channel manager yet.
                    channel_manager=None if rng.random() < 0.1 else managers[index % len(managers)],
                    contact_email=f"info@p{index + 1:03d}.{vendor.slug}.example",
                )
            )
    PartnerCompany.objects.bulk_create(partners)
    reps = [
        (partner, user(f"rep{n}@{partner.contact_email.partition('@')[2]}", f"営業 {n}"))
        for partner in partners
        for n in range(1, REPS_PER_PARTNER + 1)
    ]
    User.objects.bulk_create(users)
    memberships += [
        Membership(user=rep, vendor_id=partner.vendor_id, role=Role.PARTNER_REP, partner=partner)
        for partner, rep in reps
    ]
    Membership.objects.bulk_create(memberships)


def _sellers(vendors: list[Vendor]) -> dict[int, list[Seller]]:
    owners: dict[int, list[int]] = {}
    for partner_id, user_id in (
        Membership.objects.filter(vendor__in=vendors, role=Role.PARTNER_REP)
        .order_by("pk")
        .values_list("partner_id", "user_id")
    ):
        owners.setdefault(partner_id, []).append(user_id)
    sellers: dict[int, list[Seller]] = {vendor.pk: [] for vendor in vendors}
    for partner in PartnerCompany.objects.filter(vendor__in=vendors).order_by("pk"):
        if owners.get(partner.pk):
            sellers[partner.vendor_id].append(
                Seller(partner.vendor_id, partner.pk, partner.tier, tuple(owners[partner.pk]))
            )
    return sellers


# -- deals ------------------------------------------------------------------------------------------------------
class _Generator:
    def __init__(self, rng: random.Random, now: datetime, sellers: dict[int, list[Seller]]):
        self.rng, self.now = rng, now
        self.zone = ZoneInfo(TIME_ZONE)
        self.today = now.astimezone(self.zone).date()
        self.sellers = sellers
        self.customers = _customer_book(random.Random(rng.random()))
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

    def write_all(self, missing: dict[int, int], say: Callable[[str], None]) -> int:
        """Write the missing deals month by month; the next chunk is generated while the database takes the
        last one (a second thread that only computes rows)."""
        total, written = sum(missing.values()), 0
        writer = _CopyWriter() if connection.vendor == "postgresql" else _InsertWriter()
        chunks: queue.Queue = queue.Queue(maxsize=2)
        stop = threading.Event()

        def produce():
            try:
                for chunk in self.chunks(missing):
                    if stop.is_set():
                        return
                    chunks.put(chunk)
            except BaseException as error:  # handed to the writing thread, which raises it
                chunks.put(error)
            chunks.put(None)

        producer = threading.Thread(target=produce, name="seed-bulk-rows", daemon=True)
        producer.start()
        try:
            while (chunk := chunks.get()) is not None:
                if isinstance(chunk, BaseException):
                    raise chunk
                month, rows = chunk
                writer.write(rows)
                written += len(rows)
                say(f"deals {written:,} / {total:,} ({month:%Y-%m})")
        finally:
            stop.set()
            while producer.is_alive():  # let a producer waiting on a full queue see the stop
                with contextlib.suppress(queue.Empty):
                    chunks.get(timeout=0.1)
        return written

    def chunks(self, missing: dict[int, int]) -> Iterator[tuple[datetime, list[tuple[tuple, tuple]]]]:
        """(month, rows) of at most ``CHUNK`` deals, oldest first, every vendor's deals of a month interleaved."""
        months = self.months()
        per_vendor = {
            vendor_id: apportion(count, [share for _s, _e, share in months])
            for vendor_id, count in missing.items()
        }
        for index, (start, end, _share) in enumerate(months):
            span = (end - start).total_seconds()
            moments = sorted(
                (start + timedelta(seconds=self.rng.random() * span), vendor_id)
                for vendor_id, counts in per_vendor.items()
                for _ in range(counts[index])
            )
            for offset in range(0, len(moments), CHUNK):
                yield (
                    start,
                    [self.deal(moment, vendor_id) for moment, vendor_id in moments[offset : offset + CHUNK]],
                )

    def deal(self, created: datetime, vendor_id: int) -> tuple[tuple, tuple]:
        """One deal (values in ``DEAL_FIELDS`` order, id left to the writer) and its score."""
        rng, now, today = self.rng, self.now, self.today
        group = self.sellers[vendor_id]
        seller = rng.choices(group, cum_weights=self.partner_weights[vendor_id])[0]
        customer = rng.choice(self.customers)
        amount = MEDIAN_AMOUNT[customer.size] * rng.lognormvariate(0, 0.7)
        amount = int(min(MAX_AMOUNT, max(MIN_AMOUNT, round(amount, -4))))
        status = rng.choices(self.statuses[0], cum_weights=self.statuses[1])[0]
        registered = None
        if status != RegistrationStatus.DRAFT:
            registered = min(created + timedelta(seconds=rng.random() * 3 * 86400), now)
        age = (now - created).days
        phase = self.phase(seller, age, status)
        local_start = (registered or created).astimezone(self.zone).date()
        closed_at, loss_type = None, ""
        if phase in (Phase.WON, Phase.LOST):
            close_date = min(today, local_start + timedelta(days=10 + int(rng.expovariate(1 / 75))))
            closed_at = min(now, datetime.combine(close_date, time(9), self.zone).astimezone(UTC))
            if phase == Phase.LOST:
                loss_type = rng.choices(self.losses[0], cum_weights=self.losses[1])[0]
        elif rng.random() < 0.12:  # overdue: the close date passed and nobody moved it yet
            close_date = max(local_start, today - timedelta(days=rng.randint(1, 45)))
        else:
            close_date = today + timedelta(days=rng.randint(15, 240))
        protected_until = None
        if status == RegistrationStatus.APPROVED:
            protected_until = local_start + timedelta(days=90)
        updated = max(moment for moment in (created, registered, closed_at) if moment is not None)
        title = rng.choice(customer.titles)
        deal = (
            None,
            vendor_id,
            seller.partner_id,
            rng.choice(seller.owners),
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
            rng.choice(self.reasons),
            status,
            protected_until,
            protected_until is not None and protected_until < today and phase not in (Phase.WON, Phase.LOST),
            1,
            registered,
            closed_at,
            created,
            updated,
        )
        return deal, self.score(seller, phase, vendor_id, updated)

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

    def score(self, seller: Seller, phase: str, vendor_id: int, at: datetime) -> tuple:
        rng = self.rng
        rank = OPEN_PHASES.index(phase) if phase in OPEN_PHASES else (7 if phase == Phase.WON else 3)
        quality = round(rng.gauss(28 + 7 * rank + TIER_QUALITY[seller.tier], 12))
        visibility = round(rng.gauss(22 + 6 * rank + TIER_QUALITY[seller.tier], 14))
        if phase == Phase.LOST:
            quality -= 15
        quality, visibility = (min(100, max(0, value)) for value in (quality, visibility))
        if phase == Phase.WON:
            forecast = ForecastCategory.CLOSED
        elif phase in (Phase.LOST, Phase.ON_HOLD):
            forecast = ForecastCategory.OMITTED
        elif phase == Phase.INFORMAL_AWARD or (phase == Phase.APPROVAL and quality >= 70):
            forecast = ForecastCategory.COMMIT
        elif rank >= OPEN_PHASES.index(Phase.PROPOSAL) and quality >= 60 and visibility >= 50:
            forecast = ForecastCategory.BEST_CASE
        else:
            forecast = ForecastCategory.PIPELINE
        flags = []
        if phase in OPEN_PHASES and quality < 45:
            flags = rng.sample(WEAK_FLAGS, k=1 + (quality < 25) + (quality < 10))
        codes = f",{','.join(flags)}," if flags else ""
        return (None, vendor_id, quality, visibility, forecast, codes, len(flags), at)


def _customer_book(rng: random.Random) -> list[Customer]:
    """Every name the demo vocabulary makes (a few thousand companies), each with its size and number."""
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
    return customers


# -- writers ----------------------------------------------------------------------------------------------------
def _columns(model, fields: tuple[str, ...]) -> list:
    return [model._meta.get_field(name) for name in fields]


class _Writer(ABC):
    """Writes chunks of deals with their scores; subclasses say how rows reach the database."""

    def write(self, rows: list[tuple[tuple, tuple]]) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            # Ids are given here (deal and score share them): no other writer may take ids meanwhile.
            if connection.vendor == "postgresql":
                cursor.execute(f"LOCK TABLE {Deal._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {Deal._meta.db_table}")  # noqa: S608
            first = cursor.fetchone()[0] + 1
            deals = [(first + i, *deal[1:]) for i, (deal, _score) in enumerate(rows)]
            scores = [(first + i, *score[1:]) for i, (_deal, score) in enumerate(rows)]
            self.insert(cursor, Deal, DEAL_FIELDS, deals)
            self.insert(cursor, DealScore, SCORE_FIELDS, scores)
            self.after(cursor, first + len(rows) - 1)

    @abstractmethod
    def insert(self, cursor, model, fields, rows) -> None:
        """Insert ``rows`` (tuples in the order of ``fields``) into ``model``'s table."""

    def after(self, cursor, last_id: int) -> None:  # noqa: B027  (optional hook: nothing by default)
        """After a chunk: what the database needs once ids were given by hand (nothing by default)."""


class _CopyWriter(_Writer):
    """PostgreSQL: ``COPY … FROM STDIN`` in CSV; blank text stays blank, empty dates and times are NULL."""

    def insert(self, cursor, model, fields, rows) -> None:
        columns = _columns(model, fields)
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        buffer.seek(0)
        names = ", ".join(column.column for column in columns)
        texts = ", ".join(
            column.column for column in columns if column.get_internal_type() in ("CharField", "TextField")
        )
        cursor.copy_expert(
            f"COPY {model._meta.db_table} ({names}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL ({texts}))",
            buffer,
        )

    def after(self, cursor, last_id: int) -> None:
        cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [Deal._meta.db_table, last_id])


class _InsertWriter(_Writer):
    """Any other database: parameterised inserts in batches, values prepared by the model fields."""

    def insert(self, cursor, model, fields, rows) -> None:
        columns = _columns(model, fields)
        names = ", ".join(connection.ops.quote_name(column.column) for column in columns)
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
        prepared = [
            [column.get_db_prep_save(value, connection) for column, value in zip(columns, row, strict=True)]
            for row in rows
        ]
        for offset in range(0, len(prepared), 500):
            cursor.executemany(sql, prepared[offset : offset + 500])


def _analyze() -> None:
    """Fresh planner statistics for the tables just loaded (PostgreSQL; SQLite plans without them here)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Deal._meta.db_table}, {DealScore._meta.db_table}")
