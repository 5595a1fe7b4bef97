"""manage.py deliveries sweep | stats: the durable federation work, seen by an operator."""

from django.core.management.base import BaseCommand
from django.db.models import Count

from federation.models import Delivery, InboxActivity
from federation.services.delivery import deliveries_sweep


class Command(BaseCommand):
    help = (
        "sweep: re-enqueue deliveries and received activities whose task message was lost "
        "(pending past their time, or claimed by a worker that died); run it from cron. "
        "stats: count rows by state."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["sweep", "stats"])

    def handle(self, *args, action, **options):
        if action == "sweep":
            result = deliveries_sweep()
            self.stdout.write(
                f"re-enqueued {result['deliveries']} deliveries and {result['activities']} received "
                f"activities; {result['reset']} stuck deliveries reset"
            )
            return
        for model in (Delivery, InboxActivity):
            counts = dict(model.objects.values_list("state").annotate(n=Count("pk")))
            line = ", ".join(f"{state}: {n}" for state, n in sorted(counts.items())) or "none"
            self.stdout.write(f"{model._meta.verbose_name_plural}: {line}")
