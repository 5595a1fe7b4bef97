import dramatiq

# Deliveries retry with exponential backoff (30 s doubling, capped at 8 h) for about two
# days: 14 retries ≈ 8.5 h of doubling then 8 h steps.
DELIVERY_MAX_RETRIES = 14
DELIVERY_MIN_BACKOFF_MS = 30_000
DELIVERY_MAX_BACKOFF_MS = 8 * 3600_000


@dramatiq.actor(queue_name="ingress", max_retries=8)
def process_inbox_activity(inbox_activity_id: int) -> None:
    """Act on a received activity; the row says whether it was already done."""
    from federation.inbox.process import inbox_activity_process

    inbox_activity_process(inbox_activity_id=inbox_activity_id)


@dramatiq.actor(
    queue_name="deliveries", max_retries=DELIVERY_MAX_RETRIES,
    min_backoff=DELIVERY_MIN_BACKOFF_MS, max_backoff=DELIVERY_MAX_BACKOFF_MS,
)
def deliver(*delivery_ids: int) -> None:
    """POST each delivery's activity to its inbox (a message carries a batch: its cost in
    Redis and in the worker is paid once for many). Raises after the batch if one failed
    transiently, so dramatiq retries the message: only rows still pending are sent again. A
    slow server's POST is handed over (federation.sending), which re-enqueues it itself."""
    from federation.services.delivery import DeliveryRetryError, deliveries_attempt

    outcomes = deliveries_attempt(delivery_ids=list(delivery_ids))
    retry = [pk for pk, outcome in outcomes.items() if outcome == "retry"]
    if retry:
        raise DeliveryRetryError(*retry)


@dramatiq.actor(queue_name="deliveries", max_retries=5)
def publish(kind: str, object_id: int) -> None:
    """Build the activity for a local action and make its deliveries (`kind` names it)."""
    from federation.services.outbound import publish_local

    publish_local(kind=kind, object_id=object_id)


@dramatiq.actor(queue_name="ingress", max_retries=3)
def resolve_parent(status_id: int, parent_uri: str, depth: int) -> None:
    """Complete a thread: fetch a reply's missing parent (bounded depth)."""
    from config.errors import ApplicationError
    from federation.services.statuses import OriginError, thread_parent_resolve

    try:
        thread_parent_resolve(status_id=status_id, parent_uri=parent_uri, depth=depth)
    except (ApplicationError, OriginError) as error:
        if getattr(error, "transient", False):
            raise  # unreachable server: dramatiq retries; refusals are final


@dramatiq.actor(queue_name="ingress", max_retries=3)
def sync_featured_tags(account_id: int) -> None:
    """Refresh a remote actor's featured hashtags from its collection."""
    from federation import http
    from federation.activitypub.common import ParseError
    from federation.services.actors import featured_tags_sync_remote

    try:
        featured_tags_sync_remote(account_id=account_id)
    except (http.RemoteFetchError, ParseError) as error:
        if getattr(error, "transient", False):
            raise  # unreachable server: dramatiq retries; refusals are final
