"""Reads: timelines, threads, profile tabs, notifications. Each goes through the visibility
rule and prefetches what pages and serializers read."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Value

from accounts.models import Account, Block, Mute, Notification
from accounts.selectors import domains_blocked_by
from config import compiled_queries

from .feeds import home_feed_ids, home_filter
from .models import Bookmark, Favourite, MediaAttachment, Mention, Status, StatusPin, Tag, Visibility
from .permissions import PUBLIC_VISIBILITIES, not_muted_by, visible_statuses
from .threads import muted_statuses

PAGE_SIZE = 20


# Each author's key pair (about 2 KB a row) is read by federation alone, never on display.
_KEYS_OF_AUTHORS = [
    f"{author}__{key}" for author in ("account", "reblog__account", "in_reply_to_account")
    for key in ("private_key", "public_key")
]


def _with_authors(queryset: QuerySet) -> QuerySet:
    # actor_info: federation's row holding a remote author's avatar URL (statuses_tags).
    return queryset.select_related(
        "account", "reblog__account", "in_reply_to_account", "account__actor_info",
        "reblog__account__actor_info", "application__registration",
        "reblog__application__registration",
    ).defer(*_KEYS_OF_AUTHORS)


def statuses_for_display(queryset: QuerySet) -> QuerySet:
    return _with_authors(queryset).prefetch_related(
        "media", "reblog__media", "mentions__account", "reblog__mentions__account",
    )


def _display_rows(*, ids: list[int]) -> QuerySet:
    return _with_authors(Status.objects.filter(id__in=ids))


def _media_rows(*, ids: list[int]) -> QuerySet:
    return MediaAttachment.objects.filter(status_id__in=ids)


def _mention_rows(*, ids: list[int]) -> QuerySet:
    return (
        Mention.objects.filter(status_id__in=ids).select_related("account")
        .defer("account__private_key", "account__public_key").order_by("id")
    )


def _tag_rows(*, ids: list[int]) -> QuerySet:
    return Status.tags.through.objects.filter(status_id__in=ids).select_related("tag").order_by("id")


def _attach(statuses: list[Status], name: str, model: type, items: dict[int, list]) -> None:
    """What `prefetch_related(name)` leaves on each status: `status.<name>.all()` (and
    iterating, counting, `exists()`) reads the loaded rows. Each holds an empty query, shared
    (a queryset clones its query before changing it), instead of one relation query built
    per status, which cost more than the rows: a further filter on it finds nothing, never
    another status's rows."""
    empty = model._default_manager.none().query
    for status in statuses:
        loaded = QuerySet(model=model, query=empty)
        loaded._result_cache = items.get(status.pk, [])
        loaded._prefetch_done = True
        status.__dict__.setdefault("_prefetched_objects_cache", {})[name] = loaded


def statuses_by_id(ids: list[int]) -> dict[int, Status]:
    """Statuses for display, by id, as `statuses_for_display` loads them plus their tags:
    authors, boosted posts, attachments, mentions. Four statements compiled once per shape
    (config.compiled_queries): on every timeline, building and compiling them cost Django
    several times what running them costs PostgreSQL. Which ids the viewer may see was
    decided before."""
    if not ids:
        return {}
    loaded = {status.pk: status for status in compiled_queries.instances(_display_rows, ids=ids)}
    every = [*loaded.values(), *(s.reblog for s in loaded.values() if s.reblog_id)]
    every_ids = sorted({s.pk for s in every})
    media: dict[int, list] = {}
    for item in compiled_queries.instances(_media_rows, ids=every_ids):
        media.setdefault(item.status_id, []).append(item)
    mentions: dict[int, list] = {}
    for mention in compiled_queries.instances(_mention_rows, ids=every_ids):
        mentions.setdefault(mention.status_id, []).append(mention)
    tags: dict[int, list] = {}
    for link in compiled_queries.instances(_tag_rows, ids=every_ids):
        tags.setdefault(link.status_id, []).append(link.tag)
    for name, model, items in (
        ("media", MediaAttachment, media), ("mentions", Mention, mentions), ("tags", Tag, tags),
    ):
        _attach(every, name, model, items)
    return loaded


def _in_order(ids: list[int]) -> list[Status]:
    loaded = statuses_by_id(ids)
    return [loaded[pk] for pk in ids if pk in loaded]


def _page(queryset: QuerySet, max_id: int | None, limit: int) -> list[Status]:
    """A page of `queryset`: its ids first, then the rows for display through the compiled
    statements of `statuses_by_id` (cheaper than the ORM's joins and prefetches)."""
    if max_id:
        queryset = queryset.filter(id__lt=max_id)
    return _in_order(list(queryset.order_by("-id").values_list("id", flat=True)[:limit]))


def _home_rule(viewer: Account) -> Q:
    return home_filter(viewer) & not_muted_by(viewer)


def _home_feed_shown(*, viewer_id: int, ids: list[int]) -> QuerySet:
    """Which of a feed's ids the home timeline shows, newest first."""
    viewer = Account(pk=viewer_id)
    return (
        visible_statuses(viewer).filter(_home_rule(viewer), id__in=ids)
        .order_by("-id").values_list("id")
    )


