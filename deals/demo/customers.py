"""Demo customers and the template answers about them: names, corporate numbers, sizes, amounts, titles and
proposal reasons."""

import math
import random
from collections import defaultdict
from dataclasses import dataclass

from deals.demo import words
from deals.demo.stories import weighted
from deals.models import CustomerSize, Industry
from deals.validation import corporate_number_check_digit, normalize_customer_name

INDUSTRY_WEIGHTS = {
    Industry.MANUFACTURING: 22,
    Industry.FINANCE: 10,
    Industry.RETAIL: 12,
    Industry.IT_TELECOM: 8,
    Industry.HEALTHCARE: 9,
    Industry.CONSTRUCTION: 8,
    Industry.LOGISTICS: 8,
    Industry.PUBLIC: 7,
    Industry.EDUCATION: 4,
    Industry.SERVICES: 9,
    Industry.OTHER: 3,
}
Z = CustomerSize
SIZE_WEIGHTS = {
    Industry.PUBLIC: {Z.FROM_300: 40, Z.FROM_1000: 60},
    Industry.FINANCE: {Z.FROM_300: 30, Z.FROM_1000: 40, Z.FROM_5000: 30},
    Industry.HEALTHCARE: {Z.FROM_100: 40, Z.FROM_300: 50, Z.FROM_1000: 10},
    Industry.EDUCATION: {Z.FROM_300: 60, Z.FROM_1000: 40},
    None: {Z.UNDER_100: 15, Z.FROM_100: 25, Z.FROM_300: 27, Z.FROM_1000: 18, Z.FROM_5000: 8, Z.UNKNOWN: 7},
}
MEDIAN_AMOUNT = {
    Z.UNDER_100: 1_200_000,
    Z.FROM_100: 2_500_000,
    Z.FROM_300: 5_000_000,
    Z.FROM_1000: 10_000_000,
    Z.FROM_5000: 22_000_000,
    Z.UNKNOWN: 3_000_000,
}
MIN_AMOUNT, MAX_AMOUNT = 500_000, 80_000_000


@dataclass
class Customer:
    name: str
    industry: str
    size: str
    number: str = ""


class CustomerBook:
    """Customers of one vendor's demo. Each belongs to one partner (repeat business stays with it), and no
    two have the same normalised name or corporate number, so the only registration conflicts are the ones
    planned on purpose."""

    def __init__(self, rng: random.Random, vendor_slug: str):
        self.rng, self.vendor_slug = rng, vendor_slug
        self.keys: set[str] = set()
        self.numbers: set[str] = set()
        self.of_partner: dict[int, list[Customer]] = defaultdict(list)

    def for_partner(self, partner_id: int) -> tuple[Customer, bool]:
        """Mostly a new customer; about one deal in five is repeat business. Returns (customer, repeat)."""
        mine = self.of_partner[partner_id]
        if mine and self.rng.random() < 0.2:
            return self.rng.choice(mine), True
        customer = self.new()
        mine.append(customer)
        return customer, False

    def new(self) -> Customer:
        rng = self.rng
        industry = weighted(rng, INDUSTRY_WEIGHTS)
        for _attempt in range(500):
            if industry == Industry.PUBLIC:
                name = rng.choice(words.TOWNS)
                if normalize_customer_name(name) in self.keys:
                    name = rng.choice(words.STEMS) + rng.choice(("市", "町"))
            elif industry in words.ENGLISH_FORMS and rng.random() < 0.1:
                name = rng.choice(words.ENGLISH_FORMS[industry]).format(s=rng.choice(words.ENGLISH_STEMS))
            else:
                name = rng.choice(words.NAME_FORMS[industry]).format(s=rng.choice(words.STEMS))
            if self.claim(name):
                break
        else:  # pragma: no cover - the pools hold thousands of names
            raise RuntimeError("Ran out of demo customer names.")
        number = self.corporate_number() if rng.random() < 0.12 else ""
        return Customer(name, industry, self.size(industry), number)

    def size(self, industry: str) -> str:
        return weighted(self.rng, SIZE_WEIGHTS.get(industry, SIZE_WEIGHTS[None]))

    def claim(self, name: str) -> bool:
        """Reserve a name's normalised key; False when a customer with that key exists."""
        key = normalize_customer_name(name)
        if key in self.keys:
            return False
        self.keys.add(key)
        return True

    def corporate_number(self) -> str:
        """A fresh 法人番号 with a valid check digit."""
        while True:
            base = "".join(str(self.rng.randint(0, 9)) for _ in range(12))
            number = f"{corporate_number_check_digit(base)}{base}"
            if number not in self.numbers:
                self.numbers.add(number)
                return number

    def amount(self, size: str, repeat: bool) -> int:
        """Yen, log-normal around the customer size's median: many small deals, a few large ones."""
        value = MEDIAN_AMOUNT[size] * math.exp(self.rng.gauss(0, 0.75)) * (0.6 if repeat else 1)
        step = 100_000 if value >= 10_000_000 else 10_000
        return max(MIN_AMOUNT, min(MAX_AMOUNT, round(value / step) * step))

    def title(self, customer: Customer, repeat: bool) -> str:
        common = words.TITLES_COMMON.get(self.vendor_slug) or sum(words.TITLES_COMMON.values(), ())
        pool = common if self.rng.random() < 0.6 else words.TITLES_BY_INDUSTRY[customer.industry]
        title = self.rng.choice(pool)
        return title + self.rng.choice(words.REPEAT_SUFFIXES) if repeat else title

    def reason(self) -> str:
        """One to three lines: the customer's problem, what the partner offers, why it will win."""
        lines = [
            self.rng.choice(words.REASON_PROBLEMS),
            self.rng.choice(words.REASON_OFFERS),
            self.rng.choice(words.REASON_PROOFS),
        ]
        return "\n".join(lines[: weighted(self.rng, {1: 15, 2: 45, 3: 40})])
