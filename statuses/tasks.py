import dramatiq


@dramatiq.actor(queue_name="fanout", max_retries=10)
def distribute_status(status_id: int) -> None:
    """Fan a new status out to home feeds (and a direct one to its conversations); gone
    statuses are skipped."""
    from statuses.conversations import conversations_record
    from statuses.feeds import feed_push
    from statuses.models import Status
    from statuses.streaming.events import stream_status_created

    status = Status.objects.select_related("account").filter(pk=status_id).first()
    if status is not None:
        feed_push(status=status)
        conversations_record(status=status)
        stream_status_created(status.pk)


@dramatiq.actor(queue_name="fanout", max_retries=10)
def feed_remove_status(status_id: int, author_id: int) -> None:
    from statuses.feeds import feed_remove
    from statuses.streaming.events import stream_status_deleted

    feed_remove(status_id=status_id, author_id=author_id)
    stream_status_deleted(status_id, author_id)


@dramatiq.actor(queue_name="fanout", max_retries=10)
def feed_merge(account_id: int, target_id: int) -> None:
    from accounts.models import Account
    from statuses import feeds

    accounts = Account.objects.in_bulk([account_id, target_id])
    if len(accounts) == 2:
        feeds.feed_merge(account=accounts[account_id], target=accounts[target_id])


@dramatiq.actor(queue_name="fanout", max_retries=10)
def feed_unmerge(account_id: int, target_id: int) -> None:
    from accounts.models import Account
    from statuses import feeds

    accounts = Account.objects.in_bulk([account_id, target_id])
    if len(accounts) == 2:
        feeds.feed_unmerge(account=accounts[account_id], target=accounts[target_id])


@dramatiq.actor(queue_name="default", max_retries=10)
def publish_scheduled_status(scheduled_status_id: int) -> None:
    """Publish a scheduled status when due; early (moved, or run in-process) or gone: nothing."""
    from statuses.scheduled import scheduled_status_publish

    scheduled_status_publish(scheduled_status_id=scheduled_status_id)


@dramatiq.actor(queue_name="fanout", max_retries=10)
def feed_merge_tag(account_id: int, tag_id: int) -> None:
    from accounts.models import Account
    from statuses import feeds

    account = Account.objects.filter(pk=account_id).first()
    if account is not None:
        feeds.feed_merge_tag(account=account, tag_id=tag_id)


@dramatiq.actor(queue_name="fanout", max_retries=10)
def feed_unmerge_tag(account_id: int, tag_id: int) -> None:
    from accounts.models import Account
    from statuses import feeds

    account = Account.objects.filter(pk=account_id).first()
    if account is not None:
        feeds.feed_unmerge_tag(account=account, tag_id=tag_id)
