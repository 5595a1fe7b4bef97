"""People: the User who logs in, and the Account that every actor (local or remote) is."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower, Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config import server_state
from config.ids import new_id

USERNAME_MAX_LENGTH = 30
DISPLAY_NAME_MAX_LENGTH = 30
NOTE_MAX_LENGTH = 500
FIELDS_MAX = 4
FIELD_NAME_MAX_LENGTH = 255
FIELD_VALUE_MAX_LENGTH = 255


class RegistrationMode(models.TextChoices):
    OPEN = "open", _("Open: anyone can sign up")
    APPROVAL = "approval", _("Approval required")
    CLOSED = "closed", _("Closed")


class SiteSettings(models.Model):
    """The one row of server-wide settings an admin edits in the admin."""

    name = models.CharField(_("server name"), max_length=100, default="Pouet")
    description = models.TextField(
        _("description"), blank=True,
        default="A small, friendly corner of the fediverse.",
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    registration_mode = models.CharField(
        _("registration mode"), max_length=10,
        choices=RegistrationMode.choices, default=RegistrationMode.OPEN,
    )

    class Meta:
        verbose_name = _("server settings")
        verbose_name_plural = _("server settings")

    def __str__(self):
        return self.name

    @classmethod
    def current(cls) -> "SiteSettings":
        return cls.objects.get_or_create(pk=1)[0]

    @classmethod
    def shown(cls) -> "SiteSettings":
        """The settings as every page shows them, memoized per generation of the server's
        state: to read, never to change and save (that is `current`)."""
        return server_state.remembered("site_settings", cls.current)


class ServerRule(models.Model):
    text = models.CharField(_("rule"), max_length=300)
    hint = models.TextField(_("explanation"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("server rule")

    def __str__(self):
        return self.text


class User(AbstractUser):
    """A login. Its public face is `self.account`."""

    email = models.EmailField(_("e-mail address"), unique=True)
    email_confirmed_at = models.DateTimeField(null=True, blank=True)
    approved = models.BooleanField(default=True)
    signup_reason = models.TextField(blank=True)
    locale = models.CharField(_("language"), max_length=10, blank=True, choices=settings.LANGUAGES)
    default_visibility = models.CharField(max_length=10, default="public")
    last_read_notification_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
        ]

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None


class AccountQuerySet(models.QuerySet):
    def local(self):
        return self.filter(domain__isnull=True)

    def remote(self):
        return self.filter(domain__isnull=False)

    def not_suspended(self):
        return self.filter(suspended_at__isnull=True)


def _avatar_path(account, filename):
    return f"accounts/avatars/{account.pk or 'new'}/{filename}"


def _header_path(account, filename):
    return f"accounts/headers/{account.pk or 'new'}/{filename}"


class KeyPair(models.Model):
    """A key pair made ahead of need (accounts.services.key_pool_refill, at low priority),
    handed to the next local account: in a sign-up surge nobody waits for RSA generation."""

    private_key = models.TextField()
    public_key = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)


class Account(models.Model):
    """Every actor: local ones have no domain and a User; remote ones a domain and a uri."""

    username = models.CharField(max_length=2048)
    domain = models.CharField(max_length=255, null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="account",
    )
    display_name = models.CharField(_("display name"), max_length=2048, blank=True)
    note = models.TextField(_("bio"), blank=True, help_text=_("Plain text for local accounts."))
    note_html = models.TextField(blank=True)
    avatar = models.ImageField(upload_to=_avatar_path, blank=True)
    header = models.ImageField(upload_to=_header_path, blank=True)
    fields = models.JSONField(default=list, blank=True)
    locked = models.BooleanField(_("approve followers manually"), default=False)
    bot = models.BooleanField(_("this is a bot"), default=False)
    discoverable = models.BooleanField(_("suggest this account to others"), default=True)

    # ActivityPub addresses; empty for local accounts, which derive theirs from LOCAL_DOMAIN.
    uri = models.URLField(max_length=2048, null=True, blank=True, unique=True)
    url = models.URLField(max_length=2048, blank=True)
    inbox_url = models.URLField(max_length=2048, blank=True)
    shared_inbox_url = models.URLField(max_length=2048, blank=True)
    outbox_url = models.URLField(max_length=2048, blank=True)
    followers_url = models.URLField(max_length=2048, blank=True)
    public_key = models.TextField(blank=True)
    private_key = models.TextField(blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    last_status_at = models.DateTimeField(null=True, blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    silenced_at = models.DateTimeField(null=True, blank=True)
    # The account this one moved to (Mastodon's account migration), local or remote.
    moved_to_account = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="moved_from_accounts",
    )

    objects = AccountQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("username"), Lower("domain"), name="account_username_domain_ci_unique",
            ),
            # NULL domains are distinct in SQL, so local usernames need their own constraint.
            models.UniqueConstraint(
                Lower("username"), condition=models.Q(domain__isnull=True),
                name="account_local_username_ci_unique",
            ),
        ]
        indexes = [models.Index(fields=["domain"])]

    def __str__(self):
        return self.acct

    def get_absolute_url(self):
        if self.is_local:
            return f"/@{self.username}"
        return f"/@{self.username}@{self.domain}"

    @property
    def is_local(self) -> bool:
        return self.domain is None

    @property
    def acct(self) -> str:
        return self.username if self.is_local else f"{self.username}@{self.domain}"

    @property
    def full_acct(self) -> str:
        domain = self.domain or settings.LOCAL_DOMAIN
        return f"{self.username}@{domain}"

    @property
    def name(self) -> str:
        return self.display_name or self.username

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    @property
    def activitypub_id(self) -> str:
        if self.is_local:
            return f"https://{settings.LOCAL_DOMAIN}/users/{self.username}"
        return self.uri

    @property
    def profile_url(self) -> str:
        if self.is_local:
            return f"{settings.LOCAL_SCHEME}://{settings.LOCAL_DOMAIN}/@{self.username}"
        return self.url or self.uri


class AccountAlias(models.Model):
    """Another account of the same person, named by a local account so that it may move
    here (its actor document lists them as alsoKnownAs)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="aliases")
    acct = models.CharField(max_length=2048)
    uri = models.URLField(max_length=2048)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "uri"], name="account_alias_unique")]
        ordering = ["created_at"]

    def __str__(self):
        return self.acct


