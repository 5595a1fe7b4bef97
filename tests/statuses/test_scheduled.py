"""Publishing scheduled statuses: once, when due, whoever runs it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from config.errors import NotFoundError
from statuses.models import ScheduledStatus, Status
from statuses.scheduled import (
    ScheduleError,
    scheduled_status_create,
    scheduled_status_publish,
    scheduled_statuses_publish_due,
)
from statuses.tasks import publish_scheduled_status


def test_publish_runs_once_and_only_when_due(alice):
    when = timezone.now() + timedelta(hours=1)
    scheduled = scheduled_status_create(author=alice, scheduled_at=when, text="hello later")
    assert scheduled_status_publish(scheduled_status_id=scheduled.pk) is None  # not due
    assert ScheduledStatus.objects.filter(pk=scheduled.pk).exists()

    status = scheduled_status_publish(scheduled_status_id=scheduled.pk, now=when)
    assert status is not None and status.text == "hello later"
    # The task delivered twice, or the sweep racing it: nothing more is posted.
    assert scheduled_status_publish(scheduled_status_id=scheduled.pk, now=when) is None
    publish_scheduled_status(scheduled.pk)
    assert scheduled_statuses_publish_due(now=when + timedelta(hours=1)) == 0
    assert Status.objects.filter(account=alice).count() == 1


def test_a_suspended_author_posts_nothing(alice):
    when = timezone.now() + timedelta(hours=1)
    scheduled_status_create(author=alice, scheduled_at=when, text="never")
    alice.suspended_at = timezone.now()
    alice.save(update_fields=["suspended_at"])
    assert scheduled_statuses_publish_due(now=when) == 0
    assert not Status.objects.exists() and not ScheduledStatus.objects.exists()


def test_schedule_refuses_what_a_post_refuses(alice, bob):
    when = timezone.now() + timedelta(hours=1)
    private = Status.objects.create(account=bob, text="x", content="x", visibility="private")
    with pytest.raises(NotFoundError):  # the reply target is hidden from alice
        scheduled_status_create(author=alice, scheduled_at=when, text="hi", in_reply_to=private)
    with pytest.raises(ScheduleError):
        scheduled_status_create(author=alice, scheduled_at=timezone.now() + timedelta(minutes=4), text="hi")
    assert not ScheduledStatus.objects.exists()
