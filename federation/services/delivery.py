"""Outbound deliveries: one row per (activity, inbox), claimed, signed, POSTed, retried
with backoff by dramatiq, marked failed when the answer is final. Remote servers that
fail for days are marked unavailable and skipped until they send us something."""

import json
import logging
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Account
from federation import http
from federation.activitypub.common import host_of
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
    """One pending Delivery per distinct inbox (existing rows are kept: idempotent), each
    sent by a task enqueued on commit. Unavailable and blocked servers are skipped."""
    wanted = {i for i in inboxes if i}
    if not wanted:
        return 0
    hosts = {host_of(i) for i in wanted}
    unavailable = Instance.objects.filter(domain__in=hosts, unavailable=True)
    skipped = set(unavailable.values_list("domain", flat=True))
    skipped |= {host for host in hosts if domain_is_blocked(host)}
    wanted = {i for i in wanted if host_of(i) not in skipped}
    Delivery.objects.bulk_create(
        [Delivery(activity_id=activity["id"], activity=activity, inbox_url=inbox, signer=signer)
         for inbox in sorted(wanted)],
        ignore_conflicts=True,
    )
    pks = list(Delivery.objects.filter(
        activity_id=activity["id"], inbox_url__in=wanted, state=Delivery.State.PENDING,
    ).values_list("pk", flat=True))
    from federation.tasks import deliver

    for pk in pks:
        transaction.on_commit(lambda pk=pk: deliver.send(pk))
    return len(pks)


def _backoff(attempts: int) -> timedelta:
    return min(MIN_BACKOFF * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _is_permanent(status: int) -> bool:
    return 400 <= status < 500 and status not in (401, 408, 429)


def delivery_attempt(*, delivery_id: int) -> str:
    """Send one delivery: "done", "failed" (final), "retry" (transient) or "skipped" (not
    pending: done already, or another worker holds it)."""
    now = timezone.now()
    claimed = Delivery.objects.filter(pk=delivery_id, state=Delivery.State.PENDING).update(
        state=Delivery.State.SENDING, attempts=F("attempts") + 1, updated_at=now,
    )
    if not claimed:
        return "skipped"
    delivery = Delivery.objects.select_related("signer").get(pk=delivery_id)
    status, error, transient = None, "", True
    try:
        response = http.request(
            "POST", delivery.inbox_url, body=json.dumps(delivery.activity).encode(),
            headers={"Content-Type": "application/activity+json", "Accept": http.ACCEPT_ACTIVITY},
            sign_with=signing_identity(delivery.signer), follow_redirects=False,
        )
        status = response.status
        if response.ok:
            _finish(delivery, Delivery.State.DONE, status, "")
            _instance_answered(delivery.inbox_url)
            return "done"
        transient = not _is_permanent(status)
        error = f"HTTP {status}: {response.body[:200].decode(errors='replace')}"
    except http.RemoteFetchError as failure:
        error, transient = failure.message, failure.transient
    if not transient or delivery.attempts >= MAX_ATTEMPTS:
        _finish(delivery, Delivery.State.FAILED, status, error)
        if transient:
            _instance_failed(delivery.inbox_url)
        return "failed"
    Delivery.objects.filter(pk=delivery.pk).update(
        state=Delivery.State.PENDING, last_status=status, last_error=error[:2000],
        next_attempt_at=timezone.now() + _backoff(delivery.attempts), updated_at=timezone.now(),
    )
    _instance_failed(delivery.inbox_url)
    logger.info("delivery %s to %s will be retried: %s", delivery.pk, delivery.inbox_url, error)
    return "retry"


def _finish(delivery: Delivery, state: str, status: int | None, error: str) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        state=state, last_status=status, last_error=error[:2000], updated_at=timezone.now(),
    )


def _instance_answered(inbox_url: str) -> None:
    Instance.objects.filter(domain=host_of(inbox_url)).exclude(
        failing_since=None, unavailable=False,
    ).update(failing_since=None, unavailable=False, last_success_at=timezone.now())


def _instance_failed(inbox_url: str) -> None:
    now = timezone.now()
    instance, _created = Instance.objects.get_or_create(domain=host_of(inbox_url))
    if instance.failing_since is None:
        Instance.objects.filter(pk=instance.pk, failing_since=None).update(failing_since=now)
    elif not instance.unavailable and instance.failing_since < now - UNAVAILABLE_AFTER:
        Instance.objects.filter(pk=instance.pk).update(unavailable=True)


def instance_heard_from(domain: str) -> None:
    """A server that sends us something is up: deliver to it again."""
    Instance.objects.filter(domain=domain.lower(), unavailable=True).update(
        unavailable=False, failing_since=None,
    )


def deliveries_sweep(*, now=None) -> dict:
    """Re-enqueue work whose message was lost: deliveries and received activities left
    pending past their time, or claimed by a worker that died."""
    from federation.tasks import deliver, process_inbox_activity

    now = now or timezone.now()
    reset = Delivery.objects.filter(
        state=Delivery.State.SENDING, updated_at__lt=now - STUCK_AFTER,
    ).update(state=Delivery.State.PENDING, updated_at=now)
    due = list(Delivery.objects.filter(
        state=Delivery.State.PENDING, next_attempt_at__lt=now - timedelta(minutes=5),
    ).values_list("pk", flat=True)[:10_000])
    for pk in due:
        deliver.send(pk)
    InboxActivity.objects.filter(
        state=InboxActivity.State.PROCESSING, updated_at__lt=now - STUCK_AFTER,
    ).update(state=InboxActivity.State.PENDING, updated_at=now)
    received = list(InboxActivity.objects.filter(
        state=InboxActivity.State.PENDING, updated_at__lt=now - timedelta(minutes=5),
    ).values_list("pk", flat=True)[:10_000])
    for pk in received:
        process_inbox_activity.send(pk)
    return {"reset": reset, "deliveries": len(due), "activities": len(received)}
