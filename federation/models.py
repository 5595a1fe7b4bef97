"""Durable federation work: activities received (InboxActivity) and to send (Delivery),
objects known to be deleted (Tombstone), the server's own actor, and remote servers."""

from django.db import models
from django.utils import timezone


class InstanceActor(models.Model):
    """The one row holding the server's own key pair: the Application actor at /actor that
    signs fetches made on behalf of nobody in particular."""

    private_key = models.TextField(blank=True)
    public_key = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return "instance actor"


class InboxActivity(models.Model):
    """An activity as received and verified, processed by a task. Unique on the activity id,
    so the same activity delivered twice (or to two inboxes) is processed once."""

    class State(models.TextChoices):
        PENDING = "pending"
        PROCESSING = "processing"
        DONE = "done"
        FAILED = "failed"

    activity_id = models.CharField(max_length=2048, unique=True)
    type = models.CharField(max_length=64)
    signer = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    payload = models.JSONField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["state", "received_at"])]
        verbose_name_plural = "inbox activities"

    def __str__(self):
        return f"{self.type} {self.activity_id}"


class Delivery(models.Model):
    """One activity to POST to one inbox. The row is the truth; the task message a nudge."""

    class State(models.TextChoices):
        PENDING = "pending"
        SENDING = "sending"
        DONE = "done"
        FAILED = "failed"

    activity_id = models.CharField(max_length=2048)
    activity = models.JSONField()
    inbox_url = models.URLField(max_length=2048)
    # The local account whose key signs; NULL means the instance actor.
    signer = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity_id", "inbox_url"], name="delivery_unique"),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]
        verbose_name_plural = "deliveries"

    def __str__(self):
        return f"{self.activity_id} → {self.inbox_url}"


class Tombstone(models.Model):
    """An object id known to be deleted: a Delete that arrives before its Create keeps the
    object from ever appearing, and our own deleted statuses answer 410."""

    uri = models.CharField(max_length=2048, unique=True)
    deleted_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.uri


class Instance(models.Model):
    """A remote server as deliveries see it: failing since when, and whether we skip it."""

    domain = models.CharField(max_length=255, unique=True)
    failing_since = models.DateTimeField(null=True, blank=True)
    unavailable = models.BooleanField(default=False)
    last_success_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.domain


class ActorInfo(models.Model):
    """What we know of a remote actor beyond the Account row: its key id (keyIds are not
    always `actor#main-key`), images and collections, and when we last fetched it."""

    account = models.OneToOneField(
        "accounts.Account", primary_key=True, on_delete=models.CASCADE, related_name="actor_info",
    )
    key_id = models.CharField(max_length=2048, blank=True, db_index=True)
    type = models.CharField(max_length=32, default="Person")
    avatar_url = models.URLField(max_length=2048, blank=True)
    header_url = models.URLField(max_length=2048, blank=True)
    following_url = models.URLField(max_length=2048, blank=True)
    featured_url = models.URLField(max_length=2048, blank=True)
    featured_tags_url = models.URLField(max_length=2048, blank=True)
    also_known_as = models.JSONField(default=list, blank=True)
    moved_to = models.URLField(max_length=2048, blank=True)
    fetched_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.key_id
