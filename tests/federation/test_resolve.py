"""Fetching what we do not hold: thread parents, moved accounts, search lookups."""

import pytest

from accounts.models import Follow, FollowRequest
from accounts.services import follow_accept, follow_request
from federation.services.resolve import resolve
from statuses.models import Status
from tests.factories import FIXED_PUBLIC_KEY
from tests.federation.conftest import fixture, signed_post

CAROL = "https://remote.example/users/carol"
DAVE = "https://remote.example/users/dave"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def actor_document(uri, username, **extra):
    actor = fixture("mastodon/actor-person-gargron.json")
    actor.update(id=uri, preferredUsername=username, inbox=f"{uri}/inbox",
                 followers=f"{uri}/followers", endpoints={"sharedInbox": f"https://{uri.split('/')[2]}/inbox"},
                 publicKey={"id": f"{uri}#main-key", "owner": uri, "publicKeyPem": FIXED_PUBLIC_KEY},
                 **extra)
    return actor


def note(uri, author, **extra):
    return {"id": uri, "type": "Note", "attributedTo": author, "content": "<p>x</p>",
            "to": [PUBLIC], "cc": [], **extra}


@pytest.fixture
def post(client, django_capture_on_commit_callbacks, network):
    def send(activity, key_id=f"{CAROL}#main-key"):
        with django_capture_on_commit_callbacks(execute=True):
            return signed_post(client, "/inbox", activity, key_id=key_id)
    return send


@pytest.fixture
def carol_followed(alice, remote_carol):
    follow_request(follower=alice, target=remote_carol)
    follow_accept(follow_request=FollowRequest.objects.get(account=alice))
    return remote_carol


def test_reply_to_unknown_post_fetches_the_parent(post, alice, carol_followed, network):
    grandparent = "https://remote.example/users/dave/statuses/1"
    parent = "https://remote.example/users/dave/statuses/2"
    network.add(DAVE, actor_document(DAVE, "dave"))
    network.add(grandparent, note(grandparent, DAVE))
    network.add(parent, note(parent, DAVE, inReplyTo=grandparent))
    reply = note(f"{CAROL}/statuses/3", CAROL, inReplyTo=parent)
    post({"id": f"{reply['id']}/activity", "type": "Create", "actor": CAROL, "object": reply})
    child = Status.objects.get(uri=reply["id"])
    assert child.in_reply_to.uri == parent
    assert child.in_reply_to.in_reply_to.uri == grandparent


def test_move_confirmed_by_also_known_as(post, alice, carol_followed, network):
    new = "https://new.example/users/carol"
    network.add(new, actor_document(new, "carol", alsoKnownAs=[CAROL]))
    post({"id": f"{CAROL}#moves/1", "type": "Move", "actor": CAROL, "object": CAROL, "target": new})
    assert not Follow.objects.filter(account=alice, target_account=carol_followed).exists()
    assert FollowRequest.objects.filter(account=alice, target_account__uri=new).exists()
    assert [p["json"]["type"] for p in network.posts("https://new.example/inbox")] == ["Follow"]


def test_move_without_also_known_as_is_refused(post, alice, carol_followed, network):
    new = "https://new.example/users/carol"
    network.add(new, actor_document(new, "carol"))
    post({"id": f"{CAROL}#moves/2", "type": "Move", "actor": CAROL, "object": CAROL, "target": new})
    assert Follow.objects.filter(account=alice, target_account=carol_followed).exists()


def test_resolve_acct_through_webfinger(db, network):
    network.add("https://remote.example/.well-known/webfinger?resource=acct:dave@remote.example", {
        "subject": "acct:dave@remote.example",
        "links": [{"rel": "self", "type": "application/activity+json", "href": DAVE}]})
    network.add(DAVE, actor_document(DAVE, "dave"))
    account = resolve("@dave@remote.example")
    assert account.uri == DAVE and account.acct == "dave@remote.example"
    assert resolve("dave@remote.example") == account  # known now: no fetch
    assert resolve("@nobody@nowhere.example") is None


def test_resolve_post_url(db, network):
    uri = "https://remote.example/users/dave/statuses/9"
    network.add(DAVE, actor_document(DAVE, "dave"))
    network.add(uri, note(uri, DAVE))
    status = resolve(uri)
    assert status.uri == uri and status.account.uri == DAVE
    assert resolve("https://127.0.0.1/users/x") is None
