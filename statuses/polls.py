"""Polls made with a status (now or, for a scheduled post, when it is published): the
limits Mastodon announces, checked before anything is stored."""

from datetime import timedelta

from django.utils import timezone

from config.errors import ApplicationError

from .models import Poll, Status

POLL_OPTIONS_MIN = 2
POLL_OPTIONS_MAX = 4
POLL_OPTION_MAX_CHARS = 50
POLL_MIN_SECONDS = 300
POLL_MAX_SECONDS = 2_629_746


class PollError(ApplicationError):
    pass


def poll_check(*, options: list[str], expires_in: int, has_media: bool) -> list[str]:
    """The options, trimmed, if the poll is acceptable; PollError otherwise."""
    options = [option.strip() for option in options]
    if not POLL_OPTIONS_MIN <= len(options) <= POLL_OPTIONS_MAX:
        raise PollError(f"A poll has {POLL_OPTIONS_MIN} to {POLL_OPTIONS_MAX} options", field="poll")
    if any(not option for option in options) or len(set(options)) != len(options):
        raise PollError("Poll options must be different and not empty", field="poll")
    if not POLL_MIN_SECONDS <= expires_in <= POLL_MAX_SECONDS:
        raise PollError("A poll lasts between five minutes and a month", field="poll")
    if has_media:
        raise PollError("A post cannot have both a poll and attachments", field="poll")
    return options


def poll_create(*, status: Status, options: list[str], expires_in: int, multiple: bool = False,
                hide_totals: bool = False) -> Poll:
    """Attach a poll to a just-made status (inside its transaction)."""
    options = poll_check(options=options, expires_in=expires_in, has_media=status.media.exists())
    return Poll.objects.create(
        status=status, options=options, multiple=multiple, hide_totals=hide_totals,
        expires_at=timezone.now() + timedelta(seconds=expires_in),
    )
