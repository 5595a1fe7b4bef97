"""Every change to statuses, whoever asks (web, API, inbox, manage.py). Rules first, one
transaction, side effects (fan-out, notifications, later federation) on commit."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.images import process_image
from accounts.models import Account, NotificationType
from accounts.services import is_blocked_either_way, notification_create
from config.errors import ApplicationError, ForbiddenError, NotFoundError

from .models import (
    MEDIA_DESCRIPTION_MAX_CHARS,
    MEDIA_MAX_PER_STATUS,
    STATUS_MAX_CHARS,
    Bookmark,
    Favourite,
    MediaAttachment,
    Mention,
    Poll,
    Status,
    StatusEdit,
    StatusPin,
    Tag,
    Visibility,
)
from .permissions import access_status, is_visible_to
from .polls import PollError, poll_check
from .rendering import render_status_text
from .text import hashtags, text_length

MEDIA_MAX_SIZE = (1920, 1920)
THUMBNAIL_SIZE = (640, 640)
PINS_MAX = 5


class StatusInvalidError(ApplicationError):
    pass


class StatusEmptyError(StatusInvalidError):
    default_message = gettext_lazy("Write something or attach an image.")


class ReblogNotAllowedError(ApplicationError):
    status_code = 422


# --- media --------------------------------------------------------------------------------


@transaction.atomic
def media_create(*, account: Account, file, description: str = "",
                 focus: tuple[float, float] = (0.0, 0.0)) -> MediaAttachment:
    """Store an uploaded image, checked and re-encoded; not yet attached to a status."""
    if len(description) > MEDIA_DESCRIPTION_MAX_CHARS:
        raise StatusInvalidError(_("An image description has at most 1500 characters."))
    image = process_image(file, max_size=MEDIA_MAX_SIZE)
    thumbnail = process_image(ContentFile(image.data), max_size=THUMBNAIL_SIZE)
    media = MediaAttachment(
        account=account, description=description.strip(), mime_type=image.mime_type,
        width=image.width, height=image.height, blurhash=image.blurhash,
        focus_x=focus[0], focus_y=focus[1],
    )
    media.file.save(f"original.{image.extension}", ContentFile(image.data), save=False)
    media.thumbnail.save(f"small.{thumbnail.extension}", ContentFile(thumbnail.data), save=False)
    media.save()
    return media


def media_update(*, media: MediaAttachment, description: str | None = None,
                 focus: tuple[float, float] | None = None) -> MediaAttachment:
    if description is not None:
        if len(description) > MEDIA_DESCRIPTION_MAX_CHARS:
            raise StatusInvalidError(_("An image description has at most 1500 characters."))
        media.description = description.strip()
    if focus is not None:
        media.focus_x, media.focus_y = focus
    media.save()
    return media


# --- statuses -----------------------------------------------------------------------------


def _check_text(text: str, spoiler_text: str, has_media: bool) -> None:
    if not text.strip() and not has_media:
        raise StatusEmptyError(_("Write something or attach an image."), field="text")
    if text_length(text) + len(spoiler_text) > STATUS_MAX_CHARS:
        raise StatusInvalidError(
            _("A post has at most %(n)d characters.") % {"n": STATUS_MAX_CHARS}, field="text",
        )


def media_to_attach(*, author: Account, media_ids: list[int], status: Status | None = None,
                    ) -> list[MediaAttachment]:
    """The author's attachments in the order given, none taken (posted with another status,
    or reserved for a scheduled one), at most MEDIA_MAX_PER_STATUS; else StatusInvalidError."""
    if len(media_ids) > MEDIA_MAX_PER_STATUS:
        raise StatusInvalidError(
            _("At most %(n)d images per post.") % {"n": MEDIA_MAX_PER_STATUS}, field="media",
        )
    found = {m.pk: m for m in MediaAttachment.objects.filter(pk__in=media_ids, account=author)}
    items = [found.get(int(media_id)) for media_id in media_ids]
    for item in items:
        taken = item is None or item.scheduled_status_id or (
            item.status_id and (status is None or item.status_id != status.pk)
        )
        if taken or items.count(item) > 1:
            raise StatusInvalidError(_("An attached image was not found."), field="media")
    return items


def _attach_media(*, status: Status, author: Account, media_ids: list[int]) -> None:
    for position, item in enumerate(media_to_attach(author=author, media_ids=media_ids, status=status)):
        item.status = status
        item.position = position
        item.save(update_fields=["status", "position"])


def post_input_check(*, author: Account, text: str, spoiler_text: str, visibility: str,
                     in_reply_to: Status | None, has_media: bool) -> Status | None:
    """What posting checks before storing anything, now or for a post scheduled for later:
    the text, the visibility, a reply target the author may see (returned, as read)."""
    _check_text(text, spoiler_text, has_media)
    if visibility not in Visibility.values:
        raise StatusInvalidError(_("Unknown visibility."), field="visibility")
    if in_reply_to is not None:
        in_reply_to = access_status(viewer=author, status_id=in_reply_to.pk)
    return in_reply_to


def _link_mentions_and_tags(status: Status, mentioned: list[Account]) -> list[Account]:
    """(Re)attach mentions and tags; returns newly mentioned accounts."""
    existing = set(status.mentions.values_list("account_id", flat=True))
    new = [a for a in mentioned if a.pk not in existing]
    Mention.objects.bulk_create(
        [Mention(status=status, account=a) for a in new], ignore_conflicts=True,
    )
    status.mentions.exclude(account__in=[a.pk for a in mentioned]).delete()
    tags = []
    for name in hashtags(status.text):
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            try:
                with transaction.atomic():
                    tag = Tag.objects.create(name=name)
            except IntegrityError:
                tag = Tag.objects.get(name__iexact=name)
        tags.append(tag)
    status.tags.set(tags)
    return new


@transaction.atomic
def status_create(
    *,
    author: Account,
    text: str,
    visibility: str = Visibility.PUBLIC,
    spoiler_text: str = "",
    sensitive: bool = False,
    language: str = "",
    in_reply_to: Status | None = None,
    media_ids: list[int] | None = None,
    application=None,
) -> Status:
    """Post a status. A reply must be to a status the author may see; mentioning people on
    a direct post is what gives them access. `application`: the OAuth client posting it."""
    media_ids = [int(i) for i in media_ids or []]
    text = text.replace("\r\n", "\n").strip()
    spoiler_text = spoiler_text.strip()
    in_reply_to = post_input_check(
        author=author, text=text, spoiler_text=spoiler_text, visibility=visibility,
        in_reply_to=in_reply_to, has_media=bool(media_ids),
    )
    if in_reply_to is not None and in_reply_to.reblog_id:
        in_reply_to = in_reply_to.reblog
    # Imported here: moderation depends on statuses, not the other way round. Moderators'
    # "mark media sensitive" holds for the account's future posts too.
    from moderation.selectors import account_forces_sensitive

    sensitive = sensitive or bool(spoiler_text) or account_forces_sensitive(account=author)
    content, mentioned = render_status_text(text)
    mentioned = [a for a in mentioned if not is_blocked_either_way(author, a)]
    status = Status.objects.create(
        account=author,
        text=text,
        content=content,
        spoiler_text=spoiler_text,
        visibility=visibility,
        sensitive=sensitive,
        language=language,
        in_reply_to=in_reply_to,
        in_reply_to_account=in_reply_to.account if in_reply_to else None,
        application=application,
    )
    _attach_media(status=status, author=author, media_ids=media_ids)
    _link_mentions_and_tags(status, mentioned)
    for account in mentioned:
        notification_create(
            recipient=account, from_account=author, type=NotificationType.MENTION, status=status,
        )
    Account.objects.filter(pk=author.pk).update(last_status_at=timezone.now())
    _after_commit_distribute(status)
    return status


def _after_commit_distribute(status: Status) -> None:
    from federation.services.outbound import publish_on_commit

    from .tasks import distribute_status

    transaction.on_commit(lambda: distribute_status.send(status.pk))
    publish_on_commit("status", status.pk)  # Create or Announce to other servers


# `status_edit(poll=KEEP_POLL)`: the edit leaves the poll as it is (None removes it).
KEEP_POLL = object()


@transaction.atomic
def status_edit(
    *,
    status: Status,
    by: Account,
    text: str,
    spoiler_text: str = "",
    sensitive: bool = False,
    language: str | None = None,
    media_descriptions: dict[int, str] | None = None,
    media_ids: list[int] | None = None,
    poll=KEEP_POLL,
) -> Status:
    """Edit one's own status, keeping the previous version; people who boosted it are told.
    `media_ids` (None: unchanged) is the new list of attachments, in order; `poll` a dict as
    for poll_create, None to remove it, or KEEP_POLL."""
    if status.account_id != by.pk or status.reblog_id:
        raise NotFoundError()
    text = text.replace("\r\n", "\n").strip()
    spoiler_text = spoiler_text.strip()
    media = list(status.media.all())
    new_media_ids = [m.pk for m in media] if media_ids is None else [int(i) for i in media_ids]
    _check_text(text, spoiler_text, bool(new_media_ids))
    if poll is not KEEP_POLL and poll is not None:
        poll = {**poll, "options": poll_check(options=poll["options"], expires_in=poll["expires_in"],
                                              has_media=bool(new_media_ids))}
    elif new_media_ids and poll is KEEP_POLL and Poll.objects.filter(status=status).exists():
        raise PollError("A post cannot have both a poll and attachments", field="poll")
    if not status.edits.exists():
        # The first edit also records the original, so history shows every version.
        _snapshot(status, media, created_at=status.created_at)
    if media_ids is not None:
        status.media.exclude(pk__in=new_media_ids).update(status=None, position=0)
        _attach_media(status=status, author=by, media_ids=new_media_ids)
        media = list(status.media.all())
    for item in media:
        if media_descriptions and item.pk in media_descriptions:
            media_update(media=item, description=media_descriptions[item.pk])
    if poll is not KEEP_POLL:
        _replace_poll(status, poll)
    content, mentioned = render_status_text(text)
    # As on create: an edit never mentions (and so never delivers to) someone blocked either way.
    mentioned = [a for a in mentioned if not is_blocked_either_way(by, a)]
    status.text, status.content, status.spoiler_text = text, content, spoiler_text
    from moderation.selectors import account_forces_sensitive

    # As on create: an edit (which may add images) cannot lift a moderator's "sensitive".
    status.sensitive = sensitive or bool(spoiler_text) or account_forces_sensitive(account=by)
    if language is not None:
        status.language = language
    status.edited_at = timezone.now()
    status.save()
    _snapshot(status, media, created_at=status.edited_at)
    from statuses.streaming.events import stream_status_updated

    transaction.on_commit(lambda: stream_status_updated(status.pk))
    from federation.services.outbound import publish_on_commit

    publish_on_commit("status_update", status.pk)
    for account in _link_mentions_and_tags(status, mentioned):
        notification_create(
            recipient=account, from_account=by, type=NotificationType.MENTION, status=status,
        )
    for booster in Account.objects.filter(statuses__reblog=status).distinct():
        # A fresh notification for every edit: drop the older one first.
        booster.notifications.filter(type=NotificationType.UPDATE, status=status).delete()
        notification_create(
            recipient=booster, from_account=by, type=NotificationType.UPDATE, status=status,
        )
    return status


def _replace_poll(status: Status, poll: dict | None) -> None:
    """As on Mastodon: votes are kept only if the options and their kind stay the same."""
    current = Poll.objects.filter(status=status).first()
    if poll is None:
        if current is not None:
            current.delete()
        return
    options = poll["options"]  # already checked by poll_check
    multiple = poll.get("multiple", False)
    if current is None:
        current = Poll(status=status)
    elif current.options != options or current.multiple != multiple:
        current.votes.all().delete()
    current.options, current.multiple = options, multiple
    current.hide_totals = poll.get("hide_totals", False)
    current.expires_at = timezone.now() + timedelta(seconds=poll["expires_in"])
    current.save()


def _snapshot(status: Status, media: list[MediaAttachment], *, created_at) -> None:
    poll = Poll.objects.filter(status=status).first()
    StatusEdit.objects.create(
        status=status, text=status.text, content=status.content,
        spoiler_text=status.spoiler_text, sensitive=status.sensitive,
        media_descriptions=[m.description for m in media], media_ids=[m.pk for m in media],
        poll_options=poll.options if poll else None, created_at=created_at,
    )


@transaction.atomic
def status_delete(*, status: Status, by: Account) -> None:
    """Delete one's own status: its boosts, notifications and feed entries go with it."""
    if status.account_id != by.pk:
        raise NotFoundError()
    from .tasks import feed_remove_status

    removed = [(status.pk, status.account_id)] + list(
        status.reblogs.values_list("pk", "account_id")
    )
    for item in status.media.all():
        item.file.delete(save=False)
        item.thumbnail.delete(save=False)
    from federation.services.outbound import status_deleted

    status_deleted(status)  # Delete / Undo(Announce) deliveries, made while the rows exist
    if status.visibility == Visibility.DIRECT:
        from .conversations import conversations_status_removed

        conversations_status_removed(status=status)
    status.delete()  # cascades to boosts, favourites, mentions, notifications
    for status_id, author_id in removed:
        transaction.on_commit(
            lambda s=status_id, a=author_id: feed_remove_status.send(s, a)
        )


