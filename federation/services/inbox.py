"""Received activities: stored once (unique on their id), processed by a task."""

from django.db import connection, transaction
from django.utils import timezone

from federation.models import InboxActivity


def inbox_activity_receive(*, activity, signer) -> int | None:
    """Store a verified activity and enqueue its processing on commit; returns the row's id,
    or None when the same activity id was already received (a duplicate is a no-op).
    One statement (INSERT … ON CONFLICT DO NOTHING), no transaction of its own: this is the
    inbox's hot path."""
    now = timezone.now()
    row_id = _insert_pending(activity_id=activity.id, type=activity.type[:64], signer_id=signer.pk,
                             payload=activity.raw, now=now)
    if row_id is None:
        return None
    from federation.tasks import process_inbox_activity

    transaction.on_commit(lambda: process_inbox_activity.send(row_id))
    return row_id


def _insert_pending(*, activity_id: str, type: str, signer_id: int, payload: dict, now) -> int | None:
    meta = InboxActivity._meta
    values = {
        "activity_id": activity_id, "type": type, "signer": signer_id, "payload": payload,
        "state": InboxActivity.State.PENDING, "attempts": 0, "error": "",
        "received_at": now, "updated_at": now,
    }
    fields = [meta.get_field(name) for name in values]
    quote = connection.ops.quote_name
    unique, pk = quote(meta.get_field("activity_id").column), quote(meta.pk.column)
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT ({unique}) DO NOTHING RETURNING {pk}"
    )
    params = [f.get_db_prep_save(values[name], connection) for name, f in zip(values, fields, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    return found[0] if found else None