def timeline_home(*, viewer: Account, max_id: int | None = None, limit: int = PAGE_SIZE) -> list[Status]:
    ids = home_feed_ids(account=viewer, max_id=max_id, count=limit * 2)
    if ids is None:
        return _page(visible_statuses(viewer).filter(_home_rule(viewer)), max_id, limit)
    page: list[Status] = []
    while ids:
        shown = [row[0] for row in compiled_queries.rows(_home_feed_shown, viewer_id=viewer.pk, ids=ids)]
        # Put in order here: an ORDER BY cost Django more to compile than the sort costs.
        loaded = statuses_by_id(shown[: limit - len(page)])
        page.extend(loaded[pk] for pk in shown if pk in loaded)
        if len(page) >= limit or len(ids) < limit * 2:
            break
        ids = home_feed_ids(account=viewer, max_id=ids[-1], count=limit * 2)
    return page


def _public(viewer: Account | None) -> QuerySet:
    return (
        visible_statuses(viewer)
        .filter(visibility=Visibility.PUBLIC, reblog__isnull=True)
        .filter(not_muted_by(viewer))
    )


def timeline_local(*, viewer: Account | None, max_id=None, limit=PAGE_SIZE) -> list[Status]:
    return _page(_public(viewer).filter(account__domain__isnull=True), max_id, limit)


def timeline_federated(*, viewer: Account | None, max_id=None, limit=PAGE_SIZE) -> list[Status]:
    return _page(_public(viewer), max_id, limit)


def timeline_tag(*, viewer: Account | None, tag: Tag, max_id=None, limit=PAGE_SIZE) -> list[Status]:
    return _page(_public(viewer).filter(tags=tag), max_id, limit)


def account_statuses(
    *, viewer: Account | None, account: Account, tab: str = "posts", max_id=None,
    limit=PAGE_SIZE, tagged: str | None = None,
) -> list[Status]:
    """A profile's tabs: "posts" (no replies to others, with boosts), "replies" (all),
    "media" (own posts with images); `tagged` keeps its own posts with that hashtag (a
    featured tag's link)."""
    queryset = visible_statuses(viewer).filter(account=account)
    if tagged is not None:
        queryset = queryset.filter(reblog__isnull=True, tags__name__iexact=tagged)
    if tab == "posts":
        queryset = queryset.filter(
            Q(in_reply_to_account__isnull=True) | Q(in_reply_to_account=account)
        )
    elif tab == "media":
        queryset = queryset.filter(reblog__isnull=True, media__isnull=False).distinct()
    return _page(queryset, max_id, limit)


def account_pinned_statuses(*, viewer: Account | None, account: Account) -> list[Status]:
    pinned_ids = StatusPin.objects.filter(account=account).values("status")
    return _in_order(list(
        visible_statuses(viewer).filter(pk__in=pinned_ids).order_by("-id").values_list("id", flat=True)
    ))


def status_context(*, viewer: Account | None, status: Status) -> tuple[list[Status], list[Status]]:
    """Ancestors (oldest first) and descendants (in thread order) the viewer may see."""
    visible = visible_statuses(viewer).filter(not_muted_by(viewer))
    ancestors = []
    parent_id = status.in_reply_to_id
    seen = {status.pk}
    while parent_id and parent_id not in seen and len(ancestors) < 40:
        seen.add(parent_id)
        parent = visible.filter(pk=parent_id).first()
        if parent is None:
            break
        ancestors.append(parent)
        parent_id = parent.in_reply_to_id
    ancestors.reverse()

    descendants: list[Status] = []
    frontier = [status.pk]
    while frontier and len(descendants) < 200:
        children = list(visible.filter(in_reply_to_id__in=frontier).order_by("id"))
        descendants.extend(children)
        frontier = [c.pk for c in children]
    by_parent: dict[int, list[Status]] = {}
    for child in descendants:
        by_parent.setdefault(child.in_reply_to_id, []).append(child)
    ordered: list[Status] = []

    def walk(parent_id: int) -> None:
        for child in by_parent.get(parent_id, []):
            ordered.append(child)
            walk(child.pk)

    walk(status.pk)
    ids = [s.pk for s in ancestors] + [s.pk for s in ordered]
    loaded = statuses_by_id(ids)
    return [loaded[s.pk] for s in ancestors], [loaded[s.pk] for s in ordered]


@dataclass
class ViewerState:
    """What a viewer has done to the statuses on a page, and their counts, in a few queries."""

    favourited: set[int]
    reblogged: set[int]
    bookmarked: set[int]
    pinned: set[int]
    muted: set[int]
    favourites_count: dict[int, int]
    reblogs_count: dict[int, int]
    replies_count: dict[int, int]


def _counted(label: str, queryset: QuerySet, field: str, ids: list[int]) -> QuerySet:
    rows = queryset.filter(**{f"{field}__in": ids}).values(field)
    return rows.annotate(label=Value(label), n=Count("pk")).values_list("label", field, "n")


