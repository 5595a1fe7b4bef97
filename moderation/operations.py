"""The operator's housekeeping (tootctl's domains purge, accounts rotate-keys and cull,
media remove and usage, statuses remove, feeds clear): writes called by manage.py commands
only, each recorded in the audit log as done by the console. `dry_run` counts, changes nothing."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import keys
from accounts.models import Account
from config.errors import ApplicationError
from statuses.models import Bookmark, Favourite, MediaAttachment, Mention, Status

from .audit import audit_log
from .blocks import domain_normalize
from .models import SelfDestruct


class OperationError(ApplicationError):
    pass


def _files_delete(media) -> int:
    """Delete the stored files of these attachments; the number of bytes freed."""
    freed = 0
    for item in media:
        for field in (item.file, item.thumbnail):
            if field and field.name:
                try:
                    freed += field.size
                except OSError:
                    pass  # already gone from the storage: nothing to free
                field.delete(save=False)
    return freed


def _statuses_delete(statuses) -> int:
    """Delete statuses with their media files (rows cascade; files would stay otherwise)."""
    ids = list(statuses.values_list("pk", flat=True))
    _files_delete(MediaAttachment.objects.filter(status_id__in=ids))
    return Status.objects.filter(pk__in=ids).delete()[1].get("statuses.Status", 0)


def _check_days(days: int) -> timezone.datetime:
    if days is None or days < 1:
        raise OperationError(_("The number of days must be at least 1."))
    return timezone.now() - timedelta(days=days)


# --- domains ------------------------------------------------------------------------------


@transaction.atomic
def domain_purge(*, domain: str, dry_run: bool = False) -> tuple[int, int]:
    """Delete the remote accounts of `domain` (exactly that host) and everything they posted;
    (accounts, statuses). The domain is not blocked: they come back if it federates again."""
    domain = domain_normalize(domain)
    if domain == settings.LOCAL_DOMAIN.split(":")[0].lower():
        raise OperationError(_("This is our own domain."))
    accounts = Account.objects.remote().filter(domain__iexact=domain)
    statuses = Status.objects.filter(account__in=accounts)
    counts = accounts.count(), statuses.count()
    if dry_run or not counts[0]:
        return counts
    _statuses_delete(statuses)
    _files_delete(MediaAttachment.objects.filter(account__in=accounts))
    accounts.delete()
    audit_log(by=None, action="domain.purge", target=domain,
              details={"accounts": counts[0], "statuses": counts[1]})
    return counts


# --- accounts -----------------------------------------------------------------------------


@transaction.atomic
def account_keys_rotate(*, account: Account) -> Account:
    """Give a local account a new key pair and tell its followers' servers: an Update of
    the actor, signed with the new key (a peer whose cached key fails refetches the actor)."""
    from federation.services.outbound import publish_on_commit

    if not account.is_local:
        raise OperationError(
            _("Only local accounts have keys here: @%(acct)s is remote.") % {"acct": account.acct}
        )
    account.private_key, account.public_key = keys.generate_key_pair()
    account.save(update_fields=["private_key", "public_key"])
    publish_on_commit("profile", account.pk)
    audit_log(by=None, action="account.rotate_keys", target=account)
    return account


def account_gone(account: Account) -> bool | None:
    """Ask the account's server about it: True when it answers 404 or 410, False when it
    still has it, None when it cannot tell (unreachable, 5xx): such accounts are kept."""
    from federation import http
    from federation.services.actors import signing_identity

    try:
        response = http.request(
            "GET", account.uri, headers={"Accept": http.ACCEPT_ACTIVITY},
            sign_with=signing_identity(None),
        )
    except http.RemoteFetchError:
        return None
    if response.status in (404, 410):
        return True
    return False if response.ok else None


def accounts_cull(*, dry_run: bool = False, progress=None) -> list[str]:
    """Delete remote accounts whose server says they are gone (404/410), with their posts;
    the accts culled (or that would be). Unreachable servers are not taken as an answer."""
    culled = []
    accounts = Account.objects.remote().exclude(uri="").exclude(uri__isnull=True).order_by("pk")
    for account in accounts.iterator():
        gone = account_gone(account)
        if progress:
            progress(account, gone)
        if not gone:
            continue
        culled.append(account.acct)
        if not dry_run:
            with transaction.atomic():
                _statuses_delete(Status.objects.filter(account=account))
                _files_delete(account.media.all())
                account.delete()
                audit_log(by=None, action="account.cull", target=f"@{account.acct}")
    return culled


# --- media --------------------------------------------------------------------------------


def _cached_remote_media(before):
    return MediaAttachment.objects.exclude(remote_url="").exclude(file="").filter(created_at__lt=before)


def media_remove_cached(*, days: int, dry_run: bool = False) -> tuple[int, int]:
    """Drop the local copies of remote media older than `days` (the rows and their remote
    URLs stay, so they can be shown from, or fetched again from, their server); (files, bytes)."""
    media = list(_cached_remote_media(_check_days(days)))
    if dry_run:
        return len(media), sum(_size(item.file) + _size(item.thumbnail) for item in media)
    freed = _files_delete(media)
    MediaAttachment.objects.filter(pk__in=[m.pk for m in media]).update(file="", thumbnail="")
    if media:
        audit_log(by=None, action="media.remove", target=f"{len(media)} cached files",
                  details={"days": days, "bytes": freed})
    return len(media), freed


def _size(field) -> int:
    if not field or not field.name:
        return 0
    try:
        return field.size
    except OSError:
        return 0


def media_usage() -> dict[str, tuple[int, int]]:
    """(files, bytes) stored for local media, cached remote media, avatars and headers."""
    usage = {}
    local = MediaAttachment.objects.filter(remote_url="").exclude(file="")
    remote = MediaAttachment.objects.exclude(remote_url="").exclude(file="")
    for name, media in (("local media", local), ("cached remote media", remote)):
        files = list(media.only("file", "thumbnail"))
        usage[name] = (len(files), sum(_size(m.file) + _size(m.thumbnail) for m in files))
    for name, field in (("avatars", "avatar"), ("headers", "header")):
        rows = Account.objects.exclude(**{field: ""}).exclude(**{f"{field}__isnull": True}).only(field)
        sizes = [_size(getattr(account, field)) for account in rows]
        usage[name] = (len(sizes), sum(sizes))
    return usage


# --- statuses -----------------------------------------------------------------------------


def statuses_removable(*, days: int):
    """Remote statuses older than `days` that nothing local holds on to: no local bookmark,
    favourite, reply, boost or mention of a local account, and not in a report."""
    before = _check_days(days)
    local = Q(account__domain__isnull=True)
    return (
        Status.objects.filter(account__domain__isnull=False, created_at__lt=before)
        .exclude(Exists(Bookmark.objects.filter(local, status=OuterRef("pk"))))
        .exclude(Exists(Favourite.objects.filter(local, status=OuterRef("pk"))))
        .exclude(Exists(Status.objects.filter(local, in_reply_to=OuterRef("pk"))))
        .exclude(Exists(Status.objects.filter(local, reblog=OuterRef("pk"))))
        .exclude(Exists(Mention.objects.filter(local, status=OuterRef("pk"))))
        .exclude(pk__in=_reported_status_ids())
    )


def _reported_status_ids():
    from .models import Report

    return Report.statuses.through.objects.values("status_id")


@transaction.atomic
def statuses_remove_remote(*, days: int, dry_run: bool = False) -> int:
    """Delete the remote statuses `statuses_removable` finds; how many."""
    statuses = statuses_removable(days=days)
    if dry_run:
        return statuses.count()
    removed = _statuses_delete(statuses)
    if removed:
        audit_log(by=None, action="statuses.remove", target=f"{removed} remote statuses",
                  details={"days": days})
    return removed


# --- feeds --------------------------------------------------------------------------------


def feeds_clear() -> int | None:
    """Empty every home feed in Redis (`feeds build` refills them); None without Redis."""
    from statuses.feeds import feed_key, redis_client

    client = redis_client()
    if client is None:
        return None
    keys = [feed_key(pk) for pk in Account.objects.local().values_list("pk", flat=True)]
    cleared = sum(client.delete(*keys[i:i + 500]) for i in range(0, len(keys), 500))
    return cleared



# --- self-destruct ------------------------------------------------------------------------


def known_inboxes() -> set[str]:
    """Every server we know, once: its shared inbox, else each account's own inbox."""
    known = Account.objects.remote().not_suspended().values_list("shared_inbox_url", "inbox_url")
    return {shared or inbox for shared, inbox in known.distinct() if shared or inbox}


@transaction.atomic
def server_self_destruct(*, progress=None) -> SelfDestruct:
    """tootctl self-destruct: a Delete of every local actor to every known server, then the
    server answers 410 Gone (moderation.middleware). The deliveries are sent by the workers
    after commit, signed with each account's key, so the actor documents stay readable for
    peers that must fetch the key to verify them. Run again, it adds only what is missing
    (deliveries are unique per activity and inbox)."""
    from federation.services.delivery import deliveries_create

    from .services import account_delete_activity

    inboxes = known_inboxes()
    # Erased accounts are left out: their suspension already sent their Delete.
    actors = Account.objects.local().filter(user__isnull=False).order_by("pk")
    count = deliveries = 0
    for account in actors.iterator():
        deliveries += deliveries_create(
            activity=account_delete_activity(account), signer=account, inboxes=inboxes,
        )
        count += 1
        if progress:
            progress(count)
    row, _created = SelfDestruct.objects.update_or_create(
        pk=1, defaults={"actors": count, "deliveries": deliveries},
    )
    audit_log(by=None, action="server.self_destruct", target=row,
              details={"actors": count, "inboxes": len(inboxes), "deliveries": deliveries})
    return row
