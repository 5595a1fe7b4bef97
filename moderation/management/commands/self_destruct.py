from django.core.management.base import BaseCommand, CommandError

from moderation.operations import known_inboxes, server_self_destruct


class Command(BaseCommand):
    help = (
        "Leave the fediverse for good (tootctl self-destruct): send a Delete of every local "
        "account to every known server, then answer 410 Gone to every request but the actor "
        "documents and WebFinger. Keep the workers running until the deliveries are sent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--yes-i-am-sure", action="store_true", dest="sure",
            help="Required: there is no way back from this.",
        )

    def handle(self, *args, sure, **options):
        if not sure:
            raise CommandError(
                "This tells every known server that all local accounts are gone and stops "
                f"serving ({len(known_inboxes())} servers would be told). It cannot be undone; "
                "run again with --yes-i-am-sure."
            )

        def progress(count):
            if count % 100 == 0:
                self.stdout.write(f"  {count} accounts…")

        row = server_self_destruct(progress=progress)
        self.stdout.write(self.style.WARNING(
            f"Self-destructed: {row.actors} accounts, {row.deliveries} deliveries queued. "
            "The server now answers 410 Gone; keep the workers running until "
            "the deliveries are done."
        ))
