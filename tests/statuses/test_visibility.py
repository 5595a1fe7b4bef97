"""Who can see a status, on every surface: the acceptance matrix of the visibility rule.

Alice posts one status at each visibility level. Eight viewers look at it from every surface
(its page, a thread, the profile tabs, home, local, federated, hashtag, notifications). Each
table below reads as the rule: for a viewer, the set of visibility levels they see.

The world is built through the services, in the order a real instance would see it: follows
and mentions first, posts (fanned out to home feeds when REDIS_URL is set), and only then
the blocks and the mute. So a block must also hide what was already delivered and what
names the blocked person. The tests run on committed transactions so that the on-commit
side effects (fan-out, feed merges and unmerges) really happen, as they do in production.
"""

import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Account, Mute, Notification, NotificationType
from accounts.services import block_create, follow_request, mute_create, unfollow
from config.errors import NotFoundError
from statuses.feeds import feed_key, redis_client
from statuses.models import Status, Tag, Visibility
from statuses.permissions import access_status, is_visible_to
from statuses.selectors import (
    account_statuses,
    notifications_list,
    status_context,
    timeline_federated,
    timeline_home,
    timeline_local,
    timeline_tag,
)
from statuses.services import (
    favourite_create,
    media_create,
    reblog_create,
    status_create,
    status_delete,
    status_edit,
)
from tests.factories import image_file, make_local_account

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC, UNLISTED, PRIVATE, DIRECT = (
    Visibility.PUBLIC, Visibility.UNLISTED, Visibility.PRIVATE, Visibility.DIRECT,
)
ALL = {PUBLIC, UNLISTED, PRIVATE, DIRECT}
NONE: set[str] = set()
LEVELS = (PUBLIC, UNLISTED, PRIVATE, DIRECT)

VIEWERS = (
    "anonymous",     # not logged in
    "author",        # alice herself
    "follower",      # bob follows alice
    "non_follower",  # carol, no relation
    "mentioned",     # dave, mentioned in every post, does not follow
    "blocked",       # erin: followed alice and was mentioned, then alice blocked her
    "blocker",       # frank: followed alice and was mentioned, then blocked alice
    "muter",         # gina: follows alice, then muted her
)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    accounts: dict[str, Account]
    root: Status  # olivia's public thread starter
    top: dict[str, Status] = field(default_factory=dict)  # alice's post at each level
    reply: dict[str, Status] = field(default_factory=dict)  # alice's reply in olivia's thread
    answer: dict[str, Status] = field(default_factory=dict)  # olivia's public reply to top

    def viewer(self, name: str) -> Account | None:
        return None if name == "anonymous" else self.accounts[name]


def marker(kind: str, level: str) -> str:
    """A word that appears in one status only, so a page can be searched for it."""
    return f"Marker{kind.capitalize()}{level.capitalize()}"


def build_world() -> World:
    names = {
        "author": "alice", "follower": "bob", "non_follower": "carol", "mentioned": "dave",
        "blocked": "erin", "blocker": "frank", "muter": "gina", "thread": "olivia",
    }
    accounts = {role: make_local_account(username) for role, username in names.items()}
    alice = accounts["author"]
    for role in ("follower", "blocked", "blocker", "muter"):
        follow_request(follower=accounts[role], target=alice)
    root = status_create(author=accounts["thread"], text="A thread anyone may join")
    world = World(accounts=accounts, root=root)
    for level in LEVELS:
        media = media_create(account=alice, file=image_file(), description="a blue rectangle")
        world.top[level] = status_create(
            author=alice, visibility=level, media_ids=[media.pk],
            text=f"{marker('top', level)} #matrix @dave @erin @frank @olivia",
        )
        world.reply[level] = status_create(
            author=alice, visibility=level, in_reply_to=root,
            text=f"{marker('reply', level)} @dave @erin @frank",
        )
        world.answer[level] = status_create(
            author=accounts["thread"], in_reply_to=world.top[level],
            text=f"{marker('answer', level)} olivia answers in public",
        )
    # After the posts were delivered: the blocks and the mute.
    block_create(account=alice, target=accounts["blocked"])
    block_create(account=accounts["blocker"], target=alice)
    mute_create(account=accounts["muter"], target=alice)
    return world


@pytest.fixture
def world(db) -> World:
    return build_world()


# --- the tables -------------------------------------------------------------------------
# For each viewer, the visibility levels at which alice's status shows on that surface.

