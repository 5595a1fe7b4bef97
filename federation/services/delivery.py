"""Outbound deliveries: one row per (activity, inbox), claimed, signed, POSTed, retried
with backoff by dramatiq, marked failed when the answer is final. Remote servers that
fail for days are marked unavailable and skipped until they send us something."""

import json
import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Account
from federation import http, sending
from federation.activitypub.common import host_of
from federation.memo import ExpiringLRU
from federation.models import Delivery, InboxActivity, Instance
from federation.services.actors import domain_is_blocked, signing_identity

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 15  # the first try and 14 dramatiq retries: about two days
UNAVAILABLE_AFTER = timedelta(days=3)
STUCK_AFTER = timedelta(minutes=15)
# Mirrors the dramatiq actor's backoff; only the sweep reads it.
MIN_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=8)


class DeliveryRetryError(Exception):
    """A transient failure: raised so dramatiq retries the delivery later."""


# What `inboxes_for` reads of an account.
INBOX_FIELDS = ("id", "domain", "suspended_at", "shared_inbox_url", "inbox_url")


def inboxes_for(accounts: Iterable[Account]) -> set[str]:
    """Where to deliver to these accounts: the shared inbox when they have one, so a
    server with many recipients gets one POST."""
    inboxes = set()
    for account in accounts:
        if account.is_local or account.is_suspended:
            continue
        inbox = account.shared_inbox_url or account.inbox_url
        if inbox:
            inboxes.add(inbox)
    return inboxes


@transaction.atomic
def deliveries_create(*, activity: dict, signer: Account | None, inboxes: Iterable[str]) -> int:
    """One pending Delivery per distinct inbox (existing rows are kept: idempotent), sent
    DELIVERY_BATCH at a time by tasks enqueued on commit. Unavailable and blocked servers
    are skipped."""
    host_by_inbox = {i: host_of(i) for i in inboxes if i}
    if not host_by_inbox:
        return 0
    hosts = set(host_by_inbox.values())
    unavailable = Instance.objects.filter(domain__in=hosts, unavailable=True)
    skipped = set(unavailable.values_list("domain", flat=True))
    skipped |= {host for host in hosts if domain_is_blocked(host)}
    wanted = {i for i, host in host_by_inbox.items() if host not in skipped}
    if connection.vendor == "postgresql":
        _insert_pending_postgresql(activity=activity, signer=signer, inboxes=sorted(wanted))
    else:
        Delivery.objects.bulk_create(
            [Delivery(activity_id=activity["id"], activity=activity, inbox_url=inbox, signer=signer)
             for inbox in sorted(wanted)],
            ignore_conflicts=True,
        )
    pending = Delivery.objects.filter(activity_id=activity["id"], state=Delivery.State.PENDING)
    pks = [pk for pk, inbox in sorted(pending.values_list("pk", "inbox_url"), key=lambda row: row[1])
           if inbox in wanted]
    for batch in _batches(pks):
        transaction.on_commit(lambda batch=batch: _enqueue(batch))
    return len(pks)


# Deliveries per `deliver` message. Rows are sorted by inbox, so a batch holds neighbours:
# one host's failures stay together and rest its breaker (federation.sending).
DELIVERY_BATCH = 20


def _batches(pks: list[int]) -> list[list[int]]:
    return [pks[start:start + DELIVERY_BATCH] for start in range(0, len(pks), DELIVERY_BATCH)]


def _enqueue(batch: list[int]) -> None:
    from federation.tasks import deliver

    deliver.send(*batch)


def _insert_pending_postgresql(*, activity: dict, signer: Account | None, inboxes: list[str]) -> None:
    """The rows of one activity in one statement that carries its document once (a post to
    a thousand servers: ORM's bulk_create would encode and send it a thousand times)."""
    meta, quote = Delivery._meta, connection.ops.quote_name
    now = meta.get_field("created_at").get_db_prep_save(timezone.now(), connection)
    columns = ["activity_id", "activity", "signer", "state", "attempts", "next_attempt_at", "last_error",
               "created_at", "updated_at", "inbox_url"]
    values = [activity["id"], meta.get_field("activity").get_db_prep_save(activity, connection),
              signer.pk if signer else None, Delivery.State.PENDING, 0, now, "", now, now]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} "
            f"({', '.join(quote(meta.get_field(c).column) for c in columns)}) "
            f"SELECT {', '.join(['%s'] * len(values))}, inbox FROM unnest(%s::text[]) AS inbox "
            "ON CONFLICT DO NOTHING",
            [*values, inboxes],
        )


