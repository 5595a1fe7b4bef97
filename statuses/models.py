"""What people post: statuses (boosts are statuses too), media, mentions, tags, and the
small rows people attach to statuses (favourites, bookmarks, pins, edits)."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from config.ids import new_id

STATUS_MAX_CHARS = 500
MEDIA_MAX_PER_STATUS = 4
MEDIA_DESCRIPTION_MAX_CHARS = 1500


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    UNLISTED = "unlisted", _("Unlisted")
    PRIVATE = "private", _("Followers only")
    DIRECT = "direct", _("Mentioned people only")


class StatusQuerySet(models.QuerySet):
    def local(self):
        return self.filter(account__domain__isnull=True)

    def without_reblogs(self):
        return self.filter(reblog__isnull=True)


class Tag(models.Model):
    name = models.CharField(max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(Lower("name"), name="tag_name_ci_unique")]

    def __str__(self):
        return f"#{self.name}"

    def get_absolute_url(self):
        return f"/tags/{self.name}"


class TagFollow(models.Model):
    """A local account follows a hashtag: new public posts with it reach its home feed."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="tag_follows")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "tag"], name="tag_follow_unique")]


class FeaturedTag(models.Model):
    """A hashtag shown on an account's profile (Mastodon's featured tags)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="featured_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="featured_by")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "tag"], name="featured_tag_unique")]


class Status(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="statuses")
    # Source text for local statuses; remote ones keep only the sanitized `content`.
    text = models.TextField(blank=True)
    content = models.TextField(blank=True)
    spoiler_text = models.TextField(blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC,
    )
    sensitive = models.BooleanField(default=False)
    language = models.CharField(max_length=10, blank=True)
    in_reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies",
    )
    in_reply_to_account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    reblog = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="reblogs",
    )
    uri = models.URLField(max_length=2048, null=True, blank=True, unique=True)
    url = models.URLField(max_length=2048, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="statuses")
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    # The OAuth client a local status was posted with (Mastodon's `application`); null for
    # the web pages and for remote statuses.
    application = models.ForeignKey(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL, null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    objects = StatusQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["account", "-id"]),
            models.Index(fields=["visibility", "-id"]),
            models.Index(fields=["in_reply_to"]),
            models.Index(fields=["reblog", "account"]),
            # An account's statuses counted (and the last one's date) from the index alone.
            models.Index(fields=["account", "visibility", "created_at"], name="status_account_counts"),
        ]
        constraints = [
            # One boost per account and status.
            models.UniqueConstraint(
                fields=["account", "reblog"], condition=models.Q(reblog__isnull=False),
                name="status_one_reblog_per_account",
            ),
        ]
        verbose_name_plural = "statuses"

    def __str__(self):
        return f"{self.account.acct}: {self.text[:40] or self.content[:40]}"

    def get_absolute_url(self):
        return f"/@{self.account.acct}/{self.id}"

    @property
    def is_local(self) -> bool:
        return self.account.domain is None

    @property
    def is_reblog(self) -> bool:
        return self.reblog_id is not None

    @property
    def activitypub_id(self) -> str:
        if self.is_local:
            suffix = "/activity" if self.is_reblog else ""
            return (
                f"https://{settings.LOCAL_DOMAIN}/users/{self.account.username}"
                f"/statuses/{self.id}{suffix}"
            )
        return self.uri


class Mention(models.Model):
    status = models.ForeignKey(Status, on_delete=models.CASCADE, related_name="mentions")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="mentions")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["status", "account"], name="mention_unique"),
        ]
        indexes = [models.Index(fields=["account", "status"])]


def _media_path(media, filename):
    # An unguessable part: files are served without an access check, so the address of an
    # image in a private post must not be derivable from neighbouring ids (as Mastodon does).
    return f"media/{media.account_id}/{media.id}/{secrets.token_hex(16)}/{filename}"


class MediaAttachment(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="media")
    status = models.ForeignKey(
        Status, null=True, blank=True, on_delete=models.CASCADE, related_name="media",
    )
    file = models.ImageField(upload_to=_media_path, blank=True)
    thumbnail = models.ImageField(upload_to=_media_path, blank=True)
    remote_url = models.URLField(max_length=2048, blank=True)
    mime_type = models.CharField(max_length=100, default="image/jpeg")
    description = models.TextField(blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    blurhash = models.CharField(max_length=100, blank=True)
    focus_x = models.FloatField(default=0.0)
    focus_y = models.FloatField(default=0.0)
    position = models.PositiveSmallIntegerField(default=0)
    # Reserved for a post scheduled for later: no other post may take it meanwhile.
    scheduled_status = models.ForeignKey(
        "ScheduledStatus", null=True, blank=True, on_delete=models.SET_NULL, related_name="media",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]


class Favourite(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="favourites")
    status = models.ForeignKey(Status, on_delete=models.CASCADE, related_name="favourites")
    uri = models.URLField(max_length=2048, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "status"], name="favourite_unique"),
        ]


class Bookmark(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="bookmarks")
    status = models.ForeignKey(Status, on_delete=models.CASCADE, related_name="bookmarks")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "status"], name="bookmark_unique"),
        ]


class StatusPin(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="pins")
    status = models.ForeignKey(Status, on_delete=models.CASCADE, related_name="pins")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "status"], name="pin_unique"),
        ]


class StatusEdit(models.Model):
    """A past version of a status, kept so readers can see what changed."""

    status = models.ForeignKey(Status, on_delete=models.CASCADE, related_name="edits")
    text = models.TextField(blank=True)
    content = models.TextField(blank=True)
    spoiler_text = models.TextField(blank=True)
    sensitive = models.BooleanField(default=False)
    media_descriptions = models.JSONField(default=list, blank=True)
    # The attachments and poll options of this version; null on versions recorded before
    # attachments and polls could be edited (those show the current attachments).
    media_ids = models.JSONField(null=True, blank=True)
    poll_options = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class IdempotencyKey(models.Model):
    """A client's Idempotency-Key for a post: the same key from the same account within a
    day returns the status already made instead of posting twice (Mastodon's behaviour)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    status = models.ForeignKey(Status, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "key"], name="idempotency_key_unique"),
        ]


