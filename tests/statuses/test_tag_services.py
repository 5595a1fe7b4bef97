"""The rules of followed and featured hashtags, on the service layer."""

import pytest
from django.utils import timezone

from accounts.services import follow_request
from statuses.feeds import feed_key, feed_push, redis_client
from statuses.models import FeaturedTag, Tag, TagFollow
from statuses.selectors import timeline_home
from statuses.services import reblog_create, status_create
from statuses.tag_selectors import featured_tags_of
from statuses.tag_services import (
    FEATURED_TAGS_MAX,
    TagInvalidError,
    featured_tag_create,
    is_hashtag_name,
    tag_follow,
    tag_get_or_create,
)


@pytest.mark.parametrize("name, valid", [
    ("cats", True), ("Café", True), ("日本語", True), ("tag_2026", True), ("_x", True),
    ("2026", False), ("", False), ("two words", False), ("dash-ed", False), ("#cats", False),
    ("a" * 100, True), ("a" * 101, False),
])
def test_what_a_hashtag_name_is(name, valid):
    assert is_hashtag_name(name) is valid


def test_a_tag_is_one_row_whatever_the_case(alice):
    status_create(author=alice, text="#Python")
    assert tag_get_or_create(name="#PYTHON") == Tag.objects.get()
    with pytest.raises(TagInvalidError):
        tag_get_or_create(name="no such-tag")
    assert Tag.objects.count() == 1


def test_featuring_is_idempotent_and_bounded(alice):
    first = featured_tag_create(account=alice, name="cats")
    assert featured_tag_create(account=alice, name="CATS") == first
    for i in range(FEATURED_TAGS_MAX - 1):
        featured_tag_create(account=alice, name=f"tag{i}x")
    with pytest.raises(TagInvalidError):
        featured_tag_create(account=alice, name="eleventh")
    assert FeaturedTag.objects.filter(account=alice).count() == FEATURED_TAGS_MAX
    assert not Tag.objects.filter(name="eleventh", featured_by__isnull=False).exists()


def test_featured_tag_counts_own_public_and_unlisted_posts_only(alice, bob):
    status_create(author=alice, text="#cats one")
    last = status_create(author=alice, text="#cats two", visibility="unlisted")
    status_create(author=alice, text="#cats private", visibility="private")
    status_create(author=alice, text="#cats direct", visibility="direct")
    reblog_create(account=alice, status=status_create(author=bob, text="#cats by bob"))
    featured_tag_create(account=alice, name="cats")
    featured_tag_create(account=alice, name="unused")

    cats, unused = featured_tags_of(account=alice)
    assert (cats.tag.name, cats.statuses_count, cats.last_status_at) == ("cats", 2, last.created_at)
    assert (unused.statuses_count, unused.last_status_at) == (0, None)


def test_a_limited_authors_tagged_post_reaches_only_its_followers(alice, bob, carol):
    """The visibility rule decides, not the tag: a limited (silenced) account is seen by
    its followers only."""
    carol.silenced_at = timezone.now()
    carol.save(update_fields=["silenced_at"])
    tag_follow(account=alice, name="cats")
    tag_follow(account=bob, name="cats")
    follow_request(follower=bob, target=carol)
    post = status_create(author=carol, text="#cats from a limited account")
    assert timeline_home(viewer=alice) == []
    assert timeline_home(viewer=bob) == [post]


def test_fan_out_writes_a_tag_follower_once_and_skips_boosts_and_private_posts(alice, bob, carol):
    follow_request(follower=alice, target=bob)
    tag_follow(account=alice, name="cats")
    tag_follow(account=carol, name="cats")
    for account in (alice, bob, carol):
        timeline_home(viewer=account)  # every feed exists: fan-out writes them all
    client = redis_client()

    public = status_create(author=bob, text="#cats")
    private = status_create(author=bob, text="#cats for followers", visibility="private")
    boost = reblog_create(account=bob, status=public)
    pushed = [feed_push(status=s) for s in (public, private, boost)]
    if client is None:
        assert pushed == [0, 0, 0]
        return
    assert pushed == [3, 2, 2]  # bob, alice (follower and tag follower: once) and carol
    assert [int(i) for i in client.zrevrangebyscore(feed_key(carol.pk), "+inf", "(0")] == [public.pk]
    assert TagFollow.objects.count() == 2
