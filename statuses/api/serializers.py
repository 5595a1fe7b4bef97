"""Mastodon's status-side entities: Status (with its reblog nested), MediaAttachment,
Notification, StatusEdit, StatusSource. A page is rendered by `statuses_data`, which loads
what the serializers read (viewer flags, counts, tags, account counts) in a fixed number
of queries whatever the page holds."""

from django.db.models import prefetch_related_objects
from rest_framework import serializers

from accounts.api.serializers import (
    AccountOutput,
    absolute_url,
    account_counts,
    author_counts,
    base_url,
    file_url,
    iso,
)
from accounts.models import Account, Notification
from statuses.models import MediaAttachment, Poll, Status, StatusEdit
from statuses.selectors import ViewerState, viewer_state


def _media_meta(media) -> dict:
    meta: dict = {"focus": {"x": media.focus_x, "y": media.focus_y}}
    if media.width and media.height:
        meta["original"] = {
            "width": media.width, "height": media.height,
            "size": f"{media.width}x{media.height}", "aspect": media.width / media.height,
        }
        # The thumbnail keeps the aspect ratio within 640×640.
        scale = min(1.0, 640 / max(media.width, media.height))
        small_w, small_h = max(1, round(media.width * scale)), max(1, round(media.height * scale))
        meta["small"] = {
            "width": small_w, "height": small_h, "size": f"{small_w}x{small_h}",
            "aspect": small_w / small_h,
        }
    return meta


class MediaAttachmentOutput(serializers.Serializer):
    """Mastodon's MediaAttachment."""

    def to_representation(self, media) -> dict:
        url = file_url(media.file, media.remote_url or None)
        return {
            "id": str(media.pk),
            "type": "image" if media.mime_type.startswith("image/") else "unknown",
            "url": url,
            "preview_url": file_url(media.thumbnail, url),
            "remote_url": media.remote_url or None,
            "preview_remote_url": None,
            "text_url": None,
            "meta": _media_meta(media),
            "description": media.description or None,
            "blurhash": media.blurhash or None,
        }


def status_url(status: Status) -> str:
    if status.is_local:
        return f"{base_url()}/@{status.account.username}/{status.pk}"
    return status.url or status.uri


class StatusOutput(serializers.Serializer):
    """Mastodon's Status. Context: `viewer`, `state` (ViewerState of the page) and `counts`
    (account counts); `statuses_data` fills them. Built as one dict rather than from
    declared fields (see AccountOutput), each author's Account once per page."""

    def _account(self, account: Account) -> dict:
        rendered = self.context.setdefault("_accounts_rendered", {})
        if account.pk not in rendered:
            rendered[account.pk] = AccountOutput(context=self.context).to_representation(account)
        return rendered[account.pk]

    def to_representation(self, status) -> dict:
        state: ViewerState = self.context["state"]
        boost = bool(status.reblog_id)
        application = status.application
        if application is not None:
            registration = getattr(application, "registration", None)
            application = {"name": application.name,
                           "website": (registration and registration.website) or None}
        media = MediaAttachmentOutput()
        data = {
            "id": str(status.pk),
            "created_at": iso(status.created_at),
            "edited_at": iso(status.edited_at),
            "in_reply_to_id": str(status.in_reply_to_id) if status.in_reply_to_id else None,
            "in_reply_to_account_id": (
                str(status.in_reply_to_account_id) if status.in_reply_to_account_id else None
            ),
            "sensitive": status.sensitive,
            "spoiler_text": status.spoiler_text,
            "visibility": status.visibility,
            "language": status.language or None,
            "uri": status.activitypub_id,
            "url": None if boost else status_url(status),
            "replies_count": 0 if boost else state.replies_count.get(status.pk, 0),
            "reblogs_count": 0 if boost else state.reblogs_count.get(status.pk, 0),
            "favourites_count": 0 if boost else state.favourites_count.get(status.pk, 0),
            "quotes_count": 0,
            "content": "" if boost else status.content,
            "reblog": self.to_representation(status.reblog) if boost else None,
            "application": application,
            "account": self._account(status.account),
            "media_attachments": [media.to_representation(item) for item in status.media.all()],
            "mentions": [
                {"id": str(m.account.pk), "username": m.account.username, "acct": m.account.acct,
                 "url": m.account.profile_url}
                for m in status.mentions.all()
            ],
            "tags": [
                {"name": tag.name.lower(), "url": absolute_url(f"/tags/{tag.name.lower()}")}
                for tag in status.tags.all()
            ],
            "emojis": [],
            "card": None,
            "poll": self.context.get("polls", {}).get(status.pk),
            "filtered": self.context.get("filtered", {}).get(status.pk, []),
        }
        viewer: Account | None = self.context.get("viewer")
        if viewer is not None:
            target = status.reblog_id or status.pk
            data["favourited"] = target in state.favourited
            data["reblogged"] = target in state.reblogged
            data["bookmarked"] = target in state.bookmarked
            data["muted"] = target in state.muted
            if status.account_id == viewer.pk and not boost:
                data["pinned"] = target in state.pinned
        if self.context.get("with_source"):
            data["text"] = status.text
        return data


