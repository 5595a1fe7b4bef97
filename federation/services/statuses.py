"""Remote-origin writes to statuses: notes created, edited and deleted by other servers,
their boosts and favourites. Callers have checked the signature; these check origins."""

import logging
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Account, Follow, NotificationType
from accounts.services import notification_create
from config.errors import NotFoundError
from config.ids import id_from_time
from federation.activitypub.common import PUBLIC_ALIASES, host_of
from federation.activitypub.notes import RemoteNote, visibility_from_audience
from federation.models import Tombstone
from federation.services.actors import account_by_uri, local_username_from_uri
from statuses.models import MediaAttachment, Mention, Status, StatusEdit, Tag, Visibility
from statuses.permissions import is_visible_to

logger = logging.getLogger(__name__)

_LOCAL_STATUS_RE = re.compile(r"^/users/(?P<username>[A-Za-z0-9_]+)/statuses/(?P<id>[0-9]+)(?:/activity)?/?$")


class OriginError(Exception):
    """An activity tried to touch an object it does not own: dropped, never retried."""


def status_by_uri(uri: str | None) -> Status | None:
    """A known status (ours or remote) by its ActivityPub id; no network."""
    if not uri:
        return None
    parts = urlsplit(uri)
    if parts.netloc.lower() == settings.LOCAL_DOMAIN.lower():
        match = _LOCAL_STATUS_RE.match(parts.path)
        if not match:
            return None
        return Status.objects.select_related("account").filter(
            pk=int(match.group("id")), account__domain__isnull=True,
            account__username__iexact=match.group("username"),
        ).first()
    return Status.objects.select_related("account").filter(uri=uri).first()


def check_origin(object_id: str, actor: Account) -> None:
    if host_of(object_id) != host_of(actor.uri):
        raise OriginError(f"{actor.uri} may not touch {object_id}.")


def note_is_relevant(note: RemoteNote, author: Account) -> bool:
    """Whether anyone here has a reason to hold this note: a local follower of its author,
    a local account addressed or mentioned, or a thread we already hold."""
    if Follow.objects.filter(target_account=author, account__domain__isnull=True).exists():
        return True
    if any(local_username_from_uri(uri) for uri in note.audience + note.mentions):
        return True
    return bool(note.in_reply_to and status_by_uri(note.in_reply_to))


def _local_recipients(note: RemoteNote) -> list[Account]:
    """Local accounts the note mentions or addresses (addressing gives access to direct and
    followers-only notes, as Mastodon's silent mentions)."""
    found = {}
    for uri in note.mentions + note.audience:
        if uri in PUBLIC_ALIASES:
            continue
        account = account_by_uri(uri) if local_username_from_uri(uri) else None
        if account is not None and account.is_local:
            found[account.pk] = account
    return list(found.values())


def _remote_mentions(note: RemoteNote) -> list[Account]:
    uris = [u for u in note.mentions if not local_username_from_uri(u)]
    return list(Account.objects.filter(uri__in=uris)) if uris else []


def _tags(names: list[str]) -> list[Tag]:
    tags = []
    for name in names:
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            try:
                with transaction.atomic():
                    tag = Tag.objects.create(name=name)
            except IntegrityError:
                tag = Tag.objects.get(name__iexact=name)
        tags.append(tag)
    return tags


def _media(status: Status, note: RemoteNote) -> None:
    """The note's attachments, shown from their origin URL; none from a domain whose media
    we reject (we neither store nor show its files)."""
    from moderation.blocks import domain_policy

    if domain_policy(status.account.domain).reject_media:
        return
    MediaAttachment.objects.bulk_create([
        MediaAttachment(
            account=status.account, status=status, remote_url=item.url,
            mime_type=item.media_type or "application/octet-stream", description=item.description,
            width=item.width, height=item.height, blurhash=item.blurhash,
            focus_x=item.focus[0], focus_y=item.focus[1], position=position,
        )
        for position, item in enumerate(note.attachments)
    ])


MAX_ANCESTORS = 8


