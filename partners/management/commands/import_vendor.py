from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from partners.archive import ArchiveError
from partners.archive.restore import vendor_import


class Command(BaseCommand):
    help = (
        "Restore a vendor from an export_vendor archive into a database without it (one transaction; "
        "users whose email exists are linked to the existing account)."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="path of the .tar.gz written by export_vendor")
        parser.add_argument("--slug", help="restore under this URL name instead of the archived one")

    def handle(self, *args, archive, slug, **options):
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        try:
            vendor = vendor_import(path=path, slug=slug, progress=self.stdout.write)
        except ArchiveError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Restored vendor {vendor.slug} ({vendor.name}) from {path}"))