# Its own page (access_status) and alice's profile tabs. A mute hides from timelines and
# threads, not from a page one opens on purpose.
ON_PAGE = {
    "anonymous": {PUBLIC, UNLISTED},
    "author": ALL,
    "follower": {PUBLIC, UNLISTED, PRIVATE},
    "non_follower": {PUBLIC, UNLISTED},
    "mentioned": ALL,
    "blocked": NONE,
    "blocker": NONE,
    "muter": {PUBLIC, UNLISTED, PRIVATE},
}
ON_PROFILE = ON_PAGE

# Inside another status's thread, as a reply (descendant) or as the parent (ancestor).
IN_THREAD = {**ON_PAGE, "muter": NONE}

# Home: own posts, and posts of followed accounts they may see; no direct post of someone
# one does not follow (Mastodon delivers those to mentioned followers only).
IN_HOME = {
    "author": ALL,
    "follower": {PUBLIC, UNLISTED, PRIVATE},
    "non_follower": NONE,
    "mentioned": NONE,
    "blocked": NONE,
    "blocker": NONE,
    "muter": NONE,
}

# Local, federated and hashtag timelines: public posts only, never unlisted.
IN_PUBLIC_TIMELINES = {
    "anonymous": {PUBLIC},
    "author": {PUBLIC},
    "follower": {PUBLIC},
    "non_follower": {PUBLIC},
    "mentioned": {PUBLIC},
    "blocked": NONE,
    "blocker": NONE,
    "muter": NONE,
}

# "alice mentioned you": the mentioned viewer, at every level; erin and frank were mentioned
# too, but a block either way hides the notification.
MENTION_NOTIFIED = {
    "author": NONE,
    "follower": NONE,
    "non_follower": NONE,
    "mentioned": ALL,
    "blocked": NONE,
    "blocker": NONE,
    "muter": NONE,
}


# --- the surfaces, through the selectors ------------------------------------------------
# Each look(world, viewer) answers: at which levels does alice's status show there?


def levels_of(statuses, collection) -> set[str]:
    return {level for level, status in collection.items() if status in statuses}


def on_page(world: World, viewer: Account | None) -> set[str]:
    seen = set()
    for level, status in world.top.items():
        try:
            found = access_status(viewer=viewer, status_id=status.pk)
        except NotFoundError:
            assert not is_visible_to(status, viewer)
            continue
        assert found == status and is_visible_to(status, viewer)
        seen.add(level)
    return seen


def in_thread_as_reply(world: World, viewer: Account | None) -> set[str]:
    ancestors, descendants = status_context(viewer=viewer, status=world.root)
    assert ancestors == []
    return levels_of(descendants, world.reply)


def in_thread_as_parent(world: World, viewer: Account | None) -> set[str]:
    seen = set()
    for level, answer in world.answer.items():
        ancestors, descendants = status_context(viewer=viewer, status=answer)
        assert descendants == []
        assert ancestors in ([], [world.top[level]])
        if ancestors:
            seen.add(level)
    return seen


def on_profile(tab: str, collection: str):
    def look(world: World, viewer: Account | None) -> set[str]:
        statuses = account_statuses(viewer=viewer, account=world.accounts["author"], tab=tab)
        return levels_of(statuses, getattr(world, collection))

    return look


def in_home(world: World, viewer: Account) -> set[str]:
    return levels_of(timeline_home(viewer=viewer, limit=40), world.top)


def in_local(world: World, viewer: Account | None) -> set[str]:
    return levels_of(timeline_local(viewer=viewer, limit=40), world.top)


def in_federated(world: World, viewer: Account | None) -> set[str]:
    return levels_of(timeline_federated(viewer=viewer, limit=40), world.top)


def in_hashtag(world: World, viewer: Account | None) -> set[str]:
    tag = Tag.objects.get(name__iexact="matrix")
    return levels_of(timeline_tag(viewer=viewer, tag=tag, limit=40), world.top)


def in_mention_notifications(world: World, viewer: Account) -> set[str]:
    notifications = notifications_list(viewer=viewer, limit=40)
    return levels_of([n.status for n in notifications if n.type == NotificationType.MENTION], world.top)


