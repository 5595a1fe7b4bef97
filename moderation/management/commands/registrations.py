from django.core.management.base import BaseCommand

from accounts.models import RegistrationMode
from moderation.blocks import registrations_set

from ._console import all_or_nothing

MODES = {
    "open": RegistrationMode.OPEN,
    "approved": RegistrationMode.APPROVAL,
    "closed": RegistrationMode.CLOSED,
}


class Command(BaseCommand):
    help = "Open sign-ups, require approval, or close them (tootctl settings registrations)."

    def add_arguments(self, parser):
        parser.add_argument("mode", choices=list(MODES))

    def handle(self, *args, mode, **options):
        with all_or_nothing():
            registrations_set(mode=MODES[mode], by=None)
        self.stdout.write(f"Registrations: {mode}")
