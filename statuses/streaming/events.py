"""What is published and what each subscriber receives. Publishing (from tasks and on-commit
hooks) sends ids to the channels of everyone who might see the event; delivery re-checks, for
each subscriber's viewer, the one visibility rule (statuses.permissions), mutes and blocks,
the stream's own rule (home feed, list, local) and the viewer's filters, then renders the
Mastodon entity with the API's serializers."""

import json

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F, Q

from accounts.models import Account, Follow, List, ListAccount
from statuses.feeds import home_filter
from statuses.models import Status, TagFollow, Visibility
from statuses.permissions import not_muted_by, visible_statuses

from . import broker

# How long a status remembers where it was published, so that its deletion reaches the
# same streams (once deleted, its visibility and audience can no longer be read).
CHANNELS_MEMORY_SECONDS = 7 * 24 * 3600


def _memory_key(status_id: int) -> str:
    return f"streaming:channels:{status_id}"


def status_channels(status: Status) -> list[str]:
    """Every channel on which someone might be allowed to see this status."""
    author = status.account
    local_followers = Follow.objects.filter(
        target_account_id=author.pk, account__domain__isnull=True,
    ).values_list("account_id", flat=True)
    channels = [f"timeline:{account_id}" for account_id in local_followers]
    if author.is_local:
        channels.append(f"timeline:{author.pk}")
    if status.visibility == Visibility.PUBLIC and not status.reblog_id:
        where = "local" if author.is_local else "remote"
        channels += ["timeline:public", f"timeline:public:{where}"]
        for name in status.tags.values_list("name", flat=True):
            channels += [f"timeline:hashtag:{name.lower()}"]
            if author.is_local:
                channels.append(f"timeline:hashtag:{name.lower()}:local")
        # People following one of its hashtags have it in their home feed too.
        tag_followers = TagFollow.objects.filter(
            tag__statuses=status, account__domain__isnull=True,
        ).values_list("account_id", flat=True)
        channels += [f"timeline:{account_id}" for account_id in tag_followers]
    if status.visibility == Visibility.DIRECT:
        mentioned = status.mentions.filter(account__domain__isnull=True).values_list(
            "account_id", flat=True,
        )
        channels += [f"timeline:direct:{account_id}" for account_id in mentioned]
        if author.is_local:
            channels.append(f"timeline:direct:{author.pk}")
    lists = List.objects.filter(memberships__account=author, account__domain__isnull=True)
    channels += [f"timeline:list:{list_id}" for list_id in lists.values_list("pk", flat=True)]
    return list(dict.fromkeys(channels))


def stream_status_created(status_id: int) -> None:
    """After a status is committed: `update` to its possible audiences."""
    status = Status.objects.select_related("account").filter(pk=status_id).first()
    if status is None:
        return
    channels = status_channels(status)
    cache.set(_memory_key(status.pk), channels, CHANNELS_MEMORY_SECONDS)
    broker.publish(channels, {"event": "update", "id": status.pk})


def stream_status_updated(status_id: int) -> None:
    """After an edit is committed: `status.update` (the new version, rendered per viewer)."""
    status = Status.objects.select_related("account").filter(pk=status_id).first()
    if status is None:
        return
    channels = status_channels(status)
    remembered = cache.get(_memory_key(status.pk)) or []
    cache.set(_memory_key(status.pk), list(dict.fromkeys(remembered + channels)), CHANNELS_MEMORY_SECONDS)
    broker.publish(channels, {"event": "status.update", "id": status.pk})


def stream_status_deleted(status_id: int, author_id: int) -> None:
    """After a deletion is committed: `delete` where the status went; if that is forgotten,
    to the home streams of the author and its local followers (who had it in their feeds)."""
    channels = cache.get(_memory_key(status_id))
    if channels is None:
        followers = Follow.objects.filter(target_account_id=author_id, account__domain__isnull=True)
        channels = [f"timeline:{a}" for a in followers.values_list("account_id", flat=True)]
        channels.append(f"timeline:{author_id}")
    cache.delete(_memory_key(status_id))
    broker.publish(channels, {"event": "delete", "id": status_id})


