from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from partners.archive import ArchiveError
from partners.archive.export import vendor_export
from partners.models import Vendor


class Command(BaseCommand):
    help = "Write all of one vendor's data (rows, its users, uploaded files) to a .tar.gz archive."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the vendor's URL name")
        parser.add_argument("--output", "-o", help="archive path (default: <slug>-<UTC time>.tar.gz here)")

    def handle(self, *args, slug, output, **options):
        vendor = Vendor.objects.filter(slug=slug).first()
        if vendor is None:
            raise CommandError(f"No vendor with the URL name {slug}.")
        path = Path(output or f"{slug}-{timezone.now():%Y%m%d-%H%M%S}.tar.gz")
        if path.exists():
            raise CommandError(f"{path} already exists; choose another --output.")
        try:
            manifest = vendor_export(vendor=vendor, path=path, progress=self.stdout.write)
        except (ArchiveError, OSError) as error:
            raise CommandError(str(error)) from None
        rows = sum(entry["rows"] for entry in manifest["models"].values())
        files = sum(1 for name in manifest["files"] if name.startswith("files/"))
        self.stdout.write(self.style.SUCCESS(f"Exported {vendor.slug}: {rows} rows, {files} files → {path}"))
