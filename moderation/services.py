"""Moderation writes about accounts: actions (strikes) and their lifting, erasure, appeals,
roles, sign-up approvals, and the periodic sweep. Every staff action checks the actor's
permission and writes an audit log entry; `by=None` is the operator at the console.
Reports live in moderation/reports.py, instance-level blocks in moderation/blocks.py."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Account, Block, Follow, FollowRequest, KeyPair, Mute, Notification, User
from accounts.services import user_tokens_revoke
from config.errors import ApplicationError, ForbiddenError, NotFoundError
from statuses.models import Bookmark, Favourite, MediaAttachment, Status

from .audit import SWEEP, audit_log, staff_require
from .models import (
    COMMENT_MAX_LENGTH,
    TIMED_ACTIONS,
    AccountModerationState,
    AccountStrike,
    Appeal,
    AppealState,
    Report,
    ScheduledErasure,
    StrikeAction,
)
from .reports import report_resolve
from .roles import ADMIN, MODERATOR, OWNER, RANKS, user_rank

# How long a suspended account's data is kept (for an appeal) before it is erased.
SUSPENSION_RETENTION = timedelta(days=30)
# Strikes may be appealed for this long: before the data of a suspension is gone.
APPEAL_WINDOW = timedelta(days=20)
ROLE_GROUPS = {"owner": OWNER, "admin": ADMIN, "moderator": MODERATOR}


class ModerationActionError(ApplicationError):
    pass


class AppealError(ApplicationError):
    pass


def _check_may_act_on(*, account: Account, by: User | None) -> None:
    if by is None:
        return
    if account.user_id is not None and account.user_id == by.pk:
        raise ModerationActionError(_("You cannot take moderation action against yourself."))
    # As in Mastodon, staff are moderated only by those ranked above them.
    if account.user is not None and user_rank(account.user) >= max(user_rank(by), 1):
        raise ForbiddenError(_("Only someone above this staff member may act against them."))


# --- account actions ----------------------------------------------------------------------


def _sessions_revoke(user: User) -> None:
    """Log the user out everywhere. Database-backed sessions are not indexed by user, so
    this reads the unexpired ones; cookie or cache sessions cannot be listed, and for those
    the suspension middleware and `is_active` are what keep the user out."""
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        return
    for session in store.get_model_class().objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get(SESSION_KEY) == str(user.pk):
            store(session.session_key).delete()


def _snapshot(statuses) -> list[dict]:
    return [
        {"id": str(s.pk), "url": s.get_absolute_url(), "text": s.text, "content": s.content,
         "created_at": s.created_at.isoformat()}
        for s in statuses
    ]


def _account_statuses(account: Account, status_ids) -> list[Status]:
    ids = {int(i) for i in status_ids}
    statuses = list(Status.objects.filter(pk__in=ids, account=account).select_related("account"))
    if len(statuses) != len(ids):
        raise ModerationActionError(_("These posts are not all by this account."))
    return statuses


def _strike_create(
    *, account: Account, action: str, by: User | None, reason: str, report: Report | None,
    statuses=(), ends_at=None, notify: bool = False,
) -> AccountStrike:
    strike = AccountStrike.objects.create(
        account=account, action=action, text=reason.strip(), report=report,
        statuses_snapshot=_snapshot(statuses), created_by=by, ends_at=ends_at,
    )
    audit_log(
        by=by, action=f"account.{action}", target=account, reason=strike.text,
        details={
            "strike": strike.pk,
            "report": report.pk if report else None,
            "statuses": [str(s.pk) for s in statuses],
            "until": ends_at.isoformat() if ends_at else None,
        },
    )
    if report is not None and not report.is_resolved:
        report_resolve(report=report, by=by, reason=_("Action taken: %(action)s") % {
            "action": strike.get_action_display()})
    if notify and account.user_id is not None:
        from .tasks import strike_email_send

        transaction.on_commit(lambda: strike_email_send.send(strike.pk))
    return strike


def _check_duration(action: str, duration: timedelta | None):
    if duration is None:
        return None
    if action not in TIMED_ACTIONS:
        raise ModerationActionError(_("Only limits and freezes can be timed."))
    if duration <= timedelta(0):
        raise ModerationActionError(_("A duration must be positive."), field="duration")
    return timezone.now() + duration


@transaction.atomic
def account_action(
    *,
    account: Account,
    action: str,
    by: User | None,
    reason: str = "",
    report: Report | None = None,
    status_ids=(),
    duration: timedelta | None = None,
    notify: bool = False,
) -> AccountStrike:
    """Take a moderation action against an account and record it as a strike its owner sees
    (with `reason`, and by e-mail if `notify`). Resolves `report` if given. Limits and
    freezes may last `duration`, then the sweep lifts them."""
    staff_require(by, "moderation.take_action")
    if action not in StrikeAction.values:
        raise ModerationActionError(_("Unknown action."), field="action")
    _check_may_act_on(account=account, by=by)
    if report is not None and report.target_account_id != account.pk:
        raise ModerationActionError(_("This report is about another account."))
    ends_at = _check_duration(action, duration)
    handler = _ACTIONS[action]
    statuses = handler(account=account, by=by, status_ids=status_ids)
    return _strike_create(
        account=account, action=action, by=by, reason=reason, report=report,
        statuses=statuses, ends_at=ends_at, notify=notify,
    )


def _warn(*, account, by, status_ids):
    return _account_statuses(account, status_ids)


def _state_update(account: Account, **fields) -> int:
    """Set flags of the account's moderation state (made on first use); how many changed."""
    AccountModerationState.objects.get_or_create(account=account)
    return AccountModerationState.objects.filter(account=account).update(**fields)


