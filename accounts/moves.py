"""Account migration, as Mastodon does it: a person names their other accounts (aliases,
the actor's alsoKnownAs), then moves to one that names them back; followers follow the
new account. The same `followers_migrate` serves a local move and a remote one."""

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from config.errors import ApplicationError

from .models import Account, AccountAlias, Follow
from .services import follow_request, unfollow

logger = logging.getLogger(__name__)

ALIASES_MAX = 20  # remote actors' alsoKnownAs are read up to 20 too


class MoveError(ApplicationError):
    pass


def also_known_as(account: Account) -> list[str]:
    """The ids an account says are also its own: a local account's aliases, or what a
    remote actor's document lists (kept by federation's ActorInfo, read by the reverse
    relation so accounts never imports federation)."""
    if account.is_local:
        return [alias.uri for alias in account.aliases.all()]
    info = getattr(account, "actor_info", None)  # no row yet: the missing relation is None
    return list(info.also_known_as or []) if info is not None else []


def _resolve(acct: str, *, fresh: bool) -> Account:
    """`user@domain` (or a local username) through WebFinger; `fresh` refetches a remote
    actor we already know, to read its alsoKnownAs as it is now."""
    from federation import http
    from federation.services.actors import account_resolve_acct, actor_fetch

    acct = acct.strip().lstrip("@")
    if not acct:
        raise MoveError(_("Enter the account's handle, such as alice@example.com."), field="acct")
    try:
        account = account_resolve_acct(acct)
        if fresh and not account.is_local:
            account = actor_fetch(account.uri)
    except http.RemoteFetchError:
        raise MoveError(
            _("No account @%(acct)s could be found.") % {"acct": acct}, field="acct",
        ) from None
    if account.is_suspended:
        raise MoveError(_("No account @%(acct)s could be found.") % {"acct": acct}, field="acct")
    return account


def _profile_changed(account: Account) -> None:
    from federation.services.outbound import publish_on_commit

    publish_on_commit("profile", account.pk)  # Update(Person): alsoKnownAs or movedTo changed


@transaction.atomic
def alias_create(*, account: Account, acct: str) -> AccountAlias:
    """Name another account of one's own (`user@domain`, resolved through WebFinger), so
    that it may move here."""
    other = _resolve(acct, fresh=False)
    if other.pk == account.pk:
        raise MoveError(_("This is the account you are using."), field="acct")
    if account.aliases.count() >= ALIASES_MAX:
        raise MoveError(_("You can name at most %(n)d other accounts.") % {"n": ALIASES_MAX}, field="acct")
    alias, created = AccountAlias.objects.get_or_create(
        account=account, uri=other.activitypub_id, defaults={"acct": other.full_acct},
    )
    if created:
        _profile_changed(account)
    return alias


@transaction.atomic
def alias_remove(*, account: Account, alias_id: int) -> None:
    deleted, _rows = AccountAlias.objects.filter(account=account, pk=alias_id).delete()
    if deleted:
        _profile_changed(account)


@transaction.atomic
def account_move(*, account: Account, acct: str, password: str) -> Account:
    """Move a local account to `acct`, which must name this one in its alsoKnownAs. The
    account is marked moved, its followers here follow the new one, and its followers'
    servers receive the Move (and the Update with movedTo). Returns the new account."""
    if not account.user or not account.user.check_password(password or ""):
        raise MoveError(_("The password is not correct."), field="current_password")
    target = _resolve(acct, fresh=True)
    if target.pk == account.pk:
        raise MoveError(_("You cannot move an account to itself."), field="acct")
    if target.moved_to_account_id:
        raise MoveError(_("@%(acct)s has itself moved away.") % {"acct": target.acct}, field="acct")
    if account.activitypub_id not in also_known_as(target):
        raise MoveError(
            _("@%(acct)s does not name this account as one of its aliases: add it there first "
              "(\"Moving from a different account\").") % {"acct": target.acct},
            field="acct",
        )
    Account.objects.filter(pk=account.pk).update(moved_to_account=target)
    account.moved_to_account = target
    _profile_changed(account)
    from federation.services.outbound import publish_on_commit

    publish_on_commit("move", account.pk)  # Move to the servers of its remote followers
    followers_migrate(old=account, new=target)
    return target


def followers_migrate(*, old: Account, new: Account) -> int:
    """Local followers of `old` follow `new` instead (a request, when `new` is locked or
    remote). A follower blocked by `new`, or `new` itself, stays behind. Returns how many
    moved. The caller has checked the move (alsoKnownAs)."""
    from federation.services.outbound import inbound

    moved = 0
    follows = Follow.objects.filter(target_account=old, account__domain__isnull=True)
    for follow in follows.select_related("account"):
        follower = follow.account
        if not old.is_local:
            with inbound():  # the old server moved the account: nothing to tell it
                unfollow(follower=follower, target=old)
        else:
            unfollow(follower=follower, target=old)
        try:
            follow_request(follower=follower, target=new)
        except ApplicationError as error:
            logger.info("move of %s: %s does not follow: %s", old.acct, follower.acct, error)
            continue
        moved += 1
    return moved