class Follow(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="following_set")
    target_account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="follower_set",
    )
    show_reblogs = models.BooleanField(default=True)
    notify = models.BooleanField(default=False)
    uri = models.URLField(max_length=2048, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "target_account"], name="follow_unique"),
        ]
        indexes = [models.Index(fields=["target_account", "account"])]


class FollowRequest(models.Model):
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="follow_requests_sent",
    )
    target_account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="follow_requests_received",
    )
    show_reblogs = models.BooleanField(default=True)
    notify = models.BooleanField(default=False)
    uri = models.URLField(max_length=2048, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "target_account"], name="follow_request_unique",
            ),
        ]


class Block(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="blocking_set")
    target_account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="blocked_by_set",
    )
    uri = models.URLField(max_length=2048, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "target_account"], name="block_unique"),
        ]
        indexes = [models.Index(fields=["target_account", "account"])]


class MuteQuerySet(models.QuerySet):
    def active(self):
        # The database's clock, not a value taken now: the rule's SQL stays the same from
        # one call to the next and is compiled once (config.compiled_queries).
        return self.filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=Now()))


class Mute(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="muting_set")
    target_account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="muted_by_set",
    )
    hide_notifications = models.BooleanField(default=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = MuteQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "target_account"], name="mute_unique"),
        ]


class AccountDomainBlock(models.Model):
    """A user hides a whole remote domain (Mastodon's user domain block); `domain` is stored
    normalized and matched exactly against Account.domain."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="domain_blocks")
    domain = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Also the index the visibility rule's subquery reads (account_id → domains).
            models.UniqueConstraint(fields=["account", "domain"], name="account_domain_block_unique"),
        ]

    def __str__(self):
        return self.domain


class NotificationType(models.TextChoices):
    FOLLOW = "follow", _("followed you")
    FOLLOW_REQUEST = "follow_request", _("requested to follow you")
    MENTION = "mention", _("mentioned you")
    REBLOG = "reblog", _("boosted your post")
    FAVOURITE = "favourite", _("favourited your post")
    UPDATE = "update", _("edited a post you boosted")


class Notification(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="notifications")
    from_account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=20, choices=NotificationType.choices)
    # A string reference keeps accounts free of a module-level import of statuses.
    status = models.ForeignKey(
        "statuses.Status", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["account", "-id"])]
        constraints = [
            # One notification per (who, what, on which post): a repeated favourite or a
            # duplicate delivery does not ping twice.
            models.UniqueConstraint(
                fields=["account", "from_account", "type", "status"],
                name="notification_unique",
            ),
        ]


class AppRegistration(models.Model):
    """What Mastodon keeps about an OAuth client beyond django-oauth-toolkit's Application:
    the scopes it may ask for and its website."""

    application = models.OneToOneField(
        "oauth2_provider.Application", on_delete=models.CASCADE, related_name="registration",
    )
    scopes = models.CharField(max_length=1000, default="read")
    website = models.URLField(max_length=2048, blank=True)
    created_at = models.DateTimeField(default=timezone.now)


class Marker(models.Model):
    """Where a user stopped reading a timeline (Mastodon's markers), synced across apps."""

    class Timeline(models.TextChoices):
        HOME = "home"
        NOTIFICATIONS = "notifications"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="markers")
    timeline = models.CharField(max_length=20, choices=Timeline.choices)
    last_read_id = models.BigIntegerField(default=0)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "timeline"], name="marker_unique"),
        ]


class List(models.Model):
    """A user's named group of followed accounts, with its own timeline."""

    class RepliesPolicy(models.TextChoices):
        FOLLOWED = "followed"
        LIST = "list"
        NONE = "none"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="lists")
    title = models.CharField(max_length=100)
    replies_policy = models.CharField(
        max_length=10, choices=RepliesPolicy.choices, default=RepliesPolicy.LIST,
    )
    exclusive = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self):
        return self.title


class ListAccount(models.Model):
    list = models.ForeignKey(List, on_delete=models.CASCADE, related_name="memberships")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="list_memberships")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["list", "account"], name="list_account_unique"),
        ]
