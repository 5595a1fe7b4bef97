from django.core.management.base import BaseCommand

from moderation.blocks import email_domain_block_create, email_domain_block_remove
from moderation.models import EmailDomainBlock

from ._console import all_or_nothing


class Command(BaseCommand):
    help = "E-mail domains refused at sign-up (tootctl email_domain_blocks)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Refuse sign-ups from these e-mail domains and their subdomains.")
        add.add_argument("domains", nargs="+")
        add.add_argument("--with-approval", action="store_true", help="Allow them, with approval.")
        remove = sub.add_parser("remove")
        remove.add_argument("domains", nargs="+")
        sub.add_parser("list")

    def handle(self, *args, action, **options):
        if action == "list":
            for block in EmailDomainBlock.objects.order_by("domain"):
                suffix = " (with approval)" if block.allow_with_approval else ""
                self.stdout.write(f"{block.domain}{suffix}")
            return
        with all_or_nothing():
            for domain in options["domains"]:
                if action == "add":
                    block = email_domain_block_create(
                        domain=domain, by=None, allow_with_approval=options["with_approval"],
                    )
                    self.stdout.write(f"Added {block.domain}")
                else:
                    email_domain_block_remove(domain=domain, by=None)
                    self.stdout.write(f"Removed {domain}")
