from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from partners.services import vendor_create


class Command(BaseCommand):
    help = "Create a vendor (tenant) with its first vendor admin."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="URL name, e.g. acme → /v/acme/")
        parser.add_argument("--name", required=True)
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-password", required=True)

    def handle(self, *args, slug, name, admin_email, admin_password, **options):
        try:
            vendor = vendor_create(
                slug=slug, name=name, admin_email=admin_email, admin_password=admin_password
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(f"Created vendor {vendor.slug} ({vendor.name}); admin {admin_email}")
        )
