from django.core.management.base import BaseCommand

from moderation.blocks import domain_block_create, domain_block_remove
from moderation.models import DomainBlockSeverity
from moderation.operations import domain_purge

from ._console import all_or_nothing


class Command(BaseCommand):
    help = "Block and unblock remote domains (tootctl domains)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        block = sub.add_parser("block", help="Block domains (and their subdomains), or change a block.")
        block.add_argument("domains", nargs="+")
        block.add_argument(
            "--severity", choices=DomainBlockSeverity.values, default=DomainBlockSeverity.SUSPEND,
        )
        block.add_argument("--reject-media", action="store_true")
        block.add_argument("--reject-reports", action="store_true")
        block.add_argument("--private-comment", default="")
        block.add_argument("--public-comment", default="")
        block.add_argument("--obfuscate", action="store_true", help="Star part of the name on /about.")
        unblock = sub.add_parser("unblock", help="Lift blocks and what they imposed.")
        unblock.add_argument("domains", nargs="+")
        purge = sub.add_parser(
            "purge", help="Delete the remote accounts of these domains and all they posted (no block).",
        )
        purge.add_argument("domains", nargs="+")
        purge.add_argument("--dry-run", action="store_true", help="Count, delete nothing.")

    def handle(self, *args, action, domains, **options):
        with all_or_nothing():
            for domain in domains:
                if action == "block":
                    block = domain_block_create(
                        domain=domain, by=None, severity=options["severity"],
                        reject_media=options["reject_media"], reject_reports=options["reject_reports"],
                        private_comment=options["private_comment"], public_comment=options["public_comment"],
                        obfuscate=options["obfuscate"],
                    )
                    self.stdout.write(f"Blocked {block.domain} ({block.severity})")
                elif action == "purge":
                    accounts, statuses = domain_purge(domain=domain, dry_run=options["dry_run"])
                    verb = "Would delete" if options["dry_run"] else "Deleted"
                    self.stdout.write(f"{verb} {accounts} accounts and {statuses} statuses of {domain}")
                else:
                    domain_block_remove(domain=domain, by=None)
                    self.stdout.write(f"Unblocked {domain}")
