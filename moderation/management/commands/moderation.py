from django.core.management.base import BaseCommand

from moderation.services import moderation_sweep


class Command(BaseCommand):
    help = "Moderation housekeeping; run `sweep` every few minutes (cron or a systemd timer)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "sweep",
            help="Lift timed limits and freezes, erase accounts suspended 30 days ago, drop "
            "expired IP blocks, switch unwatched open sign-ups to approval, publish overdue "
            "scheduled posts, queue a refill of the pool of key pairs for new accounts.",
        )

    def handle(self, *args, action, **options):
        done = moderation_sweep()
        self.stdout.write(", ".join(f"{key}: {value}" for key, value in done.items()))
