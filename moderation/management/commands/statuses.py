from django.core.management.base import BaseCommand

from moderation.operations import statuses_remove_remote

from ._console import all_or_nothing


class Command(BaseCommand):
    help = "Remote statuses kept in the database (tootctl statuses)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        remove = sub.add_parser(
            "remove",
            help="Delete remote statuses older than --days that no local bookmark, favourite, "
            "reply, boost, mention of a local account or report refers to.",
        )
        remove.add_argument("--days", type=int, default=90)
        remove.add_argument("--dry-run", action="store_true", help="Count, delete nothing.")

    def handle(self, *args, action, days, dry_run, **options):
        with all_or_nothing():
            removed = statuses_remove_remote(days=days, dry_run=dry_run)
        verb = "Would remove" if dry_run else "Removed"
        self.stdout.write(self.style.SUCCESS(f"{verb} {removed} remote statuses"))
