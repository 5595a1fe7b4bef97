"""Posts scheduled for later (Mastodon's scheduled statuses). The row is the work: it is
checked like a post when it is made, and published through `status_create` by a delayed
task or, if that message is lost (or tasks run in-process), by the periodic sweep."""

import logging
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Account
from config.errors import ApplicationError, NotFoundError

from .models import IdempotencyKey, MediaAttachment, ScheduledStatus, Status, Visibility
from .permissions import is_visible_to
from .polls import poll_check, poll_create
from .services import media_to_attach, post_input_check, status_create

logger = logging.getLogger(__name__)

# Mastodon's rules for scheduled statuses.
SCHEDULE_MIN_AHEAD = timedelta(minutes=5)
SCHEDULED_MAX_TOTAL = 300
SCHEDULED_MAX_PER_DAY = 50
SWEEP_BATCH = 500


class ScheduleError(ApplicationError):
    status_code = 422


def _check_schedule(*, account: Account, scheduled_at: datetime,
                    moving: ScheduledStatus | None = None) -> None:
    if scheduled_at < timezone.now() + SCHEDULE_MIN_AHEAD:
        raise ScheduleError(
            _("A post can only be scheduled at least 5 minutes ahead."), field="scheduled_at",
        )
    pending = ScheduledStatus.objects.filter(account=account)
    if moving is not None:
        pending = pending.exclude(pk=moving.pk)
    elif pending.count() >= SCHEDULED_MAX_TOTAL:
        raise ScheduleError(
            _("You cannot schedule more than %(n)d posts.") % {"n": SCHEDULED_MAX_TOTAL},
            field="scheduled_at",
        )
    day = scheduled_at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if pending.filter(scheduled_at__gte=day, scheduled_at__lt=day + timedelta(days=1)).count() >= (
        SCHEDULED_MAX_PER_DAY
    ):
        raise ScheduleError(
            _("You cannot schedule more than %(n)d posts on one day.") % {"n": SCHEDULED_MAX_PER_DAY},
            field="scheduled_at",
        )


@transaction.atomic
def scheduled_status_create(
    *,
    author: Account,
    scheduled_at: datetime,
    text: str,
    visibility: str = Visibility.PUBLIC,
    spoiler_text: str = "",
    sensitive: bool = False,
    language: str = "",
    in_reply_to: Status | None = None,
    media_ids: list[int] | None = None,
    poll: dict | None = None,
    application=None,
    idempotency: str | None = None,
) -> ScheduledStatus:
    """Schedule a post: checked now as `status_create` would check it, its media reserved,
    a task enqueued for its time. The same idempotency key returns the row already made."""
    media_ids = [int(i) for i in media_ids or []]
    idempotency = (idempotency or "").strip()[:IdempotencyKey._meta.get_field("key").max_length] or None
    if idempotency:
        existing = ScheduledStatus.objects.filter(account=author, params__idempotency=idempotency).first()
        if existing is not None:
            return existing
    # One scheduling at a time per account, so that two requests cannot both pass the limits.
    Account.objects.select_for_update().filter(pk=author.pk).first()
    in_reply_to = post_input_check(
        author=author, text=text.strip(), spoiler_text=spoiler_text.strip(), visibility=visibility,
        in_reply_to=in_reply_to, has_media=bool(media_ids),
    )
    media = media_to_attach(author=author, media_ids=media_ids)
    if poll is not None:
        options = poll_check(options=poll["options"], expires_in=poll["expires_in"], has_media=bool(media))
        poll = {"multiple": False, "hide_totals": False, **poll, "options": options}
    _check_schedule(account=author, scheduled_at=scheduled_at)
    scheduled = ScheduledStatus.objects.create(
        account=author, scheduled_at=scheduled_at,
        params={
            "text": text, "visibility": visibility, "spoiler_text": spoiler_text,
            "sensitive": sensitive, "language": language or None,
            "in_reply_to_id": in_reply_to.pk if in_reply_to else None,
            "media_ids": [str(i) for i in media_ids] or None, "poll": poll,
            "application_id": application.pk if application is not None else None,
            "idempotency": idempotency,
        },
    )
    MediaAttachment.objects.filter(pk__in=[m.pk for m in media]).update(scheduled_status=scheduled)
    _enqueue_on_commit(scheduled)
    return scheduled


