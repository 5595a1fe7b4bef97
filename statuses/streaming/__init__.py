"""Mastodon's streaming API: events published on commit (events.py) through Redis pub/sub
or an in-process broadcaster (broker.py), served as Server-Sent Events (views.py)."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from statuses.models import StatusEdit


@receiver(post_save, sender=StatusEdit, dispatch_uid="streaming_status_edit")
def _on_status_edit(sender, instance: StatusEdit, created: bool, **kwargs) -> None:
    # Both edit paths (status_edit, status_update_remote) record the new version as a
    # StatusEdit dated `edited_at`; the snapshot of the original (dated `created_at`) is
    # not an edit. Stream after commit, never from inside the transaction.
    # TODO: an explicit on-commit call in statuses.services.status_edit would be plainer.
    if created and instance.created_at == instance.status.edited_at:
        from .events import stream_status_updated

        status_id = instance.status_id
        transaction.on_commit(lambda: stream_status_updated(status_id))
