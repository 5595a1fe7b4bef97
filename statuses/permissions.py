"""Who may see a status: the one home of visibility. Every page, API view, feed, collection,
search and notification list calls `visible_to` (querysets) or `access_status` (one status).
The Python check is the same SQL rule run on one row, so the two can never disagree."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import Account, Follow, Mute
from accounts.selectors import account_ids_blocked_either_way, domains_blocked_by
from config import compiled_queries
from config.errors import NotFoundError

from .models import Mention, Status, Visibility

PUBLIC_VISIBILITIES = (Visibility.PUBLIC, Visibility.UNLISTED)


def visible_to(viewer: Account | None) -> Q:
    """The rule, as a filter on Status: which statuses (and boosts) `viewer` may see.

    public/unlisted: anyone; followers-only: the author, followers and mentioned accounts;
    direct: the author and mentioned accounts. Never across a block (either way), never from a
    suspended author; a limited author is seen only by followers and people it mentions.
    Nothing from a domain the viewer blocks. A boost is visible when the boost is and its
    original's author is neither blocked, gone, nor limited towards the viewer.
    """
    not_suspended = Q(account__suspended_at__isnull=True) & (
        Q(reblog__isnull=True) | Q(reblog__account__suspended_at__isnull=True)
    )
    if viewer is None:
        return (
            not_suspended
            & Q(visibility__in=PUBLIC_VISIBILITIES)
            & Q(account__silenced_at__isnull=True)
            & (Q(reblog__isnull=True) | Q(reblog__account__silenced_at__isnull=True))
        )

    following = Follow.objects.filter(account=viewer).values("target_account")
    mentioned = Exists(Mention.objects.filter(status=OuterRef("pk"), account=viewer))
    audience = (
        Q(visibility__in=PUBLIC_VISIBILITIES)
        | Q(account=viewer)
        | Q(visibility=Visibility.PRIVATE, account__in=following)
        | Q(mentioned)
    )
    not_limited = (
        Q(account__silenced_at__isnull=True)
        | Q(account=viewer)
        | Q(account__in=following)
        | Q(mentioned)
    )
    # A boost must not carry a limited author's post to people who could not see it directly.
    original_not_limited = (
        Q(reblog__isnull=True)
        | Q(reblog__account__silenced_at__isnull=True)
        | Q(reblog__account=viewer)
        | Q(reblog__account__in=following)
        | Q(Exists(Mention.objects.filter(status=OuterRef("reblog"), account=viewer)))
    )
    blocked = account_ids_blocked_either_way(viewer)
    not_blocked = ~Q(account__in=blocked) & (
        Q(reblog__isnull=True) | ~Q(reblog__account__in=blocked)
    )
    # Local authors have no domain: Django keeps them (NOT (domain IN … AND domain IS NOT NULL)).
    blocked_domains = domains_blocked_by(viewer)
    not_domain_blocked = ~Q(account__domain__in=blocked_domains) & (
        Q(reblog__isnull=True) | ~Q(reblog__account__domain__in=blocked_domains)
    )
    return not_suspended & audience & not_limited & original_not_limited & not_blocked & not_domain_blocked


def not_muted_by(viewer: Account | None) -> Q:
    """Hides statuses and boosts from accounts the viewer mutes (timelines, threads,
    hashtags, notifications); a muted post is still reachable on its own page."""
    if viewer is None:
        return Q()
    muted = Mute.objects.active().filter(account=viewer).values("target_account")
    return ~Q(account__in=muted) & (Q(reblog__isnull=True) | ~Q(reblog__account__in=muted))


def visible_statuses(viewer: Account | None, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Status.objects.all() if queryset is None else queryset
    return queryset.filter(visible_to(viewer))


def _visible_to_viewer(*, viewer_id: int, status_id: int) -> QuerySet:
    return visible_statuses(Account(pk=viewer_id), Status.objects.filter(pk=status_id)).values_list("pk")


def _visible_to_anyone(*, status_id: int) -> QuerySet:
    return visible_statuses(None, Status.objects.filter(pk=status_id)).values_list("pk")


def is_visible_to(status: Status | int, viewer: Account | None) -> bool:
    """The rule on one status (or status id). Its SQL is compiled once per process
    (config.compiled_queries): building it was ~10 ms of every interaction and status page."""
    status_id = status if isinstance(status, int) else status.pk
    if viewer is None:
        return bool(compiled_queries.rows(_visible_to_anyone, status_id=status_id))
    return bool(compiled_queries.rows(_visible_to_viewer, viewer_id=viewer.pk, status_id=status_id))


def access_status(*, viewer: Account | None, status_id: int | str) -> Status:
    """Fetch a status the viewer may see, or raise NotFoundError as if it did not exist."""
    try:
        status_id = int(status_id)
    except (TypeError, ValueError):
        raise NotFoundError() from None
    # Ids beyond 64 bits cannot be a status (and PostgreSQL would refuse the parameter).
    if not 0 < status_id < 2**63 or not is_visible_to(status_id, viewer):
        raise NotFoundError()
    status = (
        Status.objects.filter(pk=status_id)
        .select_related("account", "reblog__account", "in_reply_to__account")
        .first()
    )
    if status is None:  # deleted in between
        raise NotFoundError()
    return status