# --- boosts, favourites, bookmarks, pins ---------------------------------------------------


def _reblog_target(status: Status) -> Status:
    return status.reblog if status.reblog_id else status


@transaction.atomic
def reblog_create(*, account: Account, status: Status) -> Status:
    """Boost: public and unlisted posts, or one's own followers-only post (to the same
    followers). Never someone else's followers-only post, never a direct one."""
    target = _reblog_target(status)
    if not is_visible_to(target, account):
        raise NotFoundError()
    own_private = target.visibility == Visibility.PRIVATE and target.account_id == account.pk
    if target.visibility not in (Visibility.PUBLIC, Visibility.UNLISTED) and not own_private:
        raise ReblogNotAllowedError(_("This post cannot be boosted."))
    existing = Status.objects.filter(account=account, reblog=target).first()
    if existing:
        return existing
    reblog = Status.objects.create(
        account=account, reblog=target, visibility=target.visibility,
    )
    notification_create(
        recipient=target.account, from_account=account, type=NotificationType.REBLOG,
        status=target,
    )
    _after_commit_distribute(reblog)
    return reblog


@transaction.atomic
def reblog_remove(*, account: Account, status: Status) -> None:
    target = _reblog_target(status)
    reblog = Status.objects.filter(account=account, reblog=target).first()
    if reblog:
        status_delete(status=reblog, by=account)