class Filter(models.Model):
    """A user's filter (Mastodon's filters v2): keywords or given statuses, in some contexts,
    either hidden or shown behind a warning."""

    class Action(models.TextChoices):
        WARN = "warn"
        HIDE = "hide"
        BLUR = "blur"

    CONTEXTS = ("home", "notifications", "public", "thread", "account")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="filters")
    title = models.CharField(max_length=256)
    context = models.JSONField(default=list)
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.WARN)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.title


class FilterKeyword(models.Model):
    filter = models.ForeignKey(Filter, on_delete=models.CASCADE, related_name="keywords")
    keyword = models.CharField(max_length=256)
    whole_word = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]


class FilterStatus(models.Model):
    filter = models.ForeignKey(Filter, on_delete=models.CASCADE, related_name="statuses")
    status = models.ForeignKey(Status, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["filter", "status"], name="filter_status_unique"),
        ]


class Poll(models.Model):
    """A poll attached to a status. Local polls count their PollVote rows; a remote poll
    keeps the tallies its server reports in `tallies` / `voters_count`."""

    status = models.OneToOneField(Status, on_delete=models.CASCADE, related_name="poll")
    options = models.JSONField(default=list)
    multiple = models.BooleanField(default=False)
    hide_totals = models.BooleanField(default=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    tallies = models.JSONField(null=True, blank=True)
    voters_count = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()


class PollVote(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="poll_votes")
    choice = models.PositiveSmallIntegerField()
    uri = models.URLField(max_length=2048, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "account", "choice"], name="poll_vote_unique"),
        ]
        indexes = [models.Index(fields=["poll", "account"])]


class ScheduledStatus(models.Model):
    """A post to publish later: `params` are status_create's arguments (as Mastodon's
    ScheduledStatus params). The row is the work: publishing deletes it in the same transaction."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="scheduled_statuses")
    scheduled_at = models.DateTimeField(db_index=True)
    params = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["account", "scheduled_at"])]
        verbose_name_plural = "scheduled statuses"


class ConversationMute(models.Model):
    """No notifications to `account` about statuses of the thread started by `root_id`
    (a status id, not a key: the thread stays muted if its first post is deleted)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="conversation_mutes")
    root_id = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "root_id"], name="conversation_mute_unique"),
        ]


class AccountConversation(models.Model):
    """One local account's view of a direct-message thread (Mastodon's Conversation): the
    other participants, the latest direct status, and whether it is unread."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="conversations")
    root_id = models.BigIntegerField()
    participants = models.ManyToManyField(Account, related_name="+", blank=True)
    last_status = models.ForeignKey(
        Status, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    unread = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "root_id"], name="account_conversation_unique"),
        ]
        indexes = [models.Index(fields=["account", "-last_status"])]
