"""Received activities: stored once (unique on their id), processed by a task."""

from django.db import IntegrityError, transaction

from federation.models import InboxActivity


@transaction.atomic
def inbox_activity_receive(*, activity, signer) -> InboxActivity | None:
    """Store a verified activity and enqueue its processing on commit; None when the same
    activity id was already received (a duplicate delivery is a no-op)."""
    try:
        with transaction.atomic():
            row = InboxActivity.objects.create(
                activity_id=activity.id, type=activity.type[:64], signer=signer,
                payload=activity.raw,
            )
    except IntegrityError:
        return None
    from federation.tasks import process_inbox_activity

    transaction.on_commit(lambda: process_inbox_activity.send(row.pk))
    return row
