"""A user's domain block in the visibility rule: a blocked domain's public post (and a local
boost of it) is absent for the blocker from every surface, and present for everyone else.

Alice blocks bad.example; then zoe@bad.example posts in public, with a hashtag, in reply to
alice and mentioning her; bob (local, followed by alice and carol) boosts it."""

from dataclasses import dataclass

import pytest

from accounts.domain_blocks import account_domain_block_create, account_domain_block_remove
from accounts.models import Account, Notification, NotificationType
from accounts.services import follow_request, notification_create
from config.errors import NotFoundError
from statuses.models import Mention, Status, Tag, Visibility
from statuses.permissions import access_status
from statuses.selectors import (
    notifications_list,
    status_context,
    timeline_federated,
    timeline_home,
    timeline_tag,
)
from statuses.services import reblog_create, status_create
from tests.factories import make_remote_account

pytestmark = pytest.mark.django_db


@dataclass
class World:
    zoe: Account
    root: Status  # alice's public post
    remote: Status  # zoe's public reply to it
    boost: Status  # bob's boost of zoe's reply
    tag: Tag


@pytest.fixture
def world(alice, bob, carol) -> World:
    zoe = make_remote_account("zoe", "bad.example")
    follow_request(follower=alice, target=bob)
    follow_request(follower=carol, target=bob)
    account_domain_block_create(account=alice, domain="bad.example")
    root = status_create(author=alice, text="Hello #fediverse", visibility=Visibility.PUBLIC)
    remote = Status.objects.create(
        account=zoe, content="<p>@alice hi #fediverse</p>", visibility=Visibility.PUBLIC,
        uri="https://bad.example/statuses/1", in_reply_to=root, in_reply_to_account=alice,
    )
    tag = Tag.objects.get(name__iexact="fediverse")
    remote.tags.add(tag)
    Mention.objects.create(status=remote, account=alice)
    Mention.objects.create(status=remote, account=carol)
    boost = reblog_create(account=bob, status=remote)
    return World(zoe=zoe, root=root, remote=remote, boost=boost, tag=tag)


def _ids(statuses) -> set[int]:
    return {s.pk for s in statuses}


def _surfaces(viewer: Account, world: World) -> dict[str, bool]:
    """Whether the remote post (or its boost) shows on each surface for `viewer`."""
    wanted = {world.remote.pk, world.boost.pk}
    _ancestors, descendants = status_context(viewer=viewer, status=world.root)
    return {
        "home": bool(_ids(timeline_home(viewer=viewer)) & wanted),
        "public": bool(_ids(timeline_federated(viewer=viewer)) & wanted),
        "tag": bool(_ids(timeline_tag(viewer=viewer, tag=world.tag)) & wanted),
        "thread": bool(_ids(descendants) & wanted),
        "notifications": any(
            n.from_account_id == world.zoe.pk for n in notifications_list(viewer=viewer)
        ),
    }


def test_a_blocked_domains_post_is_hidden_from_the_blocker_everywhere(alice, world):
    # A mention notification stored anyway (say, in flight while the block was made).
    Notification.objects.create(
        account=alice, from_account=world.zoe, type=NotificationType.MENTION, status=world.remote,
    )
    assert _surfaces(alice, world) == dict.fromkeys(
        ("home", "public", "tag", "thread", "notifications"), False,
    )
    for status in (world.remote, world.boost):
        with pytest.raises(NotFoundError):
            access_status(viewer=alice, status_id=status.pk)
    # Her own and bob's posts still show: local accounts have no domain to match.
    assert world.root.pk in _ids(timeline_federated(viewer=alice))
    assert world.root.pk in _ids(timeline_tag(viewer=alice, tag=world.tag))


def test_the_same_post_shows_for_everyone_else(carol, world):
    notification_create(
        recipient=carol, from_account=world.zoe, type=NotificationType.MENTION, status=world.remote,
    )
    assert _surfaces(carol, world) == dict.fromkeys(
        ("home", "public", "tag", "thread", "notifications"), True,
    )
    assert access_status(viewer=carol, status_id=world.remote.pk) == world.remote
    assert world.remote.pk in _ids(timeline_federated(viewer=None))


def test_no_notification_is_stored_from_a_blocked_domain(alice, world):
    assert notification_create(
        recipient=alice, from_account=world.zoe, type=NotificationType.MENTION, status=world.remote,
    ) is None


def test_unblocking_shows_the_domain_again(alice, world):
    account_domain_block_remove(account=alice, domain="bad.example")
    assert access_status(viewer=alice, status_id=world.remote.pk) == world.remote
    assert world.remote.pk in _ids(timeline_federated(viewer=alice))
