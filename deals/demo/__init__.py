"""Demo deals for ``manage.py seed_demo`` (DESIGN §8): about 400 deals over the last 18 months.

Every phase and registration status; realistic MEDDIC states (well-qualified deals and weak ones, champions
who go quiet, ringi routes R1–R8); the history later analyses read (phase changes, element changes in the
audit trail, workflow events, champion logs, registration protection and its expiry); and a few registration
conflicts. Wins follow strong champions and economic-buyer access as of entering the proposal phase, losses
their absence.

- ``words``: the Japanese vocabulary; ``customers``: names, corporate numbers, amounts, titles, reasons;
- ``stories``: MEDDIC states over a deal's life; ``champions``: the champion log;
- ``plan``: phases, dates, workflow, conflicts; ``write``: ``bulk_create`` of everything with its backdated
  audit trail.

Demo data bypasses the services so that history can be backdated. The random generator has a fixed seed (the
same day gives the same data), and a vendor that already has deals is left alone, so seeding twice adds
nothing. Call inside the vendor's scope (``prm.tenancy.vendor_scope``).
"""

import random

from deals.demo.plan import Planner
from deals.demo.write import write
from deals.models import Deal
from partners.models import Vendor

SEED = 20260401


def demo_deals_seed(*, vendor: Vendor, count: int = 400, seed: int = SEED) -> int:
    """Create about ``count`` demo deals for ``vendor`` unless it has deals already; returns how many."""
    if Deal.objects.exists():
        return 0
    planner = Planner(vendor, random.Random(f"{seed}:{vendor.slug}"))  # noqa: S311  (demo data, not secrets)
    plans, conflicts = planner.plan_all(count)
    write(vendor, plans, conflicts)
    return len(plans)
