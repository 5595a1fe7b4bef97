from django.core.management.base import BaseCommand

from moderation.operations import media_remove_cached, media_usage

from ._console import all_or_nothing


def _human(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TB"


class Command(BaseCommand):
    help = "Stored media files (tootctl media)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        remove = sub.add_parser("remove", help="Delete cached copies of remote media older than --days.")
        remove.add_argument("--days", type=int, default=7)
        remove.add_argument("--dry-run", action="store_true", help="Count, delete nothing.")
        sub.add_parser("usage", help="Files and bytes stored, by kind.")

    def handle(self, *args, action, **options):
        if action == "usage":
            for name, (files, size) in media_usage().items():
                self.stdout.write(f"{name}: {files} files, {_human(size)}")
            return
        with all_or_nothing():
            files, size = media_remove_cached(days=options["days"], dry_run=options["dry_run"])
        verb = "Would remove" if options["dry_run"] else "Removed"
        self.stdout.write(self.style.SUCCESS(f"{verb} {files} cached files ({_human(size)})"))