def _mark_sensitive(*, account, by, status_ids):
    # Future posts too: status_create consults the flag until an appeal reverses it.
    _state_update(account, force_sensitive=True)
    if status_ids:
        statuses = _account_statuses(account, status_ids)
    else:
        with_media = MediaAttachment.objects.filter(status__isnull=False).values("status")
        statuses = list(Status.objects.filter(account=account, pk__in=with_media))
    Status.objects.filter(pk__in=[s.pk for s in statuses]).update(sensitive=True)
    return statuses


def _delete_statuses(*, account, by, status_ids):
    from statuses.services import status_delete

    statuses = _account_statuses(account, status_ids)
    if not statuses:
        raise ModerationActionError(_("Choose the posts to remove."), field="status_ids")
    for status in statuses:
        # Deleting in the author's name reuses the one deletion path (boosts, media files,
        # feeds); the moderator is who the strike and the audit log name.
        status_delete(status=status, by=account)
    return statuses


def _freeze(*, account, by, status_ids):
    if account.user is None:
        raise ModerationActionError(_("Only local accounts can be frozen."))
    # Inactive users get no API token or session but through moderation.backends, which
    # lets a frozen one log in on the web, kept by the middleware to the strikes pages.
    if not User.objects.filter(pk=account.user_id, is_active=True).update(is_active=False):
        raise ModerationActionError(_("This account is already frozen."))
    _state_update(account, frozen_at=timezone.now())
    account.user.is_active = False
    _sessions_revoke(account.user)
    user_tokens_revoke(user=account.user)
    return _account_statuses(account, status_ids)


def _limit(*, account, by, status_ids):
    now = timezone.now()
    if not Account.objects.filter(pk=account.pk, silenced_at__isnull=True).update(silenced_at=now):
        raise ModerationActionError(_("This account is already limited."))
    account.silenced_at = now
    return _account_statuses(account, status_ids)


def _suspend(*, account, by, status_ids):
    statuses = _account_statuses(account, status_ids)
    now = timezone.now()
    if not Account.objects.filter(pk=account.pk, suspended_at__isnull=True).update(suspended_at=now):
        raise ModerationActionError(_("This account is already suspended."))
    account.suspended_at = now
    ScheduledErasure.objects.update_or_create(
        account=account, defaults={"due_at": now + SUSPENSION_RETENTION},
    )
    if account.user is not None:
        _sessions_revoke(account.user)
        user_tokens_revoke(user=account.user)
    if account.is_local:
        from .tasks import account_suspension_federate

        transaction.on_commit(lambda: account_suspension_federate.send(account.pk))
    return statuses


_ACTIONS = {
    StrikeAction.WARN: _warn,
    StrikeAction.MARK_SENSITIVE: _mark_sensitive,
    StrikeAction.DELETE_STATUSES: _delete_statuses,
    StrikeAction.FREEZE: _freeze,
    StrikeAction.LIMIT: _limit,
    StrikeAction.SUSPEND: _suspend,
}


def account_delete_activity(account: Account) -> dict:
    """The Delete of the actor that tells peers a local account is gone (suspended)."""
    from federation.activitypub.activities import render_delete_actor

    return render_delete_actor(account)


