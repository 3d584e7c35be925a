"""``manage.py seed_bulk --vendors N --partners-per-vendor N --deals N [--big-vendor-deals N]``: large synthetic
data for benchmarks."""

from django.core.management.base import BaseCommand, CommandError

from bench.seed import BulkSeedRefused, seed_bulk


class Command(BaseCommand):
    help = (
        "Load synthetic vendors, partners, users and deals with their history (MEDDIC elements, phase changes, "
        "champion log, support, audit trail) and scores for benchmarks (COPY on PostgreSQL). Only into an empty "
        "database or one it seeded before, which it tops up to --deals deals in all."
    )

    def add_arguments(self, parser):
        parser.add_argument("--vendors", type=int, default=50, help="Vendors (tenants); default 50.")
        parser.add_argument(
            "--partners-per-vendor", type=int, default=40, help="Partner companies per vendor; default 40."
        )
        parser.add_argument("--deals", type=int, default=1_000_000, help="Deals in all; default 1,000,000.")
        parser.add_argument(
            "--big-vendor-deals",
            type=int,
            default=0,
            help="Deals of the first vendor (bulk-001), out of --deals; the other vendors share the rest. "
            "Default 0: every vendor gets an even share.",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="Processes that generate the rows (0: this one). Default: one per processor for a large load.",
        )
        parser.add_argument("--seed", type=int, default=20260401, help="Seed of the random generator.")

    def handle(self, *args, vendors, partners_per_vendor, deals, big_vendor_deals, workers, seed, **options):
        try:
            report = seed_bulk(
                vendors=vendors,
                partners_per_vendor=partners_per_vendor,
                deals=deals,
                big_vendor_deals=big_vendor_deals,
                seed=seed,
                workers=workers,
                say=lambda line: self.stdout.write(f"  {line}") if options["verbosity"] > 0 else None,
            )
        except BulkSeedRefused as refused:
            raise CommandError(str(refused)) from refused
        self.stdout.write(
            f"{report.vendors} vendors, {report.partners} partners, {report.deals:,} deals "
            f"({report.deals_added:,} added) in {report.seconds:.1f} s"
        )
