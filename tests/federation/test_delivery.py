"""Outbound: activities built by local actions, one delivery per inbox, retries."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from requests.structures import CaseInsensitiveDict

from accounts.services import block_create, follow_request, profile_update, unfollow
from federation import http
from federation.models import Delivery, Instance
from federation.services.delivery import deliveries_sweep, delivery_attempt
from federation.signatures import check_signed_request, signature_matches
from statuses.services import (
    favourite_create,
    favourite_remove,
    reblog_create,
    reblog_remove,
    status_create,
    status_delete,
    status_edit,
)
from tests.factories import FIXED_PUBLIC_KEY, make_remote_account


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def followers(alice, on_commit):
    """Three remote followers of alice: two share a server's shared inbox."""
    carol = make_remote_account("carol", "remote.example")
    dave = make_remote_account("dave", "remote.example")
    erin = make_remote_account("erin", "other.example")
    erin.shared_inbox_url = ""  # a server without a shared inbox: the personal one
    erin.save()
    for account in (carol, dave, erin):
        follow_request(follower=account, target=alice)
    return carol, dave, erin


def inboxes(network):
    return sorted(p["url"] for p in network.posts())


def test_create_goes_once_to_each_shared_inbox(alice, followers, network, on_commit):
    with on_commit():
        status = status_create(author=alice, text="hello fediverse")
    assert inboxes(network) == ["https://other.example/users/erin/inbox", "https://remote.example/inbox"]
    sent = network.posts("https://remote.example/inbox")[0]
    assert sent["json"]["type"] == "Create"
    assert sent["json"]["object"]["id"] == status.activitypub_id
    # The POST verifies with alice's key, over the exact body sent.
    headers = sent["headers"]
    parsed = check_signed_request(method="POST", path="/inbox", headers=headers, body=sent["body"])
    assert "digest" in parsed.headers and "content-type" in parsed.headers
    alice.refresh_from_db()
    assert signature_matches(parsed, method="POST", path="/inbox", headers=headers,
                             public_key_pem=alice.public_key)
    assert Delivery.objects.filter(state="done").count() == 2


def test_followers_only_post_goes_to_accepted_followers_only(alice, network, on_commit):
    carol = make_remote_account("carol", "remote.example")
    pending = make_remote_account("pat", "pending.example")
    follow_request(follower=carol, target=alice)
    profile_update(account=alice, locked=True)
    follow_request(follower=pending, target=alice)  # waiting for approval: not a follower
    network.sent.clear()
    with on_commit():
        status_create(author=alice, text="friends only", visibility="private")
    assert inboxes(network) == ["https://remote.example/inbox"]


def test_direct_post_goes_to_mentioned_only(alice, followers, network, on_commit):
    make_remote_account("zed", "far.example")
    with on_commit():
        status_create(author=alice, text="psst @zed@far.example", visibility="direct")
    assert inboxes(network) == ["https://far.example/inbox"]
    note = network.posts()[0]["json"]["object"]
    assert note["to"] == ["https://far.example/users/zed"] and note["cc"] == []


def test_edit_and_delete(alice, followers, network, on_commit):
    with on_commit():
        status = status_create(author=alice, text="v1")
    network.sent.clear()
    with on_commit():
        status_edit(status=status, by=alice, text="v2")
    assert {p["json"]["type"] for p in network.posts()} == {"Update"}
    network.sent.clear()
    uri = status.activitypub_id
    with on_commit():
        status_delete(status=status, by=alice)
    deletes = [p["json"] for p in network.posts()]
    assert {d["type"] for d in deletes} == {"Delete"} and deletes[0]["object"]["id"] == uri
    assert len(deletes) == 2