def stream_conversation(status_id: int, account_ids: list[int]) -> None:
    """After a direct status joined conversations: `conversation` on the `direct` streams
    of its local participants (each rendered with the reader's own conversation)."""
    broker.publish([f"timeline:direct:{a}" for a in account_ids], {"event": "conversation", "id": status_id})


def stream_notification(notification_id: int) -> None:
    """After a notification is committed: `notification` on its recipient's user stream."""
    from accounts.models import Notification

    account_id = Notification.objects.filter(pk=notification_id).values_list("account_id", flat=True).first()
    if account_id is not None:
        broker.publish([f"timeline:{account_id}"], {"event": "notification", "id": notification_id})


# --- delivery: one subscriber, one viewer ------------------------------------------------


def _stream_statuses(stream: dict, viewer: Account):
    """The statuses this stream may show the viewer: the visibility rule, mutes, and the
    stream's own rule."""
    queryset = visible_statuses(viewer).filter(not_muted_by(viewer))
    kind = stream["kind"]
    if kind == "user":
        return queryset.filter(home_filter(viewer)), "home"
    if kind in ("public", "public:local", "public:remote", "hashtag", "hashtag:local"):
        queryset = queryset.filter(visibility=Visibility.PUBLIC, reblog__isnull=True)
        if kind.endswith("local"):
            queryset = queryset.filter(account__domain__isnull=True)
        if kind == "public:remote":
            queryset = queryset.filter(account__domain__isnull=False)
        if kind.startswith("hashtag"):
            queryset = queryset.filter(tags__name__iexact=stream["tag"])
        return queryset, "public"
    if kind == "direct":
        return queryset.filter(visibility=Visibility.DIRECT), "thread"
    if kind == "list":
        members = ListAccount.objects.filter(list_id=stream["list_id"]).values("account")
        shown = (Q(in_reply_to_account__isnull=True) | Q(in_reply_to_account=F("account"))
                 | Q(in_reply_to_account__in=members) | Q(in_reply_to_account=viewer))
        return queryset.filter(account__in=members).filter(shown), "home"
    return queryset.none(), None


def render_event(message: dict, *, stream: dict, viewer: Account) -> tuple[str, str] | None:
    """(event name, data line) for this viewer, or None when the viewer may not have it."""
    from statuses.api.filters import filter_statuses
    from statuses.api.serializers import notifications_data, statuses_data
    from statuses.selectors import notifications_visible, statuses_for_display

    event, object_id = message.get("event"), message.get("id")
    if not isinstance(object_id, int):
        return None
    if event == "delete":
        return ("delete", str(object_id)) if stream["kind"] != "notification" else None
    if event == "notification":
        if stream["kind"] not in ("user", "notification"):
            return None
        found = notifications_visible(viewer=viewer).filter(pk=object_id).select_related("from_account")
        rendered = notifications_data(list(found), viewer)
        return ("notification", _json(rendered[0])) if rendered else None
    if event == "conversation":
        if stream["kind"] != "direct":
            return None
        from statuses.api.conversations import conversations_data
        from statuses.conversations import conversations_visible

        found = list(conversations_visible(viewer=viewer).filter(last_status_id=object_id))
        return ("conversation", _json(conversations_data(found, viewer)[0])) if found else None
    if event in ("update", "status.update") and stream["kind"] != "notification":
        queryset, context = _stream_statuses(stream, viewer)
        statuses = list(statuses_for_display(queryset.filter(pk=object_id)))
        kept, filtered = filter_statuses(statuses, viewer, context)
        if not kept:
            return None
        return event, _json(statuses_data(kept, viewer, filtered=filtered)[0])
    return None


def _json(data) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, separators=(",", ":"))
