"""Home feeds. With Redis (REDIS_URL) each local account has a capped sorted set of status
ids, filled on write by fan-out; without Redis the feed is a database query. Either way a
page is read through `home_filter` and the visibility rule, so the database stays the
source of truth and a stale feed entry can never show what the viewer may not see."""

from functools import cache

import redis
from django.conf import settings
from django.db.models import F, Q

from accounts.models import Account, Follow, ListAccount

from .models import Status, TagFollow, Visibility

FEED_MAX_ITEMS = 800
FANOUT_BATCH = 1000
# A feed nobody reads for this long expires; fan-out then skips its owner (only existing
# feeds are written) and the next read rebuilds it from the database, so inactive accounts
# cost nothing on write, as in Mastodon.
FEED_IDLE_SECONDS = 14 * 24 * 3600
# Member kept at score 0 so that a built but empty feed exists (ids are always > 0).
_BUILT_MARKER = {0: 0}


@cache
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


def redis_client() -> redis.Redis | None:
    return _client(settings.REDIS_URL) if settings.REDIS_URL else None


def feed_key(account_id: int) -> str:
    return f"feed:home:{account_id}"


def followed_tags_filter(viewer: Account) -> Q:
    """Public posts (not boosts) carrying a hashtag the viewer follows, whoever wrote them."""
    followed = TagFollow.objects.filter(account=viewer).values("tag")
    tagged = Status.tags.through.objects.filter(tag__in=followed).values("status")
    return Q(visibility=Visibility.PUBLIC, reblog__isnull=True, pk__in=tagged)


def home_filter(viewer: Account) -> Q:
    """What a home feed shows: what it holds (`feed_filter`) but members of my exclusive
    lists, who are read in those lists only. Applied on read, so a list change shows at once."""
    in_exclusive_lists = ListAccount.objects.filter(list__account=viewer, list__exclusive=True).values(
        "account"
    )
    return feed_filter(viewer) & ~Q(account__in=in_exclusive_lists)


def feed_filter(viewer: Account) -> Q:
    """What a home feed holds: my own posts, and posts and boosts of accounts I follow
    (boosts unless I turned them off), replies only to people I also follow or to myself;
    and public posts with a hashtag I follow (as on Mastodon, replies included)."""
    following = Follow.objects.filter(account=viewer).values("target_account")
    boosts_hidden = Follow.objects.filter(account=viewer, show_reblogs=False).values(
        "target_account"
    )
    replies_ok = (
        Q(in_reply_to_account__isnull=True)
        | Q(in_reply_to_account=viewer)
        | Q(in_reply_to_account__in=following)
        | Q(in_reply_to_account_id=F("account_id"))
    )
    from_people = (Q(account=viewer) | Q(account__in=following)) & (
        Q(account=viewer) | (replies_ok & (Q(reblog__isnull=True) | ~Q(account__in=boosts_hidden)))
    )
    return from_people | followed_tags_filter(viewer)


def feed_push(*, status: Status) -> int:
    """Add a new status to the feeds that exist of its author, its local followers and, for
    a public post, the local followers of its hashtags: a pipeline per batch of recipients.
    Returns the number of feeds written."""
    client = redis_client()
    if client is None:
        return 0
    followers = Follow.objects.filter(
        target_account_id=status.account_id, account__domain__isnull=True,
    )
    if status.reblog_id:
        followers = followers.filter(show_reblogs=True)
    if status.visibility == Visibility.DIRECT:
        followers = followers.filter(account__mentions__status=status)
    recipient_ids = list(followers.values_list("account_id", flat=True))
    if status.account.is_local:
        recipient_ids.append(status.account_id)
    if status.visibility == Visibility.PUBLIC and not status.reblog_id:
        tag_followers = TagFollow.objects.filter(
            tag__statuses=status, account__domain__isnull=True,
        ).values_list("account_id", flat=True)
        # dict.fromkeys: one entry per recipient, whether it follows the author, a tag or both.
        recipient_ids = list(dict.fromkeys([*recipient_ids, *tag_followers]))
    push = _push_script(client)
    written = 0
    for start in range(0, len(recipient_ids), FANOUT_BATCH):
        keys = [feed_key(account_id) for account_id in recipient_ids[start:start + FANOUT_BATCH]]
        written += push(keys=keys, args=[status.id, FEED_MAX_ITEMS])
    return written


# One call per batch of feeds: Redis skips the feeds that do not exist (see _existing_feeds),
# adds the id to the others and trims them. Done from Python, the same work was three
# commands per follower to build and parse: 65 of the 68 µs each follower cost.
_PUSH = """
local written = 0
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then
    redis.call('ZADD', key, ARGV[1], ARGV[1])
    redis.call('ZREMRANGEBYRANK', key, 0, -tonumber(ARGV[2]) - 1)
    written = written + 1
  end
end
return written
"""