def account_suspension_deliver(*, account_id: int) -> None:
    """Tell every server we know that a suspended local account is gone (Delete of the
    actor), as Mastodon does; deliveries are unique, so a second run adds nothing."""
    from federation.services.delivery import deliveries_create

    account = Account.objects.filter(pk=account_id, domain__isnull=True, suspended_at__isnull=False).first()
    if account is None:
        return
    known = Account.objects.remote().not_suspended().values_list("shared_inbox_url", "inbox_url").distinct()
    deliveries_create(
        activity=account_delete_activity(account), signer=account,
        inboxes={shared or inbox for shared, inbox in known},
    )


def _lift_strikes(account: Account, action: str) -> None:
    AccountStrike.objects.filter(
        account=account, action=action, lifted_at__isnull=True, overruled_at__isnull=True,
    ).update(lifted_at=timezone.now())


@transaction.atomic
def account_unsuspend(*, account: Account, by: User | None, reason: str = "") -> Account:
    """Lift a suspension while the data is kept; after erasure there is nothing to restore."""
    staff_require(by, "moderation.take_action")
    _check_may_act_on(account=account, by=by)
    account.refresh_from_db(fields=["suspended_at", "user"])
    if account.is_local and account.user_id is None:
        raise ModerationActionError(_("This account's data has been erased; it cannot come back."))
    if not Account.objects.filter(pk=account.pk, suspended_at__isnull=False).update(suspended_at=None):
        raise ModerationActionError(_("This account is not suspended."))
    account.suspended_at = None
    ScheduledErasure.objects.filter(account=account).delete()
    _lift_strikes(account, StrikeAction.SUSPEND)
    if account.is_local:
        from federation.services.outbound import publish_on_commit

        # Peers deleted the actor; an Update makes them fetch it again.
        publish_on_commit("profile", account.pk)
    audit_log(by=by, action="account.unsuspend", target=account, reason=reason)
    return account


@transaction.atomic
def account_unlimit(*, account: Account, by: User | None, reason: str = "") -> Account:
    staff_require(by, "moderation.take_action")
    _check_may_act_on(account=account, by=by)
    if not Account.objects.filter(pk=account.pk, silenced_at__isnull=False).update(silenced_at=None):
        raise ModerationActionError(_("This account is not limited."))
    account.silenced_at = None
    _lift_strikes(account, StrikeAction.LIMIT)
    audit_log(by=by, action="account.unlimit", target=account, reason=reason)
    return account


@transaction.atomic
def account_unfreeze(*, account: Account, by: User | None, reason: str = "") -> Account:
    staff_require(by, "moderation.take_action")
    _check_may_act_on(account=account, by=by)
    if account.user is None or not User.objects.filter(pk=account.user_id, is_active=False).update(
        is_active=True
    ):
        raise ModerationActionError(_("This account is not frozen."))
    _state_update(account, frozen_at=None)
    account.user.is_active = True
    _lift_strikes(account, StrikeAction.FREEZE)
    audit_log(by=by, action="account.unfreeze", target=account, reason=reason)
    return account


def _timed_actions_lift(now) -> int:
    """Lift limits and freezes whose time is up (unless a longer one still holds)."""
    lifted = 0
    due = AccountStrike.objects.filter(
        action__in=TIMED_ACTIONS, ends_at__lte=now, lifted_at__isnull=True,
        overruled_at__isnull=True,
    ).select_related("account__user")
    for strike in due:
        # Claim the strike: a sweep running twice lifts it once.
        if not AccountStrike.objects.filter(pk=strike.pk, lifted_at__isnull=True).update(lifted_at=now):
            continue
        still_active = AccountStrike.objects.filter(
            account=strike.account, action=strike.action, lifted_at__isnull=True,
            overruled_at__isnull=True,
        ).filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        if still_active.exists():
            continue
        account = strike.account
        if strike.action == StrikeAction.LIMIT and account.silenced_at is not None:
            Account.objects.filter(pk=account.pk).update(silenced_at=None)
            audit_log(by=None, actor_name=SWEEP, action="account.unlimit", target=account,
                      reason=_("The limit's time was up."))
            lifted += 1
        elif strike.action == StrikeAction.FREEZE and account.user and not account.user.is_active:
            User.objects.filter(pk=account.user_id).update(is_active=True)
            _state_update(account, frozen_at=None)
            audit_log(by=None, actor_name=SWEEP, action="account.unfreeze", target=account,
                      reason=_("The freeze's time was up."))
            lifted += 1
    return lifted


# --- erasure ------------------------------------------------------------------------------


