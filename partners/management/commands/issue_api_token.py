from django.core.management.base import BaseCommand, CommandError

from partners.models import User
from partners.services import api_token_issue


class Command(BaseCommand):
    help = "Print a new API token for a user (shown once; only its digest is stored)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user with email {email}.")
        self.stdout.write(api_token_issue(user=user))
