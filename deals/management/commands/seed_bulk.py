"""``manage.py seed_bulk --vendors N --partners-per-vendor N --deals N``: large synthetic data for benchmarks."""

from django.core.management.base import BaseCommand, CommandError

from bench.seed import BulkSeedRefused, seed_bulk


class Command(BaseCommand):
    help = (
        "Load synthetic vendors, partners, users and deals with their scores for benchmarks (COPY on PostgreSQL). "
        "Only into an empty database or one it seeded before, which it tops up to --deals deals in all."
    )

    def add_arguments(self, parser):
        parser.add_argument("--vendors", type=int, default=50, help="Vendors (tenants); default 50.")
        parser.add_argument(
            "--partners-per-vendor", type=int, default=40, help="Partner companies per vendor; default 40."
        )
        parser.add_argument("--deals", type=int, default=1_000_000, help="Deals in all; default 1,000,000.")
        parser.add_argument("--seed", type=int, default=20260401, help="Seed of the random generator.")

    def handle(self, *args, vendors, partners_per_vendor, deals, seed, **options):
        try:
            report = seed_bulk(
                vendors=vendors,
                partners_per_vendor=partners_per_vendor,
                deals=deals,
                seed=seed,
                say=lambda line: self.stdout.write(f"  {line}") if options["verbosity"] > 0 else None,
            )
        except BulkSeedRefused as refused:
            raise CommandError(str(refused)) from refused
        self.stdout.write(
            f"{report.vendors} vendors, {report.partners} partners, {report.deals:,} deals "
            f"({report.deals_added:,} added) in {report.seconds:.1f} s"
        )