def _backoff(attempts: int) -> timedelta:
    return min(MIN_BACKOFF * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _is_permanent(status: int) -> bool:
    return 400 <= status < 500 and status not in (401, 408, 429)


@dataclass(frozen=True)
class _Claimed:
    pk: int
    activity_id: str
    inbox_url: str
    signer_id: int | None
    attempts: int


def delivery_attempt(*, delivery_id: int) -> str:
    """Send one delivery: "done", "failed" (final), "retry" (transient: the task raises so
    dramatiq retries), "skipped" (not pending: done already, or another worker holds it), or
    "handed over" (a slow server: the POST goes on in the background and its outcome is
    recorded there, a transient failure re-enqueued with the same backoff)."""
    return deliveries_attempt(delivery_ids=[delivery_id])[delivery_id]


def deliveries_attempt(*, delivery_ids: list[int]) -> dict[int, str]:
    """Send a batch: each delivery's outcome as `delivery_attempt` says. The POSTs go out
    together, so a slow server holds none of its batch's healthy ones."""
    outcomes, sendable = {}, []
    for delivery_id in delivery_ids:
        claimed = _claim(delivery_id)
        if claimed is None:
            outcomes[delivery_id] = "skipped"
            continue
        host = host_of(claimed.inbox_url)
        if not sending.breaker.allows(host):
            outcomes[delivery_id] = _record(
                claimed, None, http.RemoteFetchError(f"{host} failed repeatedly; resting."),
            )
            continue
        sendable.append(claimed)
    exchanges = [(_exchange(claimed), partial(_settle, claimed)) for claimed in sendable]
    for claimed, outcome in zip(sendable, sending.send_together(exchanges), strict=True):
        outcomes[claimed.pk] = "handed over" if outcome is None else outcome
    return outcomes


def _exchange(claimed: _Claimed) -> Callable[[], http.Response]:
    """The POST, for an I/O thread: what it needs from the database is read here."""
    body, sign_with = _body(claimed), _signing_identity(claimed.signer_id)

    def exchange() -> http.Response:
        return http.request(
            "POST", claimed.inbox_url, body=body,
            headers={"Content-Type": "application/activity+json", "Accept": http.ACCEPT_ACTIVITY},
            sign_with=sign_with, follow_redirects=False,
        )

    return exchange


def _claim(delivery_id: int) -> _Claimed | None:
    """The conditional UPDATE that makes this worker the only sender, returning what the
    POST needs: one statement."""
    table, quote = Delivery._meta.db_table, connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(table)} SET state = %s, attempts = attempts + 1, updated_at = %s "
            f"WHERE id = %s AND state = %s RETURNING id, activity_id, inbox_url, signer_id, attempts",
            [Delivery.State.SENDING, Delivery._meta.get_field("updated_at").get_db_prep_save(
                timezone.now(), connection), delivery_id, Delivery.State.PENDING],
        )
        row = cursor.fetchone()
    return _Claimed(*row) if row else None


# Per process: an activity's body, encoded once for all its inboxes (rows of one activity
# hold the same document), and each signer's key (a local account's key pair does not change
# under a delivery; the instance actor's never).
_bodies = ExpiringLRU(maxsize=64, ttl=600)
_signers = ExpiringLRU(maxsize=1024, ttl=600)


def _body(claimed: _Claimed) -> bytes:
    body = _bodies.get(claimed.activity_id)
    if body is None:
        activity = Delivery.objects.values_list("activity", flat=True).get(pk=claimed.pk)
        body = json.dumps(activity).encode()
        _bodies.put(claimed.activity_id, body)
    return body


def _signing_identity(signer_id: int | None) -> tuple[str, str]:
    identity = _signers.get(signer_id)
    if identity is None:
        account = None if signer_id is None else Account.objects.get(pk=signer_id)
        identity = signing_identity(account)
        _signers.put(signer_id, identity)
    return identity


def _settle(claimed: _Claimed, future: Future) -> str:
    error = future.exception()
    return _record(claimed, None if error else future.result(), error)


