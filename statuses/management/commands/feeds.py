from django.core.management.base import BaseCommand, CommandError

from accounts.models import Account
from statuses.feeds import feed_rebuild, redis_client


class Command(BaseCommand):
    help = "Manage home feeds (tootctl feeds)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        build = sub.add_parser("build", help="Rebuild Redis home feeds from the database.")
        build.add_argument("--account", help="Only this local username.")
        sub.add_parser("clear", help="Empty every Redis home feed (then run feeds build).")

    def handle(self, *args, action, **options):
        if action == "build":
            self._build(options.get("account"))
        elif action == "clear":
            from moderation.operations import feeds_clear  # moderation's, as the other tootctl chores

            cleared = feeds_clear()
            self.stdout.write("No REDIS_URL: nothing to clear." if cleared is None
                              else f"Cleared {cleared} feeds.")

    def _build(self, username):
        accounts = Account.objects.local().not_suspended()
        if username:
            accounts = accounts.filter(username__iexact=username)
            if not accounts.exists():
                raise CommandError(f"No local account @{username}")
        if redis_client() is None:
            self.stdout.write("No REDIS_URL: home feeds are read from the database, nothing to build.")
            return
        total = built = 0
        for account in accounts.iterator():
            total += feed_rebuild(account=account)
            built += 1
        self.stdout.write(self.style.SUCCESS(f"Rebuilt {built} feeds ({total} entries)."))
