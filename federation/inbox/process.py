"""Processing of one stored activity: claim the row, dispatch, record the outcome."""

import logging

from django.db.models import F
from django.utils import timezone

from config import compiled_queries
from config.errors import ApplicationError
from federation.activitypub.activities import parse_activity
from federation.http import RemoteFetchError
from federation.models import InboxActivity
from federation.services.actors import domain_is_blocked
from federation.services.delivery import instance_heard_from
from federation.services.statuses import OriginError

from .handlers import dispatch

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def _finish(row_id: int, state: str, error: str = "") -> None:
    InboxActivity.objects.filter(pk=row_id).update(state=state, error=error[:2000],
                                                   updated_at=timezone.now())


def _with_signer(pk: int):
    # Through compiled_queries: Django compiling this join cost more CPU than the handler's
    # own queries.
    return InboxActivity.objects.select_related("signer").filter(pk=pk)


def inbox_activity_process(*, inbox_activity_id: int) -> None:
    """Run the handler once. Refusals (origin, parse, domain rules) mark the row failed;
    a transient fetch failure puts it back to pending and raises so the task retries."""
    claimed = InboxActivity.objects.filter(
        pk=inbox_activity_id, state=InboxActivity.State.PENDING,
    ).update(state=InboxActivity.State.PROCESSING, attempts=F("attempts") + 1, updated_at=timezone.now())
    if not claimed:
        return
    row = compiled_queries.instances(_with_signer, pk=inbox_activity_id)[0]
    if row.signer is None:
        _finish(row.pk, InboxActivity.State.FAILED, "The signer is gone.")
        return
    # The inbox may have let this in on a memoized signer: suspension is read fresh here
    # (the row came with the signer); a domain block counts at once (moderation.blocks).
    if row.signer.is_suspended or domain_is_blocked(row.signer.domain or ""):
        _finish(row.pk, InboxActivity.State.FAILED, "Dropped: the signer or its domain is refused.")
        return
    instance_heard_from(row.signer.domain or "")  # a server marked unavailable is back
    try:
        activity = parse_activity(row.payload)
        # No transaction around the handler: it may fetch from the network, and a write
        # transaction held meanwhile would stall every other writer (SQLite locks the
        # whole database). The services it calls are atomic each.
        dispatch(activity, row.signer)
    except RemoteFetchError as error:
        if error.transient and row.attempts < MAX_ATTEMPTS:
            _finish(row.pk, InboxActivity.State.PENDING, error.message)
            raise
        _finish(row.pk, InboxActivity.State.FAILED, error.message)
        return
    except (OriginError, ApplicationError) as error:
        logger.info("refused %s: %s", row.activity_id, error)
        _finish(row.pk, InboxActivity.State.FAILED, str(error))
        return
    except Exception as error:
        _finish(row.pk, InboxActivity.State.FAILED, f"{type(error).__name__}: {error}")
        raise
    _finish(row.pk, InboxActivity.State.DONE)