SURFACES = {
    "status page": (on_page, ON_PAGE),
    "thread, as a reply": (in_thread_as_reply, IN_THREAD),
    "thread, as the parent": (in_thread_as_parent, IN_THREAD),
    "profile posts": (on_profile("posts", "top"), ON_PROFILE),
    "profile with replies, posts": (on_profile("replies", "top"), ON_PROFILE),
    "profile with replies, replies": (on_profile("replies", "reply"), ON_PROFILE),
    "profile media": (on_profile("media", "top"), ON_PROFILE),
    "home": (in_home, IN_HOME),
    "local": (in_local, IN_PUBLIC_TIMELINES),
    "federated": (in_federated, IN_PUBLIC_TIMELINES),
    "hashtag": (in_hashtag, IN_PUBLIC_TIMELINES),
    "mention notifications": (in_mention_notifications, MENTION_NOTIFIED),
}


@pytest.mark.parametrize("surface", SURFACES)
def test_matrix(world, surface):
    """One world per surface; the whole table (every viewer) compared at once, so a
    failure shows which viewers see what they should not, or miss what they should."""
    look, table = SURFACES[surface]
    seen = {viewer: look(world, world.viewer(viewer)) for viewer in table}
    assert seen == table


def test_profile_posts_tab_leaves_out_replies_to_others(world):
    alice = world.accounts["author"]
    posts = account_statuses(viewer=alice, account=alice, tab="posts")
    media = account_statuses(viewer=alice, account=alice, tab="media")
    assert not set(world.reply.values()) & set(posts)
    assert not set(world.reply.values()) & set(media)


def test_blocked_mentions_were_stored_before_the_block(world):
    """The matrix is only meaningful if erin and frank really were mentioned before the
    blocks: the rule hides the posts, not the lack of a mention row."""
    for role in ("blocked", "blocker"):
        assert world.top[DIRECT].mentions.filter(account=world.accounts[role]).exists()
    # erin's notification is still stored (the rule hides it); frank's went with his block.
    notified = Notification.objects.filter(type=NotificationType.MENTION, status=world.top[DIRECT])
    assert notified.filter(account=world.accounts["blocked"]).exists()
    assert not notified.filter(account=world.accounts["blocker"]).exists()


# --- boosts ---------------------------------------------------------------------------------


@pytest.fixture
def boosted(alice, bob, carol):
    """carol boosts alice's public post; bob follows carol, not alice."""
    follow_request(follower=bob, target=carol)
    post = status_create(author=alice, text="Worth a boost")
    boost = reblog_create(account=carol, status=post)
    assert boost in timeline_home(viewer=bob)
    return post, boost


@pytest.mark.parametrize("who_blocks", ["author blocks viewer", "viewer blocks author"])
def test_boost_of_a_post_across_a_block_is_hidden(alice, bob, carol, boosted, who_blocks):
    post, boost = boosted
    if who_blocks == "author blocks viewer":
        block_create(account=alice, target=bob)
    else:
        block_create(account=bob, target=alice)
    assert boost not in timeline_home(viewer=bob)
    assert boost not in account_statuses(viewer=bob, account=carol)
    for status in (post, boost):
        with pytest.raises(NotFoundError):
            access_status(viewer=bob, status_id=status.pk)
    # carol's other followers still see it.
    assert is_visible_to(boost, carol)


def test_boost_by_a_muted_account_is_hidden_from_timelines(alice, bob, carol, boosted):
    post, boost = boosted
    mute_create(account=bob, target=carol)
    assert boost not in timeline_home(viewer=bob)
    # Muting hides from timelines; the post itself stays reachable.
    assert access_status(viewer=bob, status_id=post.pk) == post


def test_boost_of_a_muted_authors_post_is_hidden_from_timelines(alice, bob, carol, boosted):
    post, boost = boosted
    mute_create(account=bob, target=alice)
    assert boost not in timeline_home(viewer=bob)


def test_boosts_never_show_in_public_timelines(alice, carol, boosted):
    post, boost = boosted
    tag_post = status_create(author=alice, text="#boosted")
    tag_boost = reblog_create(account=carol, status=tag_post)
    tag = Tag.objects.get(name__iexact="boosted")
    for statuses in (
        timeline_local(viewer=None), timeline_federated(viewer=None),
        timeline_tag(viewer=None, tag=tag),
    ):
        assert boost not in statuses and tag_boost not in statuses


def test_own_followers_only_boost_stays_with_followers(alice, bob, carol):
    follow_request(follower=bob, target=alice)
    post = status_create(author=alice, text="Followers, again", visibility=PRIVATE)
    boost = reblog_create(account=alice, status=post)
    assert boost.visibility == PRIVATE
    assert is_visible_to(boost, bob)
    assert not is_visible_to(boost, carol)
    assert not is_visible_to(boost, None)
    assert boost not in account_statuses(viewer=carol, account=alice)
    assert boost not in account_statuses(viewer=None, account=alice)