@transaction.atomic
def account_erase(*, account: Account) -> None:
    """Erase what an account has posted and who it is (statuses, media, relationships,
    profile, login). The row stays, suspended, so its name is never taken by someone else
    and its strikes and reports remain on record."""
    from federation.services.outbound import inbound
    from statuses.services import status_delete

    if not account.is_suspended:
        raise ModerationActionError(_("Only a suspended account can be erased."))
    # Peers were sent the Delete of the actor at suspension: no Delete per post.
    with inbound():
        for status in Status.objects.filter(account=account, reblog__isnull=True).iterator():
            status_delete(status=status, by=account)
    Status.objects.filter(account=account).delete()  # its boosts of others' posts
    for media in MediaAttachment.objects.filter(account=account):
        media.file.delete(save=False)
        media.thumbnail.delete(save=False)
        media.delete()
    for model in (Follow, FollowRequest, Block, Mute):
        model.objects.filter(Q(account=account) | Q(target_account=account)).delete()
    Favourite.objects.filter(account=account).delete()
    Bookmark.objects.filter(account=account).delete()
    Notification.objects.filter(Q(account=account) | Q(from_account=account)).delete()
    account.avatar.delete(save=False)
    account.header.delete(save=False)
    user = account.user
    account.user = None
    account.display_name = account.note = account.note_html = ""
    account.fields = []
    # The key pair stays: the Delete of the actor (sent once this commits, retried for
    # days) must be signed with the key peers hold, or they cannot verify it.
    account.save()
    if user is not None:
        user.delete()
    ScheduledErasure.objects.filter(account=account).delete()


@transaction.atomic
def account_delete(*, account: Account, by: User | None, reason: str = "") -> None:
    """Suspend (telling peers) and erase at once: the operator's `accounts delete`."""
    staff_require(by, "moderation.take_action")
    if not account.is_suspended:
        account_action(account=account, action=StrikeAction.SUSPEND, by=by, reason=reason)
        account.refresh_from_db()
    account_erase(account=account)
    audit_log(by=by, action="account.delete", target=account, reason=reason)


def _erasures_run(now) -> int:
    erased = 0
    for scheduled in ScheduledErasure.objects.filter(due_at__lte=now).select_related("account"):
        account = scheduled.account
        if not account.is_suspended:
            scheduled.delete()
            continue
        account_erase(account=account)
        audit_log(by=None, actor_name=SWEEP, action="account.erase", target=account,
                  reason=_("Suspended for %(days)d days.") % {"days": SUSPENSION_RETENTION.days})
        erased += 1
    return erased


# --- appeals ------------------------------------------------------------------------------


@transaction.atomic
def appeal_create(*, strike: AccountStrike, user: User, text: str) -> Appeal:
    """The strike's owner appeals it, once, within APPEAL_WINDOW."""
    if strike.account.user_id != user.pk:
        raise NotFoundError()
    text = text.strip()
    if not text:
        raise AppealError(_("Say why this decision should be reversed."), field="text")
    if len(text) > COMMENT_MAX_LENGTH * 2:
        raise AppealError(
            _("An appeal has at most %(n)d characters.") % {"n": COMMENT_MAX_LENGTH * 2}, field="text",
        )
    if strike.overruled_at is not None:
        raise AppealError(_("This decision has already been reversed."))
    if timezone.now() > strike.created_at + APPEAL_WINDOW:
        raise AppealError(_("The time to appeal this decision is over."))
    try:
        with transaction.atomic():
            return Appeal.objects.create(strike=strike, text=text)
    except IntegrityError:
        raise AppealError(_("You have already appealed this decision.")) from None


def _strike_reverse(strike: AccountStrike, by: User | None, reason: str) -> None:
    account = Account.objects.select_related("user").get(pk=strike.account_id)
    active = strike.lifted_at is None
    if strike.action == StrikeAction.SUSPEND and active and account.is_suspended:
        account_unsuspend(account=account, by=by, reason=reason)
    elif strike.action == StrikeAction.LIMIT and active and account.silenced_at is not None:
        account_unlimit(account=account, by=by, reason=reason)
    elif strike.action == StrikeAction.FREEZE and active and account.user and not account.user.is_active:
        account_unfreeze(account=account, by=by, reason=reason)
    elif strike.action == StrikeAction.MARK_SENSITIVE:
        ids = [int(item["id"]) for item in strike.statuses_snapshot]
        Status.objects.filter(pk__in=ids, account=account).update(sensitive=False)
        _state_update(account, force_sensitive=False)
    # Removed posts cannot be restored: the reversal is recorded on the strike.