@transaction.atomic
def favourite_create(*, account: Account, status: Status) -> Favourite:
    target = _reblog_target(status)
    if not is_visible_to(target, account):
        raise NotFoundError()
    favourite, created = Favourite.objects.get_or_create(account=account, status=target)
    if created:
        notification_create(
            recipient=target.account, from_account=account, type=NotificationType.FAVOURITE,
            status=target,
        )
        from federation.services.outbound import publish_on_commit

        publish_on_commit("favourite", favourite.pk)
    return favourite


def favourite_remove(*, account: Account, status: Status) -> None:
    from federation.services.outbound import favourite_removed

    favourites = Favourite.objects.filter(account=account, status=_reblog_target(status))
    for favourite in favourites.select_related("account", "status__account"):
        favourite_removed(favourite)  # Undo(Like)
    favourites.delete()


def bookmark_create(*, account: Account, status: Status) -> Bookmark:
    target = _reblog_target(status)
    if not is_visible_to(target, account):
        raise NotFoundError()
    return Bookmark.objects.get_or_create(account=account, status=target)[0]


def bookmark_remove(*, account: Account, status: Status) -> None:
    Bookmark.objects.filter(account=account, status=_reblog_target(status)).delete()


@transaction.atomic
def pin_create(*, account: Account, status: Status) -> StatusPin:
    """Pin one's own public or unlisted post to one's profile (five at most)."""
    if status.account_id != account.pk or status.reblog_id:
        raise ForbiddenError(_("You can only pin your own posts."))
    if status.visibility not in (Visibility.PUBLIC, Visibility.UNLISTED):
        raise ApplicationError(_("Only public and unlisted posts can be pinned."))
    if StatusPin.objects.filter(account=account).exclude(status=status).count() >= PINS_MAX:
        raise ApplicationError(_("You can pin at most %(n)d posts.") % {"n": PINS_MAX})
    return StatusPin.objects.get_or_create(account=account, status=status)[0]


def pin_remove(*, account: Account, status: Status) -> None:
    StatusPin.objects.filter(account=account, status=status).delete()