@cache
def _push_script(client: redis.Redis):
    return client.register_script(_PUSH)


def _existing_feeds(client: redis.Redis, account_ids: list[int]) -> list[str]:
    """The feed keys that exist. A missing feed (never read, or lost with Redis's data) is
    rebuilt from the database on its next read; writing to it would create a feed holding
    only the newest posts, which would never be rebuilt."""
    keys = [feed_key(account_id) for account_id in account_ids]
    with client.pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.exists(key)
        found = pipe.execute()
    return [key for key, exists in zip(keys, found, strict=True) if exists]


def feed_remove(*, status_id: int, author_id: int) -> None:
    client = redis_client()
    if client is None:
        return
    recipient_ids = list(
        Follow.objects.filter(target_account_id=author_id, account__domain__isnull=True)
        .values_list("account_id", flat=True)
    ) + [author_id]
    with client.pipeline(transaction=False) as pipe:
        for account_id in recipient_ids:
            pipe.zrem(feed_key(account_id), status_id)
        pipe.execute()


def feed_rebuild(*, account: Account) -> int:
    """Refill one feed from the database (the source of truth)."""
    client = redis_client()
    if client is None:
        return 0
    ids = list(
        Status.objects.filter(feed_filter(account))
        .order_by("-id")
        .values_list("id", flat=True)[:FEED_MAX_ITEMS]
    )
    key = feed_key(account.pk)
    with client.pipeline() as pipe:
        pipe.delete(key)
        pipe.zadd(key, {**_BUILT_MARKER, **{i: i for i in ids}})
        pipe.expire(key, FEED_IDLE_SECONDS)
        pipe.execute()
    return len(ids)


def feed_merge(*, account: Account, target: Account) -> None:
    """After a follow: bring the followed account's recent posts into the feed."""
    client = redis_client()
    if client is None:
        return
    ids = list(
        Status.objects.filter(account=target).order_by("-id").values_list("id", flat=True)[
            :FEED_MAX_ITEMS
        ]
    )
    _feed_add(client, account, ids)


def _feed_add(client, account: Account, ids: list[int]) -> None:
    """Merge statuses into an existing feed; a missing feed is rebuilt on read instead."""
    if ids and _existing_feeds(client, [account.pk]):
        key = feed_key(account.pk)
        with client.pipeline() as pipe:
            pipe.zadd(key, {i: i for i in ids})
            pipe.zremrangebyrank(key, 0, -FEED_MAX_ITEMS - 1)
            pipe.execute()


def feed_unmerge(*, account: Account, target: Account) -> None:
    client = redis_client()
    if client is None:
        return
    ids = list(
        Status.objects.filter(account=target).order_by("-id").values_list("id", flat=True)[
            : FEED_MAX_ITEMS * 2
        ]
    )
    if ids:
        client.zrem(feed_key(account.pk), *ids)


def feed_merge_tag(*, account: Account, tag_id: int) -> None:
    """After following a hashtag: bring its recent public posts into the feed, so the live
    feed holds what a rebuild from `feed_filter` would."""
    client = redis_client()
    if client is None:
        return
    ids = list(
        Status.objects.filter(tags=tag_id, visibility=Visibility.PUBLIC, reblog__isnull=True)
        .order_by("-id").values_list("id", flat=True)[:FEED_MAX_ITEMS]
    )
    _feed_add(client, account, ids)


def feed_unmerge_tag(*, account: Account, tag_id: int) -> None:
    """After unfollowing a hashtag: drop its posts that no longer belong in the feed (those
    of people still followed, or with another followed tag, stay)."""
    client = redis_client()
    if client is None:
        return
    tagged = Status.objects.filter(tags=tag_id).order_by("-id")[: FEED_MAX_ITEMS * 2]
    ids = list(
        Status.objects.filter(pk__in=tagged.values("pk")).exclude(feed_filter(account))
        .values_list("id", flat=True)
    )
    if ids:
        client.zrem(feed_key(account.pk), *ids)


def home_feed_ids(*, account: Account, max_id: int | None, count: int) -> list[int] | None:
    """Up to `count` ids from the Redis feed, newest first, older than max_id; None when
    there is no Redis (the caller queries the database)."""
    client = redis_client()
    if client is None:
        return None
    key = feed_key(account.pk)
    if client.expire(key, FEED_IDLE_SECONDS) == 0:  # 0: no such key, never built or idle
        feed_rebuild(account=account)
    upper = f"({max_id}" if max_id else "+inf"
    return [int(i) for i in client.zrevrangebyscore(key, upper, "(0", start=0, num=count)]