# --- favourite and boost notifications ---------------------------------------------------
# Alice is told when someone favourites or boosts her public post, unless she blocks or mutes
# (hiding notifications) that someone, or they are suspended. The relation is set after the
# favourite and the boost, so stored notifications must be hidden too.

FAN_NOTIFIED = {
    "fan_follower": True,
    "fan_stranger": True,
    "fan_blocked": False,  # alice blocks them afterwards
    "fan_muted": False,  # alice mutes them afterwards
    "fan_muted_loud": True,  # muted, but alice keeps their notifications
    "fan_mute_expired": True,
    "fan_suspended": False,
}


@pytest.fixture
def fans(alice):
    post = status_create(author=alice, text="Star and boost me")
    fans = {name: make_local_account(name) for name in FAN_NOTIFIED}
    follow_request(follower=fans["fan_follower"], target=alice)
    for fan in fans.values():
        favourite_create(account=fan, status=post)
        reblog_create(account=fan, status=post)
    block_create(account=alice, target=fans["fan_blocked"])
    mute_create(account=alice, target=fans["fan_muted"])
    mute_create(account=alice, target=fans["fan_muted_loud"], hide_notifications=False)
    expired = mute_create(account=alice, target=fans["fan_mute_expired"])
    Mute.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    Account.objects.filter(pk=fans["fan_suspended"].pk).update(suspended_at=timezone.now())
    return post, fans


def test_favourite_and_boost_notifications(alice, fans):
    post, fans = fans
    notifications = notifications_list(viewer=alice, limit=40)
    told = {
        name: {n.type for n in notifications if n.from_account_id == fan.pk and n.status_id}
        for name, fan in fans.items()
    }
    both = {NotificationType.FAVOURITE, NotificationType.REBLOG}
    assert told == {name: both if notified else set() for name, notified in FAN_NOTIFIED.items()}
    assert all(n.status == post for n in notifications if n.status_id)


def test_favourite_and_boost_notifications_page(alice, fans):
    client = Client()
    client.force_login(alice.user)
    page = client.get("/notifications").content.decode()
    shown = {name: f"<bdi>{name}</bdi>" in page for name in FAN_NOTIFIED}
    assert shown == FAN_NOTIFIED


# --- home feeds over time (with REDIS_URL: the fan-out path) ----------------------------


def feed_ids(account) -> list[int] | None:
    client = redis_client()
    if client is None:
        return None
    return [int(i) for i in client.zrangebyscore(feed_key(account.pk), "(0", "+inf")]


def test_new_post_reaches_a_followers_home_after_the_feed_exists(alice, bob):
    """Fan-out on write: the feed already exists (read once), so only the fan-out can add
    the new post to it."""
    follow_request(follower=bob, target=alice)
    first = status_create(author=alice, text="First")
    assert timeline_home(viewer=bob) == [first]
    second = status_create(author=alice, text="Second")
    assert timeline_home(viewer=bob) == [second, first]
    if (ids := feed_ids(bob)) is not None:
        assert ids == [first.pk, second.pk]


def test_home_survives_a_lost_redis_feed(alice, bob, carol):
    """Redis is a cache of the database: after its data is lost (a restart without
    persistence, an eviction), the next fan-out must not leave a feed holding only the
    newest posts. A missing feed is rebuilt from the database on read."""
    follow_request(follower=bob, target=alice)
    before = status_create(author=alice, text="Before the loss")
    assert timeline_home(viewer=bob) == [before]
    client = redis_client()
    if client is not None:
        client.flushdb()
    after = status_create(author=alice, text="After the loss")
    follow_request(follower=bob, target=carol)
    carols = status_create(author=carol, text="Carol's, before bob's next read")
    assert timeline_home(viewer=bob) == [carols, after, before]
    assert timeline_home(viewer=alice) == [after, before]


def test_unfollow_removes_posts_from_home(alice, bob):
    follow_request(follower=bob, target=alice)
    post = status_create(author=alice, text="Soon gone from bob's home")
    assert timeline_home(viewer=bob) == [post]
    unfollow(follower=bob, target=alice)
    assert timeline_home(viewer=bob) == []
    if (ids := feed_ids(bob)) is not None:
        assert post.pk not in ids