@transaction.atomic
def status_upsert_remote(*, note: RemoteNote, author: Account, fetched: bool = False,
                         thread_depth: int = 0) -> Status | None:
    """Store a remote note (or update the one we hold). The note must be on its author's
    host; a note already deleted (Tombstone) never appears. Mentioned local accounts are
    notified and local followers get it in their feeds, unless it was `fetched` (an old
    post looked up, or an ancestor completing a thread). A missing parent is fetched by a
    task, at most MAX_ANCESTORS up the thread."""
    if note.attributed_to != author.uri:
        raise OriginError("The note is attributed to someone else.")
    check_origin(note.id, author)
    if Tombstone.objects.filter(uri=note.id).exists():
        return None
    existing_author = Status.objects.filter(uri=note.id).values_list("account_id", flat=True)[:1]
    if existing_author:
        if existing_author[0] != author.pk:
            raise OriginError("The note belongs to someone else.")
        return status_update_remote(note=note, author=author)
    now = timezone.now()
    published = min(note.published or now, now)
    in_reply_to = status_by_uri(note.in_reply_to)
    if in_reply_to is not None and in_reply_to.reblog_id:
        in_reply_to = None
    visibility = visibility_from_audience(note.to, note.cc, author.followers_url)
    status = Status(
        id=id_from_time(published), account=author, uri=note.id, url=note.url or note.id,
        content=note.content, spoiler_text=note.summary, visibility=visibility,
        sensitive=_sensitive(note, author), language=note.language[:10], in_reply_to=in_reply_to,
        in_reply_to_account=in_reply_to.account if in_reply_to else None, created_at=published,
    )
    try:
        with transaction.atomic():
            status.save(force_insert=True)
    except IntegrityError:
        # Processed concurrently (or, once in 65536, an id collision): re-read.
        return Status.objects.filter(uri=note.id).first()
    local = _local_recipients(note)
    mentioned = local + _remote_mentions(note)
    Mention.objects.bulk_create(
        [Mention(status=status, account=a) for a in mentioned], ignore_conflicts=True,
    )
    if note.hashtags:  # a new status: nothing to replace (set() would read its tags first)
        status.tags.add(*_tags(note.hashtags))
    _media(status, note)
    _poll_store(status, note)
    if note.in_reply_to and in_reply_to is None and thread_depth < MAX_ANCESTORS:
        from federation.tasks import resolve_parent

        transaction.on_commit(lambda: resolve_parent.send(status.pk, note.in_reply_to, thread_depth + 1))
    if fetched:
        return status
    for account in local:
        notification_create(
            recipient=account, from_account=author, type=NotificationType.MENTION, status=status,
        )
    Account.objects.filter(pk=author.pk).update(last_status_at=now)
    _distribute_on_commit(status)
    return status


def status_fetch_remote(uri: str, *, thread_depth: int = 0) -> Status | None:
    """A status by its id: the one we hold, or fetched (signed by the instance actor) and
    stored. The document must carry that id and live on its author's host."""
    from federation.activitypub.notes import parse_note
    from federation.services.actors import actor_resolve, fetch_object

    known = status_by_uri(uri)
    if known is not None or local_username_from_uri(uri.split("/statuses/")[0]):
        return known
    if Tombstone.objects.filter(uri=uri).exists():
        return None
    note = parse_note(fetch_object(uri))
    if note.id != uri:
        raise OriginError("The fetched note has another id.")
    author = actor_resolve(note.attributed_to)
    return status_upsert_remote(note=note, author=author, fetched=True, thread_depth=thread_depth)


def thread_parent_resolve(*, status_id: int, parent_uri: str, depth: int) -> None:
    """Link a reply to its parent, fetching the parent when we do not have it (the task
    calls this; each fetched parent may in turn fetch its own, up to MAX_ANCESTORS)."""
    child = Status.objects.filter(pk=status_id, in_reply_to__isnull=True).first()
    if child is None or depth > MAX_ANCESTORS:
        return
    parent = status_fetch_remote(parent_uri, thread_depth=depth)
    if parent is not None and not parent.reblog_id:
        Status.objects.filter(pk=child.pk, in_reply_to__isnull=True).update(
            in_reply_to=parent, in_reply_to_account=parent.account,
        )


def _distribute_on_commit(status: Status) -> None:
    from statuses.tasks import distribute_status

    transaction.on_commit(lambda: distribute_status.send(status.pk))


def _sensitive(note: RemoteNote, author: Account) -> bool:
    """A note's media are sensitive when it says so, or when moderators marked its
    author's media sensitive (future posts included, as for local accounts)."""
    from moderation.selectors import account_forces_sensitive

    return note.sensitive or account_forces_sensitive(account=author)


def _poll_store(status: Status, note: RemoteNote) -> None:
    """A remote poll keeps the tallies its server reports (updated by Update(Question))."""
    from statuses.models import Poll

    if note.poll is None:
        return
    Poll.objects.update_or_create(status=status, defaults={
        "options": note.poll.options, "multiple": note.poll.multiple,
        "expires_at": note.poll.end_time, "tallies": note.poll.tallies,
        "voters_count": note.poll.voters_count,
    })


@transaction.atomic
def status_update_remote(*, note: RemoteNote, author: Account) -> Status | None:
    """Apply an edit by the note's own author. Visibility never changes on edit (a
    followers-only post cannot be widened after the fact)."""
    check_origin(note.id, author)
    status = Status.objects.filter(uri=note.id, account=author).first()
    if status is None:
        return None
    _poll_store(status, note)  # an Update(Question) often only brings new tallies
    sensitive = _sensitive(note, author)
    changed = (note.content, note.summary, sensitive) != (
        status.content, status.spoiler_text, status.sensitive,
    )
    if not changed:
        return status
    if not status.edits.exists():
        StatusEdit.objects.create(
            status=status, content=status.content, spoiler_text=status.spoiler_text,
            sensitive=status.sensitive, created_at=status.created_at,
        )
    status.content, status.spoiler_text, status.sensitive = note.content, note.summary, sensitive
    status.edited_at = min(note.updated or timezone.now(), timezone.now())
    status.save(update_fields=["content", "spoiler_text", "sensitive", "edited_at"])
    StatusEdit.objects.create(
        status=status, content=status.content, spoiler_text=status.spoiler_text,
        sensitive=status.sensitive, created_at=status.edited_at,
    )
    from statuses.streaming.events import stream_status_updated

    transaction.on_commit(lambda: stream_status_updated(status.pk))
    status.tags.set(_tags(note.hashtags))
    for booster in Account.objects.local().filter(statuses__reblog=status).distinct():
        booster.notifications.filter(type=NotificationType.UPDATE, status=status).delete()
        notification_create(
            recipient=booster, from_account=author, type=NotificationType.UPDATE, status=status,
        )
    return status


