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
    assert [int(i) for i in client.zrangebyscore(feed_key(bob.pk), "(0", "+inf")] == [status.pk]
    assert timeline_home(viewer=bob) == [status]


def test_feeds_build_unknown_account_is_an_error(db):
    with pytest.raises(CommandError):
        call_command("feeds", "build", "--account", "nobody")


def test_an_idle_feed_is_skipped_by_fan_out_and_rebuilt_on_return(alice, bob, carol):
    """Inactive accounts cost nothing on write: their expired feed is not written, and the
    next read rebuilds it, new posts included."""
    follow_request(follower=bob, target=alice)
    follow_request(follower=carol, target=alice)
    timeline_home(viewer=bob)  # bob is active: his feed is built
    client = redis_client()
    if client is not None:
        assert client.exists(feed_key(bob.pk))
        assert not client.exists(feed_key(carol.pk))  # carol has not read home yet

    status = status_create(author=alice, text="Written while carol was away")
    from statuses.feeds import feed_push

    written = feed_push(status=status)
    if client is not None:
        assert written == 1  # bob's feed only: neither alice nor carol has read home yet
        assert not client.exists(feed_key(carol.pk))
    else:
        assert written == 0

    assert timeline_home(viewer=carol) == [status]
    assert timeline_home(viewer=bob) == [status]


def test_a_built_empty_feed_is_not_rebuilt_on_every_read(dave):
    assert timeline_home(viewer=dave) == []
    client = redis_client()
    if client is not None:
        assert client.exists(feed_key(dave.pk))
        assert client.ttl(feed_key(dave.pk)) > 0


def test_followed_tags_live_feed_and_rebuild_give_the_same_page(
    alice, bob, carol, django_capture_on_commit_callbacks,
):
    """Fan-out, the merge on follow and the unmerge on unfollow keep the live Redis feed equal
    to a rebuild from the database (and, without Redis, the query gives that page)."""
    from statuses.feeds import feed_rebuild
    from statuses.tag_services import tag_follow, tag_unfollow
    from tests.factories import make_remote_account

    def on_commit():
        return django_capture_on_commit_callbacks(execute=True)

    stranger = make_remote_account("far", "remote.example")
    follow_request(follower=alice, target=bob)
    with on_commit():
        before_follow = status_create(author=carol, text="old #cats post")
        status_create(author=carol, text="old #dogs post")
    timeline_home(viewer=alice)  # the feed exists from here on: fan-out keeps it live
    with on_commit():
        tag_follow(account=alice, name="cats")
        tag_follow(account=alice, name="dogs")
    with on_commit():
        bob_post = status_create(author=bob, text="bob's #dogs")
        remote_post = status_create(author=stranger, text="#Cats from afar")
        status_create(author=carol, text="#cats for my followers", visibility="private")
        status_create(author=carol, text="#cats unlisted", visibility="unlisted")
        cats_post = status_create(author=carol, text="more #cats")
        status_create(author=carol, text="new #dogs")
    with on_commit():
        tag_unfollow(account=alice, name="dogs")  # bob's post stays: alice follows bob

    expected = [cats_post.pk, remote_post.pk, bob_post.pk, before_follow.pk]
    live = [s.pk for s in timeline_home(viewer=alice)]
    assert live == expected
    client = redis_client()
    if client is not None:
        # Nothing stale kept: the unfollowed tag's posts left, bob's (followed) stayed.
        assert [int(i) for i in client.zrevrangebyscore(feed_key(alice.pk), "+inf", "(0")] == expected
        client.delete(feed_key(alice.pk))
        assert feed_rebuild(account=alice) == len(expected)
    assert [s.pk for s in timeline_home(viewer=alice)] == live