def _load_for_display(statuses: list[Status]) -> None:
    """Prefetch what the serializers read and the selectors did not (tags)."""
    prefetch_related_objects(statuses, "tags")
    reblogged = [s.reblog for s in statuses if s.reblog_id]
    if reblogged:
        prefetch_related_objects(reblogged, "tags", "media", "mentions__account")


def status_context(statuses: list[Status], viewer: Account | None) -> dict:
    every = statuses + [s.reblog for s in statuses if s.reblog_id]
    from .polls import polls_data

    return {
        "viewer": viewer,
        "polls": polls_data(statuses, viewer),
        "state": viewer_state(viewer=viewer, statuses=statuses),
        "counts": author_counts(list({s.account_id: s.account for s in every}.values()), viewer=viewer),
    }


def statuses_data(statuses: list[Status], viewer: Account | None, **extra) -> list[dict]:
    _load_for_display(statuses)
    context = {**status_context(statuses, viewer), **extra}
    return StatusOutput(statuses, many=True, context=context).data


def status_data(status: Status, viewer: Account | None, **extra) -> dict:
    return statuses_data([status], viewer, **extra)[0]


class NotificationOutput(serializers.Serializer):
    """Mastodon's Notification. Context: `statuses` (rendered, by id) and `counts`."""

    def to_representation(self, notification) -> dict:
        return {
            "id": str(notification.pk),
            "type": notification.type,
            "created_at": iso(notification.created_at),
            "group_key": f"ungrouped-{notification.pk}",
            "account": AccountOutput(context=self.context).to_representation(notification.from_account),
            "status": (
                self.context["statuses"].get(notification.status_id) if notification.status_id else None
            ),
        }


def notifications_data(notifications: list[Notification], viewer: Account) -> list[dict]:
    """Notifications with their statuses; one about a status a filter hides is left out."""
    from statuses.selectors import statuses_by_id

    from .filters import filter_statuses

    ids = [n.status_id for n in notifications if n.status_id]
    loaded = statuses_by_id(ids)
    statuses, filtered = filter_statuses(list(loaded.values()), viewer, "notifications")
    rendered = dict(zip([s.pk for s in statuses], statuses_data(statuses, viewer, filtered=filtered),
                        strict=True))
    notifications = [n for n in notifications if not n.status_id or n.status_id in rendered]
    counts = account_counts([n.from_account for n in notifications])
    return NotificationOutput(
        notifications, many=True, context={"statuses": rendered, "counts": counts},
    ).data


def edits_data(status: Status, edits: list[StatusEdit]) -> list[dict]:
    """Mastodon's StatusEdit list, oldest first; an unedited status has its one version."""
    account = AccountOutput(status.account).data
    media = list(status.media.all())
    # Attachments a version had may since have been removed from the status.
    recorded = {i for edit in edits for i in edit.media_ids or []}
    by_id = {m.pk: m for m in MediaAttachment.objects.filter(pk__in=recorded, account=status.account_id)}
    current_poll = Poll.objects.filter(status=status).first()
    versions = edits or [None]
    output = []
    for edit in versions:
        source = edit or status
        if edit is not None and edit.media_ids is not None:
            version_media = [by_id[i] for i in edit.media_ids if i in by_id]
        else:
            version_media = media
        descriptions = edit.media_descriptions if edit else [m.description for m in media]
        attachments = MediaAttachmentOutput(version_media, many=True).data
        for item, description in zip(attachments, descriptions, strict=False):
            item["description"] = description or None
        options = edit.poll_options if edit else (current_poll.options if current_poll else None)
        output.append({
            "content": source.content, "spoiler_text": source.spoiler_text,
            "sensitive": source.sensitive,
            "created_at": iso(edit.created_at if edit else status.created_at),
            "account": account, "media_attachments": attachments, "emojis": [],
            "poll": {"options": [{"title": o} for o in options]} if options else None,
        })
    return output


def media_data(media: MediaAttachment) -> dict:
    return MediaAttachmentOutput(media).data