@transaction.atomic
def status_delete_remote(*, uri: str, actor: Account) -> None:
    """Delete a remote status (or boost) by its author; remember the id either way, so a
    Create arriving later is ignored."""
    from statuses.services import status_delete

    check_origin(uri, actor)
    Tombstone.objects.get_or_create(uri=uri)
    status = Status.objects.filter(uri=uri).first()
    if status is None:
        return
    if status.account_id != actor.pk:
        raise OriginError("The status belongs to someone else.")
    status_delete(status=status, by=actor)


@transaction.atomic
def reblog_receive(*, activity_id: str, actor: Account, target: Status, to: list[str],
                   cc: list[str]) -> Status | None:
    """A remote boost. Only public and unlisted posts may be boosted, or one's own
    followers-only post (to the same followers); never across a block."""
    if target.reblog_id:
        target = target.reblog
    own = target.account_id == actor.pk
    boostable = target.visibility in (Visibility.PUBLIC, Visibility.UNLISTED)
    if not (boostable or (own and target.visibility == Visibility.PRIVATE)):
        return None
    if not is_visible_to(target, actor):
        return None
    visibility = visibility_from_audience(to, cc, actor.followers_url)
    if visibility == Visibility.DIRECT:
        return None
    if not boostable:
        visibility = Visibility.PRIVATE  # one's own followers-only post, to the same followers
    existing = Status.objects.filter(account=actor, reblog=target).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            reblog = Status.objects.create(
                account=actor, reblog=target, visibility=visibility, uri=activity_id,
                url=activity_id,
            )
    except IntegrityError:
        return Status.objects.filter(account=actor, reblog=target).first()
    notification_create(
        recipient=target.account, from_account=actor, type=NotificationType.REBLOG, status=target,
    )
    _distribute_on_commit(reblog)
    return reblog


@transaction.atomic
def favourite_receive(*, like_id: str, actor: Account, target: Status):
    """A remote favourite, through the same service (and visibility rule) as ours."""
    from statuses.models import Favourite
    from statuses.services import favourite_create

    try:
        favourite = favourite_create(account=actor, status=target)
    except NotFoundError:
        return None
    if not Favourite.objects.filter(uri=like_id).exists():
        Favourite.objects.filter(pk=favourite.pk, uri__isnull=True).update(uri=like_id)
    return favourite


@transaction.atomic
def poll_vote_receive(*, note: RemoteNote, voter: Account) -> bool:
    """A remote vote (a Note named after an option, replying to our Question). Counted
    once per (voter, option), only while the poll is open, only from someone who may see
    the poll, never in one's own poll; one option unless the poll allows several."""
    from statuses.models import PollVote

    status = status_by_uri(note.in_reply_to)
    poll = getattr(status, "poll", None) if status is not None and status.is_local else None
    if poll is None or poll.expired or status.account_id == voter.pk:
        return False
    if note.name not in poll.options or not is_visible_to(status, voter):
        return False
    choice = poll.options.index(note.name)
    others = PollVote.objects.filter(poll=poll, account=voter).exclude(choice=choice)
    if not poll.multiple and others.exists():
        return False
    try:
        with transaction.atomic():
            PollVote.objects.get_or_create(poll=poll, account=voter, choice=choice,
                                           defaults={"uri": note.id})
    except IntegrityError:
        return False
    return True


# --- featured (pinned) posts --------------------------------------------------------------


def pin_receive(*, actor: Account, uri: str) -> None:
    """The actor pinned one of its own posts: fetched once when unknown (and only if someone
    here follows the actor, so strangers cannot make us fetch), then pinned on its profile
    under the same rules as ours."""
    from config.errors import ApplicationError
    from statuses.services import pin_create

    status = status_by_uri(uri)
    if status is None:
        if not Follow.objects.filter(target_account=actor, account__domain__isnull=True).exists():
            return
        status = status_fetch_remote(uri)
    if status is None:
        return
    if status.account_id != actor.pk:
        raise OriginError("Only the author can pin a post.")
    try:
        pin_create(account=actor, status=status)
    except ApplicationError as error:  # a followers-only post, or past the pin limit
        logger.info("pin of %s by %s not kept: %s", uri, actor.uri, error.message)


def pin_remove_remote(*, actor: Account, uri: str) -> None:
    from statuses.services import pin_remove

    status = status_by_uri(uri)
    if status is not None and status.account_id == actor.pk:
        pin_remove(account=actor, status=status)