def _record(claimed: _Claimed, response: http.Response | None, error: BaseException | None) -> str:
    """Write the outcome of one POST (in the task's thread, or the settler's when handed
    over); a transient failure of a handed-over POST is re-enqueued here with the backoff
    dramatiq would have used."""
    host = host_of(claimed.inbox_url)
    status, transient = None, True
    if error is not None:
        if not isinstance(error, http.RemoteFetchError):
            raise error
        message, transient = error.message, error.transient
    elif response.ok:
        sending.breaker.succeeded(host)
        _finish(claimed.pk, Delivery.State.DONE, response.status, "")
        _instance_answered(host)
        return "done"
    else:
        status = response.status
        transient = not _is_permanent(status)
        message = f"HTTP {status}: {response.body[:200].decode(errors='replace')}"
    if transient:
        sending.breaker.failed(host)
    if not transient or claimed.attempts >= MAX_ATTEMPTS:
        _finish(claimed.pk, Delivery.State.FAILED, status, message)
        if transient:
            _instance_failed(host)
        return "failed"
    backoff = _backoff(claimed.attempts)
    Delivery.objects.filter(pk=claimed.pk).update(
        state=Delivery.State.PENDING, last_status=status, last_error=message[:2000],
        next_attempt_at=timezone.now() + backoff, updated_at=timezone.now(),
    )
    _instance_failed(host)
    logger.info("delivery %s to %s will be retried: %s", claimed.pk, claimed.inbox_url, message)
    if threading.current_thread().name == sending.SETTLER_NAME:
        from federation.tasks import deliver

        deliver.send_with_options(args=(claimed.pk,), delay=int(backoff.total_seconds() * 1000))
    return "retry"


def _finish(delivery_id: int, state: str, status: int | None, error: str) -> None:
    Delivery.objects.filter(pk=delivery_id).update(
        state=state, last_status=status, last_error=error[:2000], updated_at=timezone.now(),
    )


# Hosts known to be in good standing (no failure recorded): a success there writes nothing
# more. Another process may record a failure meanwhile; this one then clears it on its
# first success after the entry expires, HEALTHY_TTL at most later.
HEALTHY_TTL = 60
_healthy_hosts = ExpiringLRU(maxsize=8192, ttl=HEALTHY_TTL)


def _instance_answered(host: str) -> None:
    if _healthy_hosts.get(host):
        return
    Instance.objects.filter(domain=host).exclude(
        failing_since=None, unavailable=False,
    ).update(failing_since=None, unavailable=False, last_success_at=timezone.now())
    _healthy_hosts.put(host, True)


def _instance_failed(host: str) -> None:
    _healthy_hosts.forget(host)
    now = timezone.now()
    instance, _created = Instance.objects.get_or_create(domain=host)
    if instance.failing_since is None:
        Instance.objects.filter(pk=instance.pk, failing_since=None).update(failing_since=now)
    elif not instance.unavailable and instance.failing_since < now - UNAVAILABLE_AFTER:
        Instance.objects.filter(pk=instance.pk).update(unavailable=True)


# Servers heard from lately in this process: the next activity of theirs writes nothing
# (the inbox worker calls this for every activity). One marked unavailable meanwhile by a
# delivery worker is marked back within HEALTHY_TTL.
_heard_from = ExpiringLRU(maxsize=8192, ttl=HEALTHY_TTL)


def instance_heard_from(domain: str) -> None:
    """A server that sends us something is up: deliver to it again."""
    domain = domain.lower()
    if _heard_from.get(domain):
        return
    Instance.objects.filter(domain=domain, unavailable=True).update(
        unavailable=False, failing_since=None,
    )
    _heard_from.put(domain, True)


def deliveries_sweep(*, now=None) -> dict:
    """Re-enqueue work whose message was lost: deliveries and received activities left
    pending past their time, or claimed by a worker that died."""
    from federation.tasks import process_inbox_activity

    now = now or timezone.now()
    reset = Delivery.objects.filter(
        state=Delivery.State.SENDING, updated_at__lt=now - STUCK_AFTER,
    ).update(state=Delivery.State.PENDING, updated_at=now)
    due = list(Delivery.objects.filter(
        state=Delivery.State.PENDING, next_attempt_at__lt=now - timedelta(minutes=5),
    ).values_list("pk", flat=True)[:10_000])
    for batch in _batches(due):
        _enqueue(batch)
    InboxActivity.objects.filter(
        state=InboxActivity.State.PROCESSING, updated_at__lt=now - STUCK_AFTER,
    ).update(state=InboxActivity.State.PENDING, updated_at=now)
    received = list(InboxActivity.objects.filter(
        state=InboxActivity.State.PENDING, updated_at__lt=now - timedelta(minutes=5),
    ).values_list("pk", flat=True)[:10_000])
    for pk in received:
        process_inbox_activity.send(pk)
    return {"reset": reset, "deliveries": len(due), "activities": len(received)}