def _page_counts(*, ids: list[int]) -> QuerySet:
    return _counted("favourites", Favourite.objects, "status", ids).union(
        _counted("reblogs", Status.objects, "reblog", ids),
        # As Mastodon: public and unlisted replies only, so that the count never tells
        # anyone that a followers-only or direct reply exists.
        _counted("replies", Status.objects.filter(visibility__in=PUBLIC_VISIBILITIES), "in_reply_to", ids),
        all=True,
    )


def _done(label: str, queryset: QuerySet, field: str, viewer_id: int, ids: list[int]) -> QuerySet:
    rows = queryset.filter(account_id=viewer_id, **{f"{field}__in": ids})
    return rows.annotate(label=Value(label)).values_list("label", field)


def _page_done(*, viewer_id: int, ids: list[int]) -> QuerySet:
    return _done("favourited", Favourite.objects, "status", viewer_id, ids).union(
        _done("reblogged", Status.objects, "reblog", viewer_id, ids),
        _done("bookmarked", Bookmark.objects, "status", viewer_id, ids),
        _done("pinned", StatusPin.objects, "status", viewer_id, ids),
        all=True,
    )


def viewer_state(*, viewer: Account | None, statuses: list[Status]) -> ViewerState:
    """Two statements whatever the page holds, each compiled once per page size: the three
    counts in one UNION ALL, what the viewer did in another (each part a labelled column, so
    a row says which set it is for); plus one EXISTS for the viewer's muted threads."""
    ids = sorted({(s.reblog_id or s.pk) for s in statuses})
    state = ViewerState(set(), set(), set(), set(), set(), {}, {}, {})
    if not ids:
        return state
    totals = {"favourites": state.favourites_count, "reblogs": state.reblogs_count,
              "replies": state.replies_count}
    for label, status_id, n in compiled_queries.rows(_page_counts, ids=ids):
        totals[label][status_id] = n
    if viewer is None:
        return state
    sets = {"favourited": state.favourited, "reblogged": state.reblogged,
            "bookmarked": state.bookmarked, "pinned": state.pinned}
    for label, status_id in compiled_queries.rows(_page_done, viewer_id=viewer.pk, ids=ids):
        sets[label].add(status_id)
    state.muted = muted_statuses(viewer=viewer, status_ids=ids)
    return state


def bookmarks_list(*, viewer: Account, max_id=None, limit=PAGE_SIZE) -> list[Status]:
    bookmarked = Bookmark.objects.filter(account=viewer).values("status")
    return _page(visible_statuses(viewer).filter(pk__in=bookmarked), max_id, limit)


def favourites_list(*, viewer: Account, max_id=None, limit=PAGE_SIZE) -> list[Status]:
    favourited = Favourite.objects.filter(account=viewer).values("status")
    return _page(visible_statuses(viewer).filter(pk__in=favourited), max_id, limit)


def notifications_visible(*, viewer: Account) -> QuerySet:
    """The viewer's notifications, minus those from accounts it blocks or mutes or from
    domains it blocks, and those about statuses it may no longer see."""
    blocked = Block.objects.filter(account=viewer).values("target_account")
    muted = Mute.objects.active().filter(account=viewer, hide_notifications=True).values(
        "target_account"
    )
    return (
        Notification.objects.filter(account=viewer)
        .exclude(from_account__in=blocked)
        .exclude(from_account__in=muted)
        .exclude(from_account__domain__in=domains_blocked_by(viewer))
        .filter(from_account__suspended_at__isnull=True)
        # A correlated EXISTS checks each notification's status by primary key; `status__in`
        # made PostgreSQL build the set of every status the viewer may see (the whole table)
        # on each count, i.e. on every logged-in page.
        .filter(
            Q(status__isnull=True)
            | Q(Exists(visible_statuses(viewer).filter(pk=OuterRef("status_id"))))
        )
    )


def notifications_list(*, viewer: Account, max_id=None, limit=PAGE_SIZE, types=None) -> list[Notification]:
    queryset = notifications_visible(viewer=viewer)
    if types:
        queryset = queryset.filter(type__in=types)
    if max_id:
        queryset = queryset.filter(id__lt=max_id)
    return list(
        queryset.select_related("from_account", "status__account").order_by("-id")[:limit]
    )


def _notifications_after(*, viewer_id: int, after_id: int) -> QuerySet:
    return notifications_visible(viewer=Account(pk=viewer_id)).filter(id__gt=after_id)


def notifications_unread_count(*, viewer: Account) -> int:
    # On every logged-in page: compiled once (config.compiled_queries).
    return compiled_queries.count(
        _notifications_after, viewer_id=viewer.pk, after_id=viewer.user.last_read_notification_id,
    )


def tags_visible_to(viewer: Account | None) -> QuerySet:
    """Tags used in at least one status the viewer may see. A tag only used in posts hidden
    from the viewer (a direct message, a followers-only post) answers like one never used."""
    return Tag.objects.filter(Exists(visible_statuses(viewer).filter(tags=OuterRef("pk"))))