def test_boost_favourite_and_undo_to_remote_author(alice, network, on_commit):
    carol = make_remote_account("carol", "remote.example")
    remote_status = carol.statuses.create(uri="https://remote.example/users/carol/statuses/1",
                                          content="<p>hi</p>")
    with on_commit():
        reblog_create(account=alice, status=remote_status)
        favourite_create(account=alice, status=remote_status)
    types = [p["json"]["type"] for p in network.posts("https://remote.example/inbox")]
    assert sorted(types) == ["Announce", "Like"]
    network.sent.clear()
    with on_commit():
        reblog_remove(account=alice, status=remote_status)
        favourite_remove(account=alice, status=remote_status)
    undone = sorted(p["json"]["object"]["type"] for p in network.posts())
    assert undone == ["Announce", "Like"]


def test_follow_unfollow_block_to_remote(alice, network, on_commit):
    carol = make_remote_account("carol", "remote.example")
    with on_commit():
        follow_request(follower=alice, target=carol)
    follow = network.posts()[0]["json"]
    assert follow["type"] == "Follow" and follow["object"] == carol.uri
    with on_commit():
        unfollow(follower=alice, target=carol)
    undo = network.posts()[-1]["json"]
    assert undo["type"] == "Undo" and undo["object"]["id"] == follow["id"]
    with on_commit():
        block_create(account=alice, target=carol)
    assert network.posts()[-1]["json"]["type"] == "Block"


def test_profile_update_goes_to_followers(alice, followers, network, on_commit):
    with on_commit():
        profile_update(account=alice, display_name="Alice!")
    updates = [p["json"] for p in network.posts()]
    assert {u["type"] for u in updates} == {"Update"}
    assert updates[0]["object"]["name"] == "Alice!"


def _delivery(alice):
    return Delivery.objects.create(activity_id="https://pouet.test/x", activity={"id": "https://pouet.test/x"},
                                   inbox_url="https://remote.example/inbox", signer=alice)


