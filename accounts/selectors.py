"""Reads about people: finding an account by its acct, the relationship between two
accounts, and the paged lists of followers, following, requests, blocks and mutes."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet

from config.errors import NotFoundError

from .models import Account, AccountDomainBlock, Block, Follow, FollowRequest, Mute

LIST_PAGE_SIZE = 40


def account_get_by_acct(*, acct: str) -> Account:
    """The account behind `username` (local) or `username@domain`, or NotFoundError; a
    suspended account answers as if it did not exist."""
    username, _at, domain = acct.lstrip("@").partition("@")
    if domain.lower() == settings.LOCAL_DOMAIN.lower():
        domain = ""
    queryset = Account.objects.not_suspended().filter(username__iexact=username)
    queryset = queryset.filter(domain__iexact=domain) if domain else queryset.local()
    account = queryset.select_related("user").first()
    if account is None:
        raise NotFoundError()
    return account


@dataclass(frozen=True)
class Relationship:
    """What `viewer` and `target` are to each other, as Mastodon's Relationship entity."""

    is_self: bool = False
    following: bool = False
    requested: bool = False
    followed_by: bool = False
    blocking: bool = False
    blocked_by: bool = False
    muting: bool = False


def relationships(*, viewer: Account, targets: list[Account]) -> dict[int, Relationship]:
    """The relationship with each target, keyed by account id, in six queries whatever the
    number of targets (lists render one row per account)."""
    ids = [target.pk for target in targets]

    def targets_of(queryset):
        return set(queryset.filter(account=viewer, target_account__in=ids).values_list(
            "target_account", flat=True,
        ))

    def sources_of(queryset):
        return set(queryset.filter(target_account=viewer, account__in=ids).values_list(
            "account", flat=True,
        ))

    following = targets_of(Follow.objects)
    requested = targets_of(FollowRequest.objects)
    blocking = targets_of(Block.objects)
    muting = targets_of(Mute.objects.active())
    followed_by = sources_of(Follow.objects)
    blocked_by = sources_of(Block.objects)
    return {
        pk: Relationship(
            is_self=pk == viewer.pk,
            following=pk in following,
            requested=pk in requested,
            followed_by=pk in followed_by,
            blocking=pk in blocking,
            blocked_by=pk in blocked_by,
            muting=pk in muting,
        )
        for pk in ids
    }


def relationship(*, viewer: Account, target: Account) -> Relationship:
    return relationships(viewer=viewer, targets=[target])[target.pk]


@dataclass(frozen=True)
class Page:
    """One page of a list, newest first; `next_max_id` is None on the last page."""

    items: list
    next_max_id: int | None


def _rows_page(queryset: QuerySet, *, account_field: str, max_id: int | None, limit: int) -> Page:
    """Keyset paging on the row id, so a deep page costs what the first does."""
    if max_id:
        queryset = queryset.filter(pk__lt=max_id)
    rows = list(queryset.select_related(account_field).order_by("-pk")[: limit + 1])
    next_max_id = rows[limit - 1].pk if len(rows) > limit else None
    return Page(rows[:limit], next_max_id)


def _page(queryset: QuerySet, *, account_field: str, max_id: int | None, limit: int) -> Page:
    """A page of the accounts that `account_field` of each row points at."""
    page = _rows_page(queryset, account_field=account_field, max_id=max_id, limit=limit)
    return Page([getattr(row, account_field) for row in page.items], page.next_max_id)


def account_ids_blocked_either_way(account: Account) -> QuerySet:
    """Ids of accounts `account` blocks or is blocked by: a subquery (or an iterable of ids).
    Read from the block table alone, both halves on its indexes: going through Account made
    PostgreSQL scan every known account on each timeline query."""
    return (
        Block.objects.filter(account=account).values_list("target_account", flat=True)
        .union(Block.objects.filter(target_account=account).values_list("account", flat=True), all=True)
    )


