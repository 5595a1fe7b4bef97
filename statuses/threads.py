"""Threads: which status started the thread a status belongs to (Mastodon's conversation),
and muting a thread's notifications. A thread is the chain of `in_reply_to` up to a status
that replies to nothing it knows of."""

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext_lazy

from accounts.models import Account
from config.errors import ApplicationError

from .models import ConversationMute, Status

# Far deeper than real threads; only a malformed remote chain (a cycle) ever reaches it.
THREAD_MAX_DEPTH = 1000


def thread_roots(status_ids) -> dict[int, int]:
    """{status id: id of its thread's first status}, in one recursive query."""
    ids = sorted({int(i) for i in status_ids})
    if not ids:
        return {}
    table = connection.ops.quote_name(Status._meta.db_table)
    placeholders = ", ".join(["%s"] * len(ids))
    sql = f"""
        WITH RECURSIVE chain(start_id, current_id, parent_id, depth) AS (
            SELECT id, id, in_reply_to_id, 0 FROM {table} WHERE id IN ({placeholders})
            UNION ALL
            SELECT chain.start_id, s.id, s.in_reply_to_id, chain.depth + 1
            FROM {table} s JOIN chain ON s.id = chain.parent_id
            WHERE chain.depth < %s
        )
        SELECT start_id, current_id, depth FROM chain
    """
    deepest: dict[int, tuple[int, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, THREAD_MAX_DEPTH])
        for start_id, current_id, depth in cursor.fetchall():
            if depth >= deepest.get(start_id, (-1, 0))[0]:
                deepest[start_id] = (depth, current_id)
    return {start_id: current_id for start_id, (_, current_id) in deepest.items()}


def thread_status_ids(root_id: int) -> set[int]:
    """Every status of the thread that `root_id` starts (replies of replies …), in one query."""
    table = connection.ops.quote_name(Status._meta.db_table)
    sql = f"""
        WITH RECURSIVE thread(id, depth) AS (
            SELECT id, 0 FROM {table} WHERE id = %s
            UNION ALL
            SELECT s.id, thread.depth + 1 FROM {table} s JOIN thread ON s.in_reply_to_id = thread.id
            WHERE thread.depth < %s
        )
        SELECT id FROM thread
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [int(root_id), THREAD_MAX_DEPTH])
        return {row[0] for row in cursor.fetchall()}


def thread_root(status: Status) -> int:
    if status.in_reply_to_id is None:
        return status.pk
    return thread_roots([status.pk]).get(status.pk, status.pk)


def muted_statuses(*, viewer: Account | None, status_ids) -> set[int]:
    """The ids among `status_ids` whose thread the viewer muted (no query for the many
    who never mute a thread beyond one EXISTS)."""
    if viewer is None or not status_ids:
        return set()
    mutes = ConversationMute.objects.filter(account=viewer)
    if not mutes.exists():
        return set()
    roots = thread_roots(status_ids)
    muted_roots = set(mutes.filter(root_id__in=set(roots.values())).values_list("root_id", flat=True))
    return {status_id for status_id, root in roots.items() if root in muted_roots}


def is_thread_muted(*, account: Account, status: Status) -> bool:
    return bool(muted_statuses(viewer=account, status_ids=[status.pk]))


class NotInThreadError(ApplicationError):
    default_message = gettext_lazy("You can only mute a conversation you take part in.")


def conversation_mute(*, account: Account, status: Status) -> None:
    """Stop notifications to `account` about the thread of `status` (which it may see), a
    thread it takes part in: it wrote or was mentioned in one of its statuses."""
    status = status.reblog if status.reblog_id else status
    root_id = thread_root(status)
    thread = Status.objects.filter(pk__in=thread_status_ids(root_id))
    if not thread.filter(Q(account=account) | Q(mentions__account=account)).exists():
        raise NotInThreadError()
    ConversationMute.objects.get_or_create(account=account, root_id=root_id)


def conversation_unmute(*, account: Account, status: Status) -> None:
    status = status.reblog if status.reblog_id else status
    ConversationMute.objects.filter(account=account, root_id=thread_root(status)).delete()