@transaction.atomic
def appeal_approve(*, appeal: Appeal, by: User | None, reason: str = "") -> Appeal:
    """Approve an appeal: the strike is overruled and its action undone where it can be."""
    staff_require(by, "moderation.change_appeal")
    if appeal.state != AppealState.PENDING:
        raise AppealError(_("This appeal has already been decided."))
    strike = appeal.strike
    _strike_reverse(strike, by, reason or _("Appeal approved."))
    AccountStrike.objects.filter(pk=strike.pk).update(overruled_at=timezone.now())
    appeal.state, appeal.decided_by, appeal.decided_at = AppealState.APPROVED, by, timezone.now()
    appeal.save(update_fields=["state", "decided_by", "decided_at"])
    audit_log(by=by, action="appeal.approve", target=strike.account, reason=reason,
              details={"strike": strike.pk, "appeal": appeal.pk})
    return appeal


@transaction.atomic
def appeal_reject(*, appeal: Appeal, by: User | None, reason: str = "") -> Appeal:
    staff_require(by, "moderation.change_appeal")
    if appeal.state != AppealState.PENDING:
        raise AppealError(_("This appeal has already been decided."))
    appeal.state, appeal.decided_by, appeal.decided_at = AppealState.REJECTED, by, timezone.now()
    appeal.save(update_fields=["state", "decided_by", "decided_at"])
    audit_log(by=by, action="appeal.reject", target=appeal.strike.account, reason=reason,
              details={"strike": appeal.strike_id, "appeal": appeal.pk})
    return appeal


# --- roles and sign-ups -------------------------------------------------------------------


@transaction.atomic
def user_role_change(*, user: User, role: str | None, by: User | None) -> User:
    """Give `user` one role (owner, admin, moderator) or none. Staff may change the role of
    people ranked below them, to a role below their own; the console may do anything."""
    from accounts.services import user_role_set

    if role is not None and role not in ROLE_GROUPS:
        raise ApplicationError(_("Unknown role: %(role)s") % {"role": role})
    if by is not None:
        rank = user_rank(by)
        if rank < RANKS[ADMIN]:
            raise ForbiddenError(_("Only admins may change roles."))
        wanted = RANKS[ROLE_GROUPS[role]] if role else 0
        if by.pk == user.pk or user_rank(user) >= rank or wanted >= rank:
            raise ForbiddenError(_("You may only give roles below your own to people below you."))
    user.groups.remove(*Group.objects.filter(name__in=ROLE_GROUPS.values()))
    if role is None:
        User.objects.filter(pk=user.pk).update(is_staff=False, is_superuser=False)
        user.is_staff = user.is_superuser = False
    else:
        user_role_set(user=user, role=role)
    audit_log(by=by, action="user.role", target=_user_target(user), details={"role": role})
    return user


def _user_target(user: User):
    return getattr(user, "account", None) or user


@transaction.atomic
def signup_approve(*, user: User, by: User | None) -> User:
    from accounts.services import user_approve

    staff_require(by, "moderation.change_pendingsignup")
    if user.approved:
        return user
    user_approve(user=user)
    user.approved = True
    audit_log(by=by, action="signup.approve", target=user.account)
    return user


@transaction.atomic
def signup_reject(*, user: User, by: User | None, reason: str = "") -> None:
    """Refuse a pending sign-up: the user and its account are deleted, the name freed."""
    staff_require(by, "moderation.change_pendingsignup")
    if user.approved:
        raise ModerationActionError(_("This account is already approved."))
    audit_log(by=by, action="signup.reject", target=f"@{user.username} <{user.email}>", reason=reason)
    user.delete()


def moderation_sweep(*, now=None) -> dict[str, int]:
    """The periodic work: lift timed actions, erase accounts suspended long enough, drop
    expired IP blocks, close open sign-ups nobody is watching, publish overdue scheduled
    posts, queue a refill of the key pool when it is not full. Safe to run twice."""
    from statuses.scheduled import scheduled_statuses_publish_due

    from .blocks import ip_blocks_expire, registrations_auto_close

    now = now or timezone.now()
    done = {
        "lifted": _timed_actions_lift(now),
        "erased": _erasures_run(now),
        "ip_blocks_expired": ip_blocks_expire(now=now),
        "registrations_closed": int(registrations_auto_close(now=now)),
        "scheduled_published": scheduled_statuses_publish_due(now=now),
    }
    if KeyPair.objects.count() < settings.KEY_POOL_SIZE:
        from accounts.tasks import key_pool_refill

        key_pool_refill.send()
    return done
