from datetime import timedelta

from django.core.management.base import BaseCommand

from moderation.blocks import ip_block_create, ip_block_remove
from moderation.models import IPBlock, IPBlockSeverity
from moderation.selectors import ip_blocks_export

from ._console import all_or_nothing


class Command(BaseCommand):
    help = "IP ranges refused at sign-up or altogether (tootctl ip_blocks)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Block addresses or CIDR ranges.")
        add.add_argument("ips", nargs="+")
        add.add_argument("--severity", choices=IPBlockSeverity.values, required=True)
        add.add_argument("--duration", type=int, help="Seconds until the block expires.")
        add.add_argument("--comment", default="")
        remove = sub.add_parser("remove")
        remove.add_argument("ips", nargs="+")
        export = sub.add_parser("export", help="Print the active blocks.")
        export.add_argument(
            "--format", choices=["plain", "nginx"], default="plain",
            help="plain: 'range severity' lines; nginx: 'deny range;' for no-access blocks.",
        )

    def handle(self, *args, action, **options):
        if action == "export":
            self._export(options["format"])
            return
        with all_or_nothing():
            for ip in options["ips"]:
                if action == "add":
                    duration = timedelta(seconds=options["duration"]) if options["duration"] else None
                    block = ip_block_create(
                        ip=ip, severity=options["severity"], by=None, comment=options["comment"],
                        duration=duration,
                    )
                    self.stdout.write(f"Added {block.ip} ({block.severity})")
                else:
                    ip_block_remove(ip=ip, by=None)
                    self.stdout.write(f"Removed {ip}")

    def _export(self, fmt: str) -> None:
        if fmt == "nginx":
            for block in IPBlock.objects.active().filter(severity=IPBlockSeverity.NO_ACCESS).order_by("ip"):
                self.stdout.write(f"deny {block.ip};")
            return
        for line in ip_blocks_export():
            self.stdout.write(line)
