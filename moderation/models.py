"""Moderation: reports, strikes and appeals, moderator notes, the audit log, and the
instance's blocklists (domains, e-mail domains, IP ranges, usernames)."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, ServerRule, User
from config import server_state
from statuses.models import Status

COMMENT_MAX_LENGTH = 1000


# --- reports ------------------------------------------------------------------------------


class ReportCategory(models.TextChoices):
    SPAM = "spam", _("Spam")
    LEGAL = "legal", _("Illegal content")
    VIOLATION = "violation", _("Breaks server rules")
    OTHER = "other", _("Something else")


class ReportQuerySet(models.QuerySet):
    def unresolved(self):
        return self.filter(resolved_at__isnull=True)

    def queue(self):
        """The moderators' queue: unresolved first, then oldest first."""
        return self.order_by(
            models.F("resolved_at").asc(nulls_first=True), "created_at", "id",
        )


class Report(models.Model):
    """A complaint about an account and, optionally, some of its statuses. Remote reports
    (ActivityPub Flag) have a `uri` and the remote server's actor as reporter."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="reports_filed",
        verbose_name=_("reported by"),
    )
    target_account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="reports_received",
        verbose_name=_("reported account"),
    )
    # Deleted statuses leave the report: the evidence a moderator saw is in the strike.
    statuses = models.ManyToManyField(Status, blank=True, related_name="+")
    category = models.CharField(
        _("category"), max_length=20, choices=ReportCategory.choices, default=ReportCategory.OTHER,
    )
    rules = models.ManyToManyField(ServerRule, blank=True, related_name="+", verbose_name=_("rules"))
    comment = models.TextField(_("comment"), blank=True, max_length=COMMENT_MAX_LENGTH)
    forward = models.BooleanField(_("forward to the remote server"), default=False)
    forwarded_at = models.DateTimeField(null=True, blank=True)
    uri = models.URLField(max_length=2048, null=True, blank=True, unique=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("assigned to"),
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("reported"), default=timezone.now)

    objects = ReportQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["resolved_at", "created_at"]),
            models.Index(fields=["target_account", "-created_at"]),
        ]
        permissions = [("view_dashboard", "Can view the moderation dashboard")]

    def __str__(self):
        return f"#{self.pk} @{self.target_account.acct}"

    @property
    def is_remote(self) -> bool:
        return self.account.domain is not None

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


class ReportNote(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
    )
    text = models.TextField(max_length=COMMENT_MAX_LENGTH * 5)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class AccountNote(models.Model):
    """What moderators write about an account for each other; never shown to its owner."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="moderation_notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
    )
    text = models.TextField(max_length=COMMENT_MAX_LENGTH * 5)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


# --- account actions ----------------------------------------------------------------------


class StrikeAction(models.TextChoices):
    WARN = "warn", _("Warning")
    MARK_SENSITIVE = "mark_sensitive", _("Media marked as sensitive")
    DELETE_STATUSES = "delete_statuses", _("Posts removed")
    FREEZE = "freeze", _("Account frozen")
    LIMIT = "limit", _("Account limited")
    SUSPEND = "suspend", _("Account suspended")


# Actions that may be given a duration and are then lifted by the sweep.
TIMED_ACTIONS = (StrikeAction.FREEZE, StrikeAction.LIMIT)


class AccountStrike(models.Model):
    """A moderation decision against an account, with the reason its owner reads in their
    settings; it may be appealed once."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="strikes")
    action = models.CharField(_("action"), max_length=20, choices=StrikeAction.choices)
    text = models.TextField(_("reason"), blank=True)
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="strikes",
    )
    # What the moderator acted on, copied: removed posts must still be shown in an appeal.
    statuses_snapshot = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("date"), default=timezone.now)
    ends_at = models.DateTimeField(_("until"), null=True, blank=True)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    overruled_at = models.DateTimeField(_("overruled"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["action", "ends_at"])]
        permissions = [("take_action", "Can warn, limit, freeze, suspend accounts and remove posts")]

    def __str__(self):
        return f"{self.get_action_display()}: @{self.account.acct}"


class AppealState(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Appeal(models.Model):
    """The one appeal a user may make against a strike."""

    strike = models.OneToOneField(AccountStrike, on_delete=models.CASCADE, related_name="appeal")
    text = models.TextField(_("appeal"), max_length=COMMENT_MAX_LENGTH * 2)
    state = models.CharField(
        max_length=10, choices=AppealState.choices, default=AppealState.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Appeal of {self.strike}"


class ScheduledErasure(models.Model):
    """A suspended account's data is kept for an appeal until `due_at`, then erased."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="+")
    due_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["due_at"])]


