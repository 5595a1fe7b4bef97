from django.core.management.base import BaseCommand, CommandError

from accounts.services import account_create_local
from config.errors import ApplicationError


class Command(BaseCommand):
    help = "Manage local accounts (tootctl accounts)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a local account.")
        create.add_argument("username")
        create.add_argument("--email", required=True)
        create.add_argument("--password", required=True)
        create.add_argument("--role", choices=["admin", "moderator"])
        create.add_argument(
            "--confirmed", action="store_true", help="Skip the e-mail confirmation.",
        )

    def handle(self, *args, action, **options):
        if action == "create":
            self._create(**options)

    def _create(self, *, username, email, password, role, confirmed, **_options):
        try:
            # Operators may take names that visitors cannot (e.g. "admin").
            account = account_create_local(
                username=username, email=email, password=password, role=role,
                confirmed=confirmed, allow_reserved=True,
            )
        except ApplicationError as error:
            raise CommandError(error.message) from None
        self.stdout.write(self.style.SUCCESS(f"Created @{account.username} <{email}>"))
