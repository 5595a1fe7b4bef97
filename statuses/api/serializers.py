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
    base_url,
    file_url,
    iso,
)
from accounts.models import Account, Notification
from statuses.models import MediaAttachment, Poll, Status, StatusEdit
from statuses.selectors import ViewerState, viewer_state


class MediaAttachmentOutput(serializers.Serializer):
    id = serializers.CharField()
    type = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    preview_url = serializers.SerializerMethodField()
    remote_url = serializers.SerializerMethodField()
    preview_remote_url = serializers.SerializerMethodField()
    text_url = serializers.SerializerMethodField()
    meta = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    blurhash = serializers.SerializerMethodField()

    def get_type(self, media) -> str:
        return "image" if media.mime_type.startswith("image/") else "unknown"

    def get_url(self, media) -> str | None:
        return file_url(media.file, media.remote_url or None)

    def get_preview_url(self, media) -> str | None:
        return file_url(media.thumbnail, self.get_url(media))

    def get_remote_url(self, media) -> str | None:
        return media.remote_url or None

    def get_preview_remote_url(self, media) -> None:
        return None

    def get_text_url(self, media) -> None:
        return None

    def get_meta(self, media) -> dict:
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

    def get_description(self, media) -> str | None:
        return media.description or None

    def get_blurhash(self, media) -> str | None:
        return media.blurhash or None


def status_url(status: Status) -> str:
    if status.is_local:
        return f"{base_url()}/@{status.account.username}/{status.pk}"
    return status.url or status.uri


class StatusOutput(serializers.Serializer):
    """Mastodon's Status. Context: `viewer`, `state` (ViewerState of the page) and `counts`
    (account counts); `statuses_data` fills them."""

    id = serializers.CharField()
    created_at = serializers.SerializerMethodField()
    edited_at = serializers.SerializerMethodField()
    in_reply_to_id = serializers.SerializerMethodField()
    in_reply_to_account_id = serializers.SerializerMethodField()
    sensitive = serializers.BooleanField()
    spoiler_text = serializers.CharField()
    visibility = serializers.CharField()
    language = serializers.SerializerMethodField()
    uri = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    replies_count = serializers.SerializerMethodField()
    reblogs_count = serializers.SerializerMethodField()
    favourites_count = serializers.SerializerMethodField()
    quotes_count = serializers.SerializerMethodField()
    content = serializers.SerializerMethodField()
    reblog = serializers.SerializerMethodField()
    application = serializers.SerializerMethodField()
    account = serializers.SerializerMethodField()
    media_attachments = serializers.SerializerMethodField()
    mentions = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    emojis = serializers.SerializerMethodField()
    card = serializers.SerializerMethodField()
    poll = serializers.SerializerMethodField()
    filtered = serializers.SerializerMethodField()

    def _state(self) -> ViewerState:
        return self.context["state"]

    def _target_id(self, status) -> int:
        return status.reblog_id or status.pk

    def get_created_at(self, status) -> str:
        return iso(status.created_at)

    def get_edited_at(self, status) -> str | None:
        return iso(status.edited_at)

    def get_in_reply_to_id(self, status) -> str | None:
        return str(status.in_reply_to_id) if status.in_reply_to_id else None

    def get_in_reply_to_account_id(self, status) -> str | None:
        return str(status.in_reply_to_account_id) if status.in_reply_to_account_id else None

    def get_language(self, status) -> str | None:
        return status.language or None

    def get_uri(self, status) -> str:
        return status.activitypub_id

    def get_url(self, status) -> str | None:
        return None if status.reblog_id else status_url(status)

    def get_replies_count(self, status) -> int:
        return 0 if status.reblog_id else self._state().replies_count.get(status.pk, 0)

    def get_reblogs_count(self, status) -> int:
        return 0 if status.reblog_id else self._state().reblogs_count.get(status.pk, 0)

    def get_favourites_count(self, status) -> int:
        return 0 if status.reblog_id else self._state().favourites_count.get(status.pk, 0)

    def get_quotes_count(self, status) -> int:
        return 0

    def get_content(self, status) -> str:
        return "" if status.reblog_id else status.content

    # A serializer instance deep-copies its declared fields when first used: one instance per
    # kind and page (kept in the page's context), not one per nested object, and one dict
    # per author however many of the page's statuses they wrote.

    def _nested(self, name: str, serializer_class) -> serializers.Serializer:
        instances = self.context.setdefault("_serializers", {})
        if name not in instances:
            instances[name] = serializer_class(context=self.context)
        return instances[name]

    def get_reblog(self, status) -> dict | None:
        if not status.reblog_id:
            return None
        return self.to_representation(status.reblog)

    def get_application(self, status) -> dict | None:
        application = status.application
        if application is None:
            return None
        registration = getattr(application, "registration", None)
        return {"name": application.name, "website": (registration and registration.website) or None}

    def get_account(self, status) -> dict:
        rendered = self.context.setdefault("_accounts_rendered", {})
        if status.account_id not in rendered:
            serializer = self._nested("account", AccountOutput)
            rendered[status.account_id] = serializer.to_representation(status.account)
        return rendered[status.account_id]

    def get_media_attachments(self, status) -> list[dict]:
        media = self._nested("media", MediaAttachmentOutput)
        return [media.to_representation(item) for item in status.media.all()]

    def get_mentions(self, status) -> list[dict]:
        return [
            {"id": str(m.account.pk), "username": m.account.username, "acct": m.account.acct,
             "url": m.account.profile_url}
            for m in status.mentions.all()
        ]

    def get_tags(self, status) -> list[dict]:
        return [
            {"name": tag.name.lower(), "url": absolute_url(f"/tags/{tag.name.lower()}")}
            for tag in status.tags.all()
        ]

    def get_emojis(self, status) -> list:
        return []

    def get_card(self, status) -> None:
        return None

    def get_poll(self, status) -> dict | None:
        return self.context.get("polls", {}).get(status.pk)

    def get_filtered(self, status) -> list:
        return self.context.get("filtered", {}).get(status.pk, [])

    def to_representation(self, status):
        data = super().to_representation(status)
        viewer: Account | None = self.context.get("viewer")
        if viewer is not None:
            state, target = self._state(), self._target_id(status)
            data["favourited"] = target in state.favourited
            data["reblogged"] = target in state.reblogged
            data["bookmarked"] = target in state.bookmarked
            data["muted"] = target in state.muted
            if status.account_id == viewer.pk and not status.reblog_id:
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
        "counts": account_counts(list({s.account_id: s.account for s in every}.values())),
    }


def statuses_data(statuses: list[Status], viewer: Account | None, **extra) -> list[dict]:
    _load_for_display(statuses)
    context = {**status_context(statuses, viewer), **extra}
    return StatusOutput(statuses, many=True, context=context).data


def status_data(status: Status, viewer: Account | None, **extra) -> dict:
    return statuses_data([status], viewer, **extra)[0]


class NotificationOutput(serializers.Serializer):
    id = serializers.CharField()
    type = serializers.CharField()
    created_at = serializers.SerializerMethodField()
    group_key = serializers.SerializerMethodField()
    account = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()

    def get_created_at(self, notification) -> str:
        return iso(notification.created_at)

    def get_group_key(self, notification) -> str:
        return f"ungrouped-{notification.pk}"

    def get_account(self, notification) -> dict:
        return AccountOutput(notification.from_account, context=self.context).data

    def get_status(self, notification) -> dict | None:
        rendered = self.context["statuses"]
        return rendered.get(notification.status_id) if notification.status_id else None


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