# --- the audit log ------------------------------------------------------------------------


class AuditLogEntry(models.Model):
    """Who did what to what, when and why. Written by the services, never edited."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as text so the log still says who after the actor's account is gone.
    actor_name = models.CharField(_("who"), max_length=200)
    action = models.CharField(_("what"), max_length=50, db_index=True)
    target_type = models.CharField(max_length=50)
    target_id = models.CharField(max_length=100, blank=True)
    target_repr = models.CharField(_("target"), max_length=300)
    reason = models.TextField(_("why"), blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")

    def __str__(self):
        return f"{self.actor_name} {self.action} {self.target_repr}"


# --- instance controls --------------------------------------------------------------------


class ModerationSettings(models.Model):
    """The one row of federation and sign-up policy that is moderation's to keep."""

    allowlist_mode = models.BooleanField(
        _("limited federation"), default=False,
        help_text=_("Only federate with the domains on the allowlist."),
    )

    class Meta:
        verbose_name = _("federation policy")
        verbose_name_plural = _("federation policy")

    def __str__(self):
        return str(_("federation policy"))

    @classmethod
    def current(cls) -> "ModerationSettings":
        return cls.objects.get_or_create(pk=1)[0]


class SelfDestruct(models.Model):
    """The one row that says the operator ran `manage.py self_destruct`: every local actor's
    Delete has been queued to every known server, and from then on the server answers 410
    Gone to everything but the actor documents and WebFinger (moderation.middleware)."""

    started_at = models.DateTimeField(default=timezone.now)
    actors = models.PositiveIntegerField(default=0)
    deliveries = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("self-destruct")
        verbose_name_plural = _("self-destruct")

    def __str__(self):
        return f"self-destruct {self.started_at:%Y-%m-%d %H:%M}"

    @classmethod
    def is_active(cls) -> bool:
        """Asked by every request: memoized per generation of the server's state."""
        return server_state.remembered("self_destruct", cls.objects.exists)


class DomainBlockSeverity(models.TextChoices):
    NONE = "none", _("None")
    LIMIT = "limit", _("Limit")
    SUSPEND = "suspend", _("Suspend")


