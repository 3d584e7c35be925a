import time

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from knowledge.jobs import kpis_full_recompute, kpis_nightly
from partners.models import Vendor
from prm.tenancy import vendor_scope


class Command(BaseCommand):
    help = (
        "Recompute the KPI snapshots (18 months, every granularity and group) of one or every active vendor, and "
        "prune their history."
    )

    def add_arguments(self, parser):
        parser.add_argument("--vendor", metavar="SLUG", help="Only this vendor (by its slug).")
        parser.add_argument(
            "--nightly",
            action="store_true",
            help="As the nightly job: only the periods whose figures can have changed since the last check.",
        )

    def handle(self, *args, vendor=None, nightly=False, **options):
        with scopes_disabled():
            vendors = Vendor.objects.order_by("slug")
            if vendor:
                vendors = list(vendors.filter(slug=vendor))
                if not vendors:
                    raise CommandError(f"No vendor with slug {vendor!r}.")
            else:
                vendors = list(vendors.filter(is_active=True))
        for one in vendors:
            started = time.monotonic()
            with vendor_scope(one):
                rows = kpis_nightly(vendor=one) if nightly else kpis_full_recompute(vendor=one)
            self.stdout.write(f"{one.slug}: {rows} KPI rows in {time.monotonic() - started:.2f} s")