def domains_blocked_by(account: Account) -> QuerySet:
    """The domains `account` blocks, as a subquery read on the block's unique index."""
    return AccountDomainBlock.objects.filter(account=account).values_list("domain", flat=True)


def _hidden_from(viewer: Account | None) -> Q:
    """People a list shows to nobody (suspended) and to this viewer (blocked either way)."""
    hidden = Q(suspended_at__isnull=False)
    if viewer is not None:
        hidden |= Q(pk__in=account_ids_blocked_either_way(viewer))
    return ~hidden


def _collection_hidden(*, viewer: Account | None, account: Account) -> bool:
    # As Mastodon: an account that blocks you does not show you whom it follows or who
    # follows it.
    return viewer is not None and Block.objects.filter(account=account, target_account=viewer).exists()


def followers_list(
    *, viewer: Account | None, account: Account, max_id: int | None = None,
    limit: int = LIST_PAGE_SIZE,
) -> Page:
    if _collection_hidden(viewer=viewer, account=account):
        return Page([], None)
    follower_ids = Account.objects.filter(_hidden_from(viewer)).values("pk")
    rows = Follow.objects.filter(target_account=account, account__in=follower_ids)
    return _page(rows, account_field="account", max_id=max_id, limit=limit)


def following_list(
    *, viewer: Account | None, account: Account, max_id: int | None = None,
    limit: int = LIST_PAGE_SIZE,
) -> Page:
    if _collection_hidden(viewer=viewer, account=account):
        return Page([], None)
    followed_ids = Account.objects.filter(_hidden_from(viewer)).values("pk")
    rows = Follow.objects.filter(account=account, target_account__in=followed_ids)
    return _page(rows, account_field="target_account", max_id=max_id, limit=limit)


def familiar_followers(*, viewer: Account, accounts: list[Account]) -> dict[int, list[Account]]:
    """For each account, the people `viewer` follows who follow it (none shown across a
    block or when suspended, none at all for an account that blocks the viewer), oldest
    follow first, in two queries."""
    followed = Follow.objects.filter(account=viewer).values("target_account")
    shown = Account.objects.filter(_hidden_from(viewer)).values("pk")
    hiding = set(
        Block.objects.filter(account__in=accounts, target_account=viewer).values_list("account", flat=True)
    )
    rows = (
        Follow.objects.filter(target_account__in=[a.pk for a in accounts if a.pk not in hiding])
        .filter(account__in=followed).filter(account__in=shown)
        .select_related("account").order_by("pk")
    )
    found: dict[int, list[Account]] = {a.pk: [] for a in accounts}
    for row in rows:
        found[row.target_account_id].append(row.account)
    return found


def follow_requests_list(
    *, account: Account, max_id: int | None = None, limit: int = LIST_PAGE_SIZE,
) -> Page:
    """FollowRequest rows waiting for `account`'s answer, from accounts still around."""
    rows = FollowRequest.objects.filter(
        target_account=account, account__suspended_at__isnull=True,
    )
    return _rows_page(rows, account_field="account", max_id=max_id, limit=limit)


def blocks_list(*, account: Account, max_id: int | None = None, limit: int = LIST_PAGE_SIZE) -> Page:
    return _page(
        Block.objects.filter(account=account), account_field="target_account",
        max_id=max_id, limit=limit,
    )


def mutes_list(*, account: Account, max_id: int | None = None, limit: int = LIST_PAGE_SIZE) -> Page:
    return _page(
        Mute.objects.active().filter(account=account), account_field="target_account",
        max_id=max_id, limit=limit,
    )


def domain_blocks_list(*, account: Account) -> QuerySet:
    """The account's domain blocks, for keyset paging on their id."""
    return AccountDomainBlock.objects.filter(account=account)


def domain_blocks_page(*, account: Account, max_id: int | None = None, limit: int = LIST_PAGE_SIZE) -> Page:
    rows = domain_blocks_list(account=account)
    return _rows_page(rows, account_field="account", max_id=max_id, limit=limit)