class DomainBlock(models.Model):
    domain = models.CharField(_("domain"), max_length=255, unique=True)
    severity = models.CharField(
        _("severity"), max_length=10, choices=DomainBlockSeverity.choices,
        default=DomainBlockSeverity.LIMIT,
    )
    reject_media = models.BooleanField(_("reject media files"), default=False)
    reject_reports = models.BooleanField(_("reject reports"), default=False)
    private_comment = models.TextField(_("private comment"), blank=True)
    public_comment = models.TextField(_("public comment"), blank=True)
    obfuscate = models.BooleanField(_("obfuscate the domain in the public list"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["domain"]

    def __str__(self):
        return self.domain

    @property
    def public_domain(self) -> str:
        """The domain as the public list shows it: with its middle starred when obfuscated,
        as Mastodon does, so people who know it can still recognise it."""
        if not self.obfuscate:
            return self.domain
        length = len(self.domain)
        visible = length // 4
        return "".join(
            "*" if visible < i < length - visible and char != "." else char
            for i, char in enumerate(self.domain)
        )

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.domain.encode()).hexdigest()


class DomainAllow(models.Model):
    domain = models.CharField(_("domain"), max_length=255, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["domain"]

    def __str__(self):
        return self.domain


class EmailDomainBlock(models.Model):
    domain = models.CharField(_("domain"), max_length=255, unique=True)
    allow_with_approval = models.BooleanField(
        _("allow sign-ups with approval"), default=False,
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["domain"]
        verbose_name = _("e-mail domain block")

    def __str__(self):
        return self.domain


class IPBlockSeverity(models.TextChoices):
    APPROVAL = "sign_up_requires_approval", _("Sign-ups require approval")
    SIGN_UP_BLOCK = "sign_up_block", _("Sign-ups blocked")
    NO_ACCESS = "no_access", _("No access")


class IPBlockQuerySet(models.QuerySet):
    def active(self):
        # The same rule as IPBlock.unexpired, for a query.
        return self.filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=timezone.now()))


class IPBlock(models.Model):
    # A network in CIDR notation, normalised ("192.0.2.0/24", "2001:db8::/32").
    ip = models.CharField(_("IP range"), max_length=50, unique=True)
    severity = models.CharField(_("severity"), max_length=30, choices=IPBlockSeverity.choices)
    comment = models.TextField(_("comment"), blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = IPBlockQuerySet.as_manager()

    class Meta:
        ordering = ["ip"]
        verbose_name = _("IP block")

    def __str__(self):
        return self.ip

    @staticmethod
    def unexpired(expires_at, now) -> bool:
        return expires_at is None or expires_at > now


class UsernameBlock(models.Model):
    """A word no new username may be (exact) or contain, e.g. names of staff."""

    username = models.CharField(_("word"), max_length=100, unique=True)
    exact = models.BooleanField(_("exact match only"), default=False)
    allow_with_approval = models.BooleanField(_("allow sign-ups with approval"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["username"]

    def __str__(self):
        return self.username


# --- admin-only views of accounts' rows -----------------------------------------------------


class PendingSignupManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(approved=False, is_active=True)


class PendingSignup(User):
    """Sign-ups waiting for a moderator (the approval queue)."""

    objects = PendingSignupManager()

    class Meta:
        proxy = True
        verbose_name = _("pending sign-up")
        verbose_name_plural = _("pending sign-ups")


class ModeratedAccount(Account):
    """An account as moderators see it: its history and the actions they may take."""

    class Meta:
        proxy = True
        verbose_name = _("account (moderation)")
        verbose_name_plural = _("accounts (moderation)")


class AccountModerationState(models.Model):
    """What moderation keeps about an account beyond its strikes: flags that act on what the
    account does next, as opposed to the actions already taken on what it did."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="moderation_state")
    # "Mark media sensitive" also applies to future posts (Mastodon's "sensitized").
    force_sensitive = models.BooleanField(_("new posts marked sensitive"), default=False)
    # A frozen user keeps `is_active=False` (so no token, password grant or API session
    # works) but may log in on the web to read and appeal the decision; this flag is what
    # tells a frozen user from any other inactive one.
    frozen_at = models.DateTimeField(_("frozen"), null=True, blank=True)

    class Meta:
        verbose_name = _("account moderation state")

    def __str__(self):
        return f"@{self.account.acct}"


class ServerSupport(models.Model):
    """The one row of the "support this server" text and funding goal on the landing page."""

    text = models.TextField(_("support this server"), blank=True, help_text=_(
        "Shown on the landing page; leave empty to show nothing."
    ))
    goal_amount = models.DecimalField(
        _("funding goal"), max_digits=12, decimal_places=2, null=True, blank=True,
        help_text=_("Per month, for example the cost of hosting."),
    )
    raised_amount = models.DecimalField(
        _("raised so far"), max_digits=12, decimal_places=2, null=True, blank=True,
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR", help_text=_("ISO 4217 code."))
    link = models.URLField(_("where to give"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("support this server")
        verbose_name_plural = _("support this server")

    def __str__(self):
        return str(_("support this server"))

    @classmethod
    def current(cls) -> "ServerSupport":
        return cls.objects.get_or_create(pk=1)[0]

    @property
    def progress_percent(self) -> int | None:
        if not self.goal_amount or self.raised_amount is None:
            return None
        return min(100, int(self.raised_amount * 100 / self.goal_amount))


# --- announcements ------------------------------------------------------------------------


class AnnouncementQuerySet(models.QuerySet):
    def current(self, now=None):
        """Published and within its dates: an all-day announcement runs whole days."""
        now = now or timezone.now()
        today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        tomorrow = today + timedelta(days=1)
        started = models.Q(starts_at__isnull=True) | models.Q(all_day=False, starts_at__lte=now) | models.Q(
            all_day=True, starts_at__lt=tomorrow,
        )
        not_ended = models.Q(ends_at__isnull=True) | models.Q(all_day=False, ends_at__gt=now) | models.Q(
            all_day=True, ends_at__gte=today,
        )
        return self.filter(started & not_ended, published=True)


class Announcement(models.Model):
    """A message from the staff shown to every user (web home page, Mastodon clients)."""

    text = models.TextField(_("text"), help_text=_("HTML: paragraphs, links and emphasis are kept."))
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    all_day = models.BooleanField(_("all day"), default=False, help_text=_(
        "The dates are whole days: the times are ignored."
    ))
    published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = AnnouncementQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")

    def __str__(self):
        return self.text[:80]


class AnnouncementDismissal(models.Model):
    """A user has read (dismissed) an announcement."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="dismissals")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "announcement"], name="announcement_dismissal_unique"),
        ]


class AnnouncementReaction(models.Model):
    """A user's emoji reaction (unicode only: there are no custom emojis here)."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="reactions")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "announcement", "name"], name="announcement_reaction_unique",
            ),
        ]
