from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Cached counters (tootctl cache)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("recount", help="Recompute cached counts (none are kept: says so).")

    def handle(self, *args, action, **options):
        # Pouet stores no counters (followers, statuses, favourites…): every count is a
        # query over the rows, so there is nothing to recompute. Kept for tootctl parity.
        self.stdout.write("Nothing to recount: Pouet keeps no cached counts, it counts the rows.")
