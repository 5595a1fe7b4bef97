import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.services import follow_request
from statuses.feeds import feed_key, redis_client
from statuses.selectors import timeline_home
from statuses.services import status_create


def test_feeds_build_restores_a_lost_redis_feed(alice, bob, capsys):
    follow_request(follower=bob, target=alice)
    status = status_create(author=alice, text="Still here after a Redis flush")
    client = redis_client()
    if client is None:
        call_command("feeds", "build")
        assert "nothing to build" in capsys.readouterr().out
        assert timeline_home(viewer=bob) == [status]
        return
    client.delete(feed_key(bob.pk))
    call_command("feeds", "build")
    assert "Rebuilt" in capsys.readouterr().out
    assert [int(i) for i in client.zrange(feed_key(bob.pk), 0, -1)] == [status.pk]
    assert timeline_home(viewer=bob) == [status]


def test_feeds_build_unknown_account_is_an_error(db):
    with pytest.raises(CommandError):
        call_command("feeds", "build", "--account", "nobody")