def test_follow_brings_earlier_posts_into_home(alice, bob):
    bob_post = status_create(author=bob, text="bob's own")
    assert timeline_home(viewer=bob) == [bob_post]
    post = status_create(author=alice, text="Posted before bob followed")
    follow_request(follower=bob, target=alice)
    assert timeline_home(viewer=bob) == [post, bob_post]


def test_block_after_fan_out_hides_the_post(alice, bob, carol):
    """A stale feed entry must never show: bob follows alice and carol, carol boosts
    alice's post, then alice blocks bob. The boost is already in bob's feed."""
    follow_request(follower=bob, target=carol)
    follow_request(follower=bob, target=alice)
    post = status_create(author=alice, text="Delivered before the block")
    boost = reblog_create(account=carol, status=post)
    assert timeline_home(viewer=bob) == [boost, post]
    block_create(account=alice, target=bob)
    assert timeline_home(viewer=bob) == []
    if (ids := feed_ids(bob)) is not None:
        assert boost.pk in ids  # still delivered; the rule hides it


def test_viewer_block_after_fan_out_hides_the_post(alice, bob):
    follow_request(follower=bob, target=alice)
    post = status_create(author=alice, text="Delivered before bob blocked alice")
    assert timeline_home(viewer=bob) == [post]
    # Even with the entry forced back into bob's feed, the block hides it.
    block_create(account=bob, target=alice)
    client = redis_client()
    if client is not None:
        client.zadd(feed_key(bob.pk), {post.pk: post.pk})
    assert timeline_home(viewer=bob) == []


def test_mute_after_fan_out_hides_the_post(alice, bob):
    follow_request(follower=bob, target=alice)
    post = status_create(author=alice, text="Delivered before the mute")
    assert timeline_home(viewer=bob) == [post]
    mute_create(account=bob, target=alice)
    assert timeline_home(viewer=bob) == []


def test_delete_removes_status_from_home_and_notifications(alice, bob, carol):
    follow_request(follower=bob, target=alice)
    follow_request(follower=carol, target=bob)
    post = status_create(author=alice, text="Hello @bob, this will go")
    boost = reblog_create(account=bob, status=post)
    favourite_create(account=bob, status=post)
    assert post in timeline_home(viewer=bob)
    assert boost in timeline_home(viewer=carol)
    assert [n.type for n in notifications_list(viewer=bob)] == [
        NotificationType.MENTION, NotificationType.FOLLOW,
    ]
    assert {n.type for n in notifications_list(viewer=alice)} == {
        NotificationType.FOLLOW, NotificationType.REBLOG, NotificationType.FAVOURITE,
    }
    status_delete(status=post, by=alice)
    assert timeline_home(viewer=bob) == []
    assert timeline_home(viewer=carol) == []
    assert timeline_home(viewer=alice) == []
    assert [n.type for n in notifications_list(viewer=bob)] == [NotificationType.FOLLOW]
    assert [n.type for n in notifications_list(viewer=alice)] == [NotificationType.FOLLOW]
    assert not Status.objects.filter(pk__in=[post.pk, boost.pk]).exists()
    for account in (alice, bob, carol):
        if (ids := feed_ids(account)) is not None:
            assert post.pk not in ids and boost.pk not in ids


# --- the same tables, through the web pages ---------------------------------------------
# What a person sees: the status's words in the HTML, or a 404 that is the very page a
# nonexistent status gets.

CSRF_RE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+"')


def page_client(world: World, viewer: str) -> Client:
    client = Client()
    if viewer != "anonymous":
        client.force_login(world.accounts[viewer].user)
    return client


def normalized_404(response, status_id: int) -> str:
    assert response.status_code == 404
    body = response.content.decode().replace(str(status_id), "ID")
    return CSRF_RE.sub(r'\1"', body)


def levels_in(html: str, kind: str) -> set[str]:
    return {level for level in LEVELS if marker(kind, level) in html}


