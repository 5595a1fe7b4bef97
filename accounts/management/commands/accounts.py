from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Account
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
        create.add_argument("--role", choices=["owner", "admin", "moderator"])
        create.add_argument(
            "--confirmed", action="store_true", help="Skip the e-mail confirmation.",
        )
        # Moderation's subcommands call moderation.services, as the admin pages do.
        modify = sub.add_parser("modify", help="Change a local account's role or state.")
        modify.add_argument("username")
        modify.add_argument("--role", choices=["owner", "admin", "moderator", "user"])
        modify.add_argument("--confirm", action="store_true", help="Mark the e-mail as confirmed.")
        modify.add_argument("--approve", action="store_true", help="Approve a pending sign-up.")
        state = modify.add_mutually_exclusive_group()
        state.add_argument("--disable", action="store_true", help="Freeze: the user cannot log in.")
        state.add_argument("--enable", action="store_true", help="Unfreeze.")
        approve = sub.add_parser("approve", help="Approve pending sign-ups.")
        approve.add_argument("usernames", nargs="*")
        approve.add_argument(
            "--all", dest="approve_all", action="store_true", help="Approve every pending sign-up.",
        )
        for name, text in (
            ("suspend", "Suspend accounts (data kept 30 days, then erased)."),
            ("unsuspend", "Lift suspensions while the data is kept."),
            ("delete", "Suspend and erase accounts now."),
        ):
            parser_ = sub.add_parser(name, help=text)
            parser_.add_argument("accts", nargs="+", help="username, or username@domain for remote ones")
            parser_.add_argument("--reason", default="")
            if name == "delete":
                parser_.add_argument("--dry-run", action="store_true", help="Say what would be erased.")
        rotate = sub.add_parser("rotate-keys", help="Give local accounts a new signing key pair.")
        rotate.add_argument("username", nargs="?")
        rotate.add_argument("--all", dest="rotate_all", action="store_true", help="Every local account.")
        cull = sub.add_parser(
            "cull", help="Delete remote accounts whose server answers 404 or 410 (unreachable: kept).",
        )
        cull.add_argument("--dry-run", action="store_true", help="Ask the servers, delete nothing.")

    def handle(self, *args, action, **options):
        if action == "create":
            self._create(**options)
            return
        try:
            with transaction.atomic():
                getattr(self, f"_{action.replace('-', '_')}")(**options)
        except ApplicationError as error:
            raise CommandError(error.message) from None

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

    @staticmethod
    def _account(acct: str) -> Account:
        username, _at, domain = acct.lstrip("@").partition("@")
        accounts = Account.objects.select_related("user").filter(username__iexact=username)
        account = (accounts.filter(domain__iexact=domain) if domain else accounts.local()).first()
        if account is None:
            raise CommandError(f"No account @{acct}.")
        return account

    def _local_user(self, username: str):
        account = self._account(username)
        if account.user is None:
            raise CommandError(f"@{username} is not a local account with a login.")
        return account

    def _modify(self, *, username, role, confirm, approve, disable, enable, **_options):
        from accounts.mail import confirmation_token
        from accounts.services import email_confirm
        from moderation.services import account_action, account_unfreeze, signup_approve, user_role_change

        account = self._local_user(username)
        if role:
            user_role_change(user=account.user, role=None if role == "user" else role, by=None)
        if confirm:
            email_confirm(token=confirmation_token(account.user))
        if approve:
            signup_approve(user=account.user, by=None)
        if disable:
            account_action(account=account, action="freeze", by=None)
        if enable:
            account_unfreeze(account=account, by=None)
        self.stdout.write(f"Modified @{account.username}")

    def _approve(self, *, usernames, approve_all, **_options):
        from accounts.models import User
        from moderation.services import signup_approve

        if not usernames and not approve_all:
            raise CommandError("Name the accounts to approve, or use --all.")
        users = (
            list(User.objects.filter(approved=False, is_active=True)) if approve_all
            else [self._local_user(name).user for name in usernames]
        )
        for user in users:
            signup_approve(user=user, by=None)
            self.stdout.write(f"Approved @{user.username}")

    def _suspend(self, *, accts, reason, **_options):
        from moderation.services import account_action

        for acct in accts:
            account_action(account=self._account(acct), action="suspend", by=None, reason=reason)
            self.stdout.write(f"Suspended @{acct}")

    def _unsuspend(self, *, accts, reason, **_options):
        from moderation.services import account_unsuspend

        for acct in accts:
            account_unsuspend(account=self._account(acct), by=None, reason=reason)
            self.stdout.write(f"Unsuspended @{acct}")

    def _delete(self, *, accts, reason, dry_run, **_options):
        from moderation.services import account_delete

        accounts = [self._account(acct) for acct in accts]
        for account in accounts:
            if dry_run:
                self.stdout.write(f"Would erase @{account.acct} and its {account.statuses.count()} posts")
            else:
                account_delete(account=account, by=None, reason=reason)
                self.stdout.write(f"Deleted @{account.acct}")

    def _rotate_keys(self, *, username, rotate_all, **_options):
        from moderation.operations import account_keys_rotate

        if bool(username) == bool(rotate_all):
            raise CommandError("Name one local account, or use --all.")
        accounts = (
            Account.objects.local().not_suspended().order_by("pk") if rotate_all
            else [self._account(username)]
        )
        count = 0
        for account in accounts:
            account_keys_rotate(account=account)
            count += 1
        self.stdout.write(self.style.SUCCESS(f"Rotated the keys of {count} accounts"))

    def _cull(self, *, dry_run, **_options):
        from moderation.operations import accounts_cull

        def progress(account, gone):
            verdict = {True: "gone", False: "present", None: "no answer, kept"}[gone]
            self.stdout.write(f"@{account.acct}: {verdict}")

        culled = accounts_cull(dry_run=dry_run, progress=progress)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(self.style.SUCCESS(f"{verb} {len(culled)} remote accounts"))