def test_delivery_transient_failure_is_retried_then_permanent_failure_stops(alice, network):
    delivery = _delivery(alice)
    network.add("https://remote.example/inbox", 503)
    assert delivery_attempt(delivery_id=delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert delivery.state == "pending" and delivery.attempts == 1
    assert delivery.next_attempt_at > timezone.now()
    network.add("https://remote.example/inbox", 410)
    assert delivery_attempt(delivery_id=delivery.pk) == "failed"
    assert delivery_attempt(delivery_id=delivery.pk) == "skipped"


@pytest.mark.parametrize("status,outcome", [(401, "retry"), (408, "retry"), (429, "retry"),
                                            (400, "failed"), (404, "failed"), (202, "done")])
def test_delivery_status_classes(alice, network, status, outcome):
    network.add("https://remote.example/inbox", status)
    assert delivery_attempt(delivery_id=_delivery(alice).pk) == outcome


def test_delivery_task_raises_for_retry(alice, network):
    from federation.services.delivery import DeliveryRetryError
    from federation.tasks import deliver

    network.add("https://remote.example/inbox", 500)
    with pytest.raises(DeliveryRetryError):
        deliver.fn(_delivery(alice).pk)


def test_deliveries_go_in_batches_and_a_retry_resends_only_what_failed(alice, network, monkeypatch,
                                                                      on_commit):
    from federation.services.delivery import DELIVERY_BATCH, DeliveryRetryError, deliveries_create
    from federation.tasks import deliver

    messages = []
    monkeypatch.setattr(deliver, "send", lambda *ids: messages.append(ids))
    inbox_urls = [f"https://s{n:02}.example/inbox" for n in range(DELIVERY_BATCH + 5)]
    for url in inbox_urls:
        network.add(url, 503 if url == inbox_urls[3] else 202)
    with on_commit():
        deliveries_create(activity={"id": "https://pouet.test/batch", "type": "Create"}, signer=alice,
                          inboxes=inbox_urls)
    assert [len(ids) for ids in messages] == [DELIVERY_BATCH, 5]
    assert sorted(pk for ids in messages for pk in ids) == sorted(
        Delivery.objects.values_list("pk", flat=True))

    with pytest.raises(DeliveryRetryError):
        deliver.fn(*messages[0])
    assert len(network.posts()) == DELIVERY_BATCH
    network.add(inbox_urls[3], 202)
    deliver.fn(*messages[0])  # dramatiq's retry of the message: only the failed one goes again
    assert len(network.posts()) == DELIVERY_BATCH + 1 and len(network.posts(inbox_urls[3])) == 2
    assert Delivery.objects.filter(pk__in=messages[0], state="done").count() == DELIVERY_BATCH


def test_delivery_to_loopback_is_refused_permanently(alice, network):
    delivery = Delivery.objects.create(activity_id="https://pouet.test/y", activity={"id": "y"},
                                       inbox_url="https://127.0.0.1/inbox", signer=alice)
    assert delivery_attempt(delivery_id=delivery.pk) == "failed"
    assert network.sent == []


def test_server_down_for_days_is_skipped_until_it_speaks(alice, network, on_commit):
    network.add("https://remote.example/inbox", 503)
    delivery = _delivery(alice)
    delivery_attempt(delivery_id=delivery.pk)
    Instance.objects.filter(domain="remote.example").update(failing_since=timezone.now() - timedelta(days=4))
    Delivery.objects.filter(pk=delivery.pk).update(state="pending")
    delivery_attempt(delivery_id=delivery.pk)
    assert Instance.objects.get(domain="remote.example").unavailable
    carol = make_remote_account("carol", "remote.example")
    follow_request(follower=carol, target=alice)
    network.sent.clear()
    with on_commit():
        status_create(author=alice, text="nobody hears")
    assert network.posts() == []
    from federation.services.delivery import instance_heard_from

    instance_heard_from("remote.example")
    assert not Instance.objects.get(domain="remote.example").unavailable


def test_sweep_reenqueues_lost_messages(alice, network):
    delivery = _delivery(alice)
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(hours=1))
    stuck = Delivery.objects.create(activity_id="https://pouet.test/z", activity={"id": "z"},
                                    inbox_url="https://remote.example/inbox", signer=alice,
                                    state="sending", updated_at=timezone.now() - timedelta(hours=1))
    result = deliveries_sweep()
    assert result["reset"] == 1
    assert Delivery.objects.get(pk=delivery.pk).state == "done"
    stuck.refresh_from_db()
    assert stuck.state == "pending"  # reset now, sent by the next sweep once due


def test_deliveries_command(alice, network, capsys):
    _delivery(alice)
    call_command("deliveries", "stats")
    call_command("deliveries", "sweep")
    out = capsys.readouterr().out
    assert "pending: 1" in out and "re-enqueued" in out


def test_signed_fetch_uses_instance_actor(db, network):
    from federation.services.actors import actor_fetch
    from tests.federation.conftest import fixture

    actor = fixture("mastodon/actor-person-gargron.json")
    actor.update(id="https://remote.example/users/z", preferredUsername="z", publicKey={
        "id": "https://remote.example/users/z#main-key", "owner": "https://remote.example/users/z",
        "publicKeyPem": FIXED_PUBLIC_KEY})
    network.add("https://remote.example/users/z", actor)
    account = actor_fetch("https://remote.example/users/z")
    assert account.domain == "remote.example" and account.shared_inbox_url == "https://mastodon.social/inbox"
    assert "https://pouet.test/actor#main-key" in network.sent[0]["headers"]["Signature"]


def test_fetch_refuses_document_claiming_another_id(db, network):
    from federation.services.actors import fetch_object

    network.add("https://remote.example/notes/1", {"id": "https://evil.example/notes/1", "type": "Note"})
    with pytest.raises(http.RemoteFetchError):
        fetch_object("https://remote.example/notes/1")
    network.add("https://remote.example/notes/2", http.Response(
        302, CaseInsensitiveDict({"Location": "https://127.0.0.1/"}), b"", ""))
    with pytest.raises(http.UnsafeAddressError):
        fetch_object("https://remote.example/notes/2")