def seen_on_pages(world: World, client: Client, *, logged_in: bool) -> dict[str, set[str]]:
    """For each web surface, the levels at which alice's status shows there."""
    missing_id = (Status.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1000
    missing = normalized_404(client.get(f"/@alice/{missing_id}"), missing_id)
    seen = {"status page": set()}
    for level, status in world.top.items():
        response = client.get(f"/@alice/{status.pk}")
        if response.status_code == 200:
            assert marker("top", level) in response.content.decode()
            seen["status page"].add(level)
        else:
            # Exactly as if it did not exist: same code, same page, not a word of it.
            assert normalized_404(response, status.pk) == missing
            assert marker("top", level) not in response.content.decode()

    def get(path: str) -> str:
        response = client.get(path)
        assert response.status_code == 200, path
        return response.content.decode()

    seen["thread, as a reply"] = levels_in(get(f"/@olivia/{world.root.pk}"), "reply")
    seen["thread, as the parent"] = {
        level for level, answer in world.answer.items()
        if marker("top", level) in get(f"/@olivia/{answer.pk}")
    }
    seen["profile posts"] = levels_in(get("/@alice"), "top")
    seen["profile with replies"] = levels_in(get("/@alice/with_replies"), "reply")
    seen["profile media"] = levels_in(get("/@alice/media"), "top")
    seen["local"] = levels_in(get("/public/local"), "top")
    seen["federated"] = levels_in(get("/public"), "top")
    # A tag only in posts the viewer may not see does not exist for them: a 404.
    tag_page = client.get("/tags/matrix")
    assert tag_page.status_code in (200, 404)
    seen["hashtag"] = levels_in(tag_page.content.decode(), "top")
    assert tag_page.status_code == 200 or not seen["hashtag"]
    if logged_in:
        seen["home"] = levels_in(get("/home"), "top")
        seen["notifications"] = levels_in(get("/notifications"), "top")
    else:
        for path in ("/home", "/notifications"):
            response = client.get(path)
            assert response.status_code == 302 and "/auth/sign_in" in response["Location"]
    return seen


@pytest.mark.parametrize("viewer", VIEWERS)
def test_pages(world, viewer):
    expected = {
        "status page": ON_PAGE[viewer],
        "thread, as a reply": IN_THREAD[viewer],
        "thread, as the parent": IN_THREAD[viewer],
        "profile posts": ON_PROFILE[viewer],
        "profile with replies": ON_PROFILE[viewer],
        "profile media": ON_PROFILE[viewer],
        "local": IN_PUBLIC_TIMELINES[viewer],
        "federated": IN_PUBLIC_TIMELINES[viewer],
        "hashtag": IN_PUBLIC_TIMELINES[viewer],
    }
    if viewer != "anonymous":
        expected["home"] = IN_HOME[viewer]
        expected["notifications"] = MENTION_NOTIFIED[viewer]
    client = page_client(world, viewer)
    assert seen_on_pages(world, client, logged_in=viewer != "anonymous") == expected


@pytest.mark.parametrize("who_blocks", ["author blocks viewer", "viewer blocks author"])
def test_boost_page_across_a_block_is_a_404(alice, bob, carol, boosted, who_blocks):
    post, boost = boosted
    client = Client()
    client.force_login(bob.user)
    assert client.get(f"/@carol/{boost.pk}").status_code == 302  # a boost leads to its post
    assert "Worth a boost" in client.get("/home").content.decode()
    if who_blocks == "author blocks viewer":
        block_create(account=alice, target=bob)
    else:
        block_create(account=bob, target=alice)
    for path in (f"/@carol/{boost.pk}", f"/@alice/{post.pk}"):
        response = client.get(path)
        assert response.status_code == 404
        assert "Worth a boost" not in response.content.decode()
    for path in ("/home", "/@carol"):
        assert "Worth a boost" not in client.get(path).content.decode()


def test_boost_by_a_muted_account_is_not_on_the_home_page(alice, bob, carol, boosted):
    post, boost = boosted
    mute_create(account=bob, target=carol)
    client = Client()
    client.force_login(bob.user)
    assert "Worth a boost" not in client.get("/home").content.decode()
    assert "Worth a boost" in client.get(f"/@alice/{post.pk}").content.decode()


def test_status_url_with_another_accounts_name_is_a_404(alice, bob):
    post = status_create(author=alice, text="Mine, not bob's")
    assert Client().get(f"/@bob/{post.pk}").status_code == 404
    assert Client().get(f"/@alice/{post.pk}").status_code == 200


def test_edit_history_page_follows_the_rule(alice, bob, carol):
    follow_request(follower=bob, target=alice)
    post = status_create(author=alice, text="Followers only, first", visibility=PRIVATE)
    status_edit(status=post, by=alice, text="Followers only, second")
    path = f"/@alice/{post.pk}/history"
    follower, stranger = Client(), Client()
    follower.force_login(bob.user)
    stranger.force_login(carol.user)
    assert "Followers only, first" in follower.get(path).content.decode()
    for client in (stranger, Client()):
        response = client.get(path)
        assert response.status_code == 404
        assert "Followers only" not in response.content.decode()
