"""Reads for moderation pages: what a reporter may attach, a user's strikes, the public list
of blocked domains, an account's moderation history, and the dashboard's figures."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Min, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import Account, User
from statuses.models import Status

from .models import (
    AccountNote,
    AccountStrike,
    Appeal,
    AppealState,
    DomainBlock,
    DomainBlockSeverity,
    IPBlock,
    Report,
)

REPORTABLE_STATUSES = 40


def report_candidate_statuses(*, reporter: Account, target: Account) -> list[Status]:
    """The target's recent posts and replies that the reporter may see, newest first."""
    from statuses.selectors import account_statuses

    return account_statuses(viewer=reporter, account=target, tab="replies", limit=REPORTABLE_STATUSES)


def strikes_of(*, account: Account) -> list[AccountStrike]:
    return list(AccountStrike.objects.filter(account=account).select_related("appeal"))


def domain_blocks_public() -> list[DomainBlock]:
    """Blocks that do something, for the /about page (comments private stay private)."""
    return list(
        DomainBlock.objects.filter(
            ~Q(severity=DomainBlockSeverity.NONE) | Q(reject_media=True) | Q(reject_reports=True)
        ).order_by("domain")
    )


@dataclass
class AccountHistory:
    reports: list[Report]
    strikes: list[AccountStrike]
    notes: list[AccountNote]


def account_history(*, account: Account, exclude_report: Report | None = None) -> AccountHistory:
    reports = Report.objects.filter(target_account=account).select_related("account").order_by("-created_at")
    if exclude_report is not None:
        reports = reports.exclude(pk=exclude_report.pk)
    return AccountHistory(
        reports=list(reports[:50]),
        strikes=list(
            AccountStrike.objects.filter(account=account).select_related("created_by", "appeal")
        ),
        notes=list(AccountNote.objects.filter(account=account).select_related("author")),
    )


def ip_blocks_export() -> list[str]:
    """Active blocks as "network severity" lines, the form `ip_blocks add` reads back."""
    return [f"{block.ip} {block.severity}" for block in IPBlock.objects.active().order_by("ip")]


def _per_day(queryset, field: str, since) -> dict:
    rows = (
        queryset.filter(**{f"{field}__gte": since})
        .annotate(day=TruncDate(field))
        .values("day")
        .annotate(n=Count("pk"))
    )
    return {row["day"]: row["n"] for row in rows}


@dataclass
class Day:
    day: date
    signups: int
    posts: int


@dataclass
class Dashboard:
    days: list[Day]
    active_users: int
    open_reports: int
    pending_appeals: int
    pending_approvals: int
    known_servers: int
    failing_servers: int
    failing_deliveries: int
    # Queue backlog: durable work rows not done yet, and since when the oldest waits.
    pending_deliveries: int = 0
    oldest_pending_delivery: datetime | None = None
    pending_inbox: int = 0
    oldest_pending_inbox: datetime | None = None


def dashboard(*, now=None) -> Dashboard:
    """The figures of the last week, per day where it makes sense."""
    from federation.models import (  # federation depends on us, not at import
        Delivery,
        InboxActivity,
        Instance,
    )

    now = now or timezone.now()
    since = (now - timedelta(days=7)).replace(hour=0, minute=0, second=0, microsecond=0)
    signups = _per_day(User.objects.all(), "date_joined", since)
    posts = _per_day(Status.objects.local().without_reblogs(), "created_at", since)
    return Dashboard(
        days=[
            Day(day, signups.get(day, 0), posts.get(day, 0))
            for day in (since.date() + timedelta(days=i) for i in range(8))
        ],
        active_users=User.objects.filter(last_login__gte=now - timedelta(days=30)).count(),
        open_reports=Report.objects.unresolved().count(),
        pending_appeals=Appeal.objects.filter(state=AppealState.PENDING).count(),
        pending_approvals=User.objects.filter(approved=False, is_active=True).count(),
        known_servers=Account.objects.remote().values("domain").distinct().count(),
        failing_servers=Instance.objects.filter(
            Q(unavailable=True) | Q(failing_since__isnull=False)
        ).count(),
        failing_deliveries=Delivery.objects.filter(state=Delivery.State.FAILED).count(),
        **_backlog(
            "delivery", Delivery.objects.filter(state__in=[Delivery.State.PENDING, Delivery.State.SENDING]),
            "created_at",
        ),
        **_backlog(
            "inbox", InboxActivity.objects.filter(
                state__in=[InboxActivity.State.PENDING, InboxActivity.State.PROCESSING],
            ),
            "received_at",
        ),
    )


def _backlog(kind: str, queryset, field: str) -> dict:
    figures = queryset.aggregate(count=Count("pk"), oldest=Min(field))
    plural = "deliveries" if kind == "delivery" else kind
    return {f"pending_{plural}": figures["count"], f"oldest_pending_{kind}": figures["oldest"]}


def account_forces_sensitive(*, account: Account) -> bool:
    """Whether moderators marked this account's media sensitive, future posts included."""
    from .models import AccountModerationState

    return AccountModerationState.objects.filter(account=account, force_sensitive=True).exists()


def user_is_frozen(user) -> bool:
    """A frozen user: inactive because a moderator froze them (not for any other reason)."""
    from .models import AccountModerationState

    return (
        user is not None and user.pk is not None and not user.is_active
        and AccountModerationState.objects.filter(account__user=user, frozen_at__isnull=False).exists()
    )