def _enqueue_on_commit(scheduled: ScheduledStatus) -> None:
    from .tasks import publish_scheduled_status

    delay_ms = max(0, int((scheduled.scheduled_at - timezone.now()).total_seconds() * 1000))
    transaction.on_commit(
        lambda: publish_scheduled_status.send_with_options(args=(scheduled.pk,), delay=delay_ms)
    )


@transaction.atomic
def scheduled_status_update(*, scheduled: ScheduledStatus, by: Account,
                            scheduled_at: datetime) -> ScheduledStatus:
    """Move a scheduled post to another time (the same rules as scheduling it)."""
    if scheduled.account_id != by.pk:
        raise NotFoundError()
    Account.objects.select_for_update().filter(pk=by.pk).first()
    _check_schedule(account=by, scheduled_at=scheduled_at, moving=scheduled)
    scheduled.scheduled_at = scheduled_at
    scheduled.save(update_fields=["scheduled_at"])
    # The earlier message finds the row not yet due and does nothing.
    _enqueue_on_commit(scheduled)
    return scheduled


def scheduled_status_delete(*, scheduled: ScheduledStatus, by: Account) -> None:
    """Cancel a scheduled post; its media are free again."""
    if scheduled.account_id != by.pk:
        raise NotFoundError()
    scheduled.delete()


def scheduled_status_publish(*, scheduled_status_id: int, now: datetime | None = None) -> Status | None:
    """Post a due scheduled status, at most once: the row is claimed (locked, skipping rows
    another worker holds) and deleted in the transaction that posts it. A post that can no
    longer be made (its author suspended, its text refused) is dropped with a log line."""
    from oauth2_provider.models import get_application_model

    now = now or timezone.now()
    with transaction.atomic():
        scheduled = (
            ScheduledStatus.objects.select_for_update(skip_locked=True)
            .filter(pk=scheduled_status_id, scheduled_at__lte=now).first()
        )
        if scheduled is None:
            return None
        scheduled.delete()  # releases the reserved media for status_create
        author = Account.objects.get(pk=scheduled.account_id)
        params = scheduled.params
        # As Mastodon: a reply whose parent is gone (or hidden since) is posted on its own.
        in_reply_to = Status.objects.filter(pk=params.get("in_reply_to_id") or 0).first()
        if in_reply_to is not None and not is_visible_to(in_reply_to, author):
            in_reply_to = None
        application = get_application_model().objects.filter(pk=params.get("application_id") or 0).first()
        media_ids = [int(i) for i in params.get("media_ids") or []]
        present = set(MediaAttachment.objects.filter(pk__in=media_ids).values_list("pk", flat=True))
        try:
            if author.is_suspended:
                raise ApplicationError("the author is suspended")
            with transaction.atomic():
                status = status_create(
                    author=author, text=params["text"], visibility=params["visibility"],
                    spoiler_text=params.get("spoiler_text") or "", sensitive=bool(params.get("sensitive")),
                    language=params.get("language") or "", in_reply_to=in_reply_to,
                    media_ids=[i for i in media_ids if i in present], application=application,
                )
                if params.get("poll"):
                    poll_create(status=status, **params["poll"])
        except ApplicationError as error:
            logger.warning("scheduled status %s of %s dropped: %s", scheduled_status_id, author.acct, error)
            return None
    return status


def scheduled_statuses_publish_due(*, now: datetime | None = None) -> int:
    """The sweep's part: publish every overdue scheduled status (whose message was lost, or
    never delayed: in-process tasks run at once). Returns how many were posted."""
    now = now or timezone.now()
    due = ScheduledStatus.objects.filter(scheduled_at__lte=now).order_by("scheduled_at")
    published = 0
    for scheduled_id in list(due.values_list("pk", flat=True)[:SWEEP_BATCH]):
        if scheduled_status_publish(scheduled_status_id=scheduled_id, now=now) is not None:
            published += 1
    return published
