"""The mechanisms issue 6's speed depends on, guarded without timing anything: one POST per
shared inbox however many followers share it, a private key parsed once per process, and a
rebuilt home feed that gives the same page as the feed kept live by fan-out."""

import pytest

from accounts.services import follow_request
from federation import signatures
from federation.models import Delivery
from federation.services.delivery import delivery_attempt
from statuses.feeds import feed_key, feed_rebuild, redis_client
from statuses.selectors import timeline_home
from statuses.services import reblog_create, status_create
from tests.factories import FIXED_PRIVATE_KEY, make_local_account, make_remote_account


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_one_post_per_shared_inbox_for_many_followers(alice, network, on_commit):
    for i in range(25):
        follow_request(follower=make_remote_account(f"big{i}", "big.example"), target=alice)
    for i in range(5):
        follow_request(follower=make_remote_account(f"small{i}", "small.example"), target=alice)
    network.sent.clear()

    with on_commit():
        status = status_create(author=alice, text="to thirty followers on two servers")

    urls = sorted(p["url"] for p in network.posts())
    assert urls == ["https://big.example/inbox", "https://small.example/inbox"]
    assert Delivery.objects.filter(activity_id__startswith=status.activitypub_id).count() == 2


def test_a_private_key_is_parsed_once_per_process(alice, network, monkeypatch):
    parsed = []
    real_loader = signatures.serialization.load_pem_private_key

    def counting_loader(*args, **kwargs):
        parsed.append(1)
        return real_loader(*args, **kwargs)

    monkeypatch.setattr(signatures.serialization, "load_pem_private_key", counting_loader)
    signatures.load_private_key.cache_clear()  # as a fresh process
    try:
        for i in range(5):
            signatures.sign_request(
                method="POST", url=f"https://remote{i}.example/inbox", headers={}, body=b"{}",
                key_id="https://pouet.test/users/alice#main-key", private_key_pem=FIXED_PRIVATE_KEY,
            )
        # Deliveries as the worker makes them, each signed with alice's key.
        alice.private_key = FIXED_PRIVATE_KEY
        alice.save(update_fields=["private_key"])
        rows = Delivery.objects.bulk_create([
            Delivery(activity_id="https://pouet.test/a/1", activity={"id": "https://pouet.test/a/1"},
                     inbox_url=f"https://server{i}.example/inbox", signer=alice)
            for i in range(5)
        ])
        for row in rows:
            assert delivery_attempt(delivery_id=row.pk) == "done"
        assert len(network.posts()) == 5
        assert len(parsed) == 1
    finally:
        signatures.load_private_key.cache_clear()  # no counting loader's key outlives the test


def _home_pages(viewer) -> list[list[int]]:
    first = [s.id for s in timeline_home(viewer=viewer, limit=4)]
    second = [s.id for s in timeline_home(viewer=viewer, max_id=first[-1], limit=4)]
    return [first, second]


def test_feed_rebuild_gives_the_same_page_as_the_live_feed(alice, bob, carol, on_commit):
    stranger = make_local_account("stranger")
    quiet = make_local_account("quiet")
    follow_request(follower=alice, target=bob)
    follow_request(follower=alice, target=carol)
    follow_request(follower=alice, target=quiet, show_reblogs=False)
    with on_commit():
        status_create(author=alice, text="my first post")
    timeline_home(viewer=alice)  # the feed exists from here on: fan-out keeps it live
    client = redis_client()
    with on_commit():
        bob_post = status_create(author=bob, text="bob speaks")
        status_create(author=stranger, text="nobody here follows me")
        stranger_post = status_create(author=stranger, text="a post to boost")
        reblog_create(account=carol, status=stranger_post)
        reblog_create(account=quiet, status=stranger_post)  # boosts hidden by alice
        status_create(author=carol, text="a reply to bob", in_reply_to=bob_post)
        status_create(author=bob, text="a reply to a stranger", in_reply_to=stranger_post)
        for i in range(4):
            status_create(author=carol, text=f"carol {i}")
        status_create(author=alice, text="my second post")

    live = _home_pages(alice)
    if client is not None:
        live_ids = client.zrevrange(feed_key(alice.pk), 0, -1)
        assert len(live_ids) > 8  # fan-out wrote the live feed: a rebuild is not a first read
        client.delete(feed_key(alice.pk))
        assert feed_rebuild(account=alice) > 8
    else:
        assert feed_rebuild(account=alice) == 0  # no Redis: the page is a query either way
    rebuilt = _home_pages(alice)

    assert rebuilt == live
    assert len(live[0]) == 4 and len(live[1]) == 4
