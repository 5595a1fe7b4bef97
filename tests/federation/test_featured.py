"""Add/Remove on a remote actor's featured collection: its pinned posts, shown on its
profile page and by the API's `pinned=true`."""

import pytest
from django.test import Client

from accounts.models import FollowRequest
from accounts.services import follow_accept, follow_request
from federation.models import ActorInfo, InboxActivity
from statuses.models import Status, StatusPin
from tests.api.contract import assert_matches_contract
from tests.federation.conftest import signed_post
from tests.federation.test_resolve import CAROL, note

FEATURED = f"{CAROL}/collections/featured"


@pytest.fixture
def post(client, django_capture_on_commit_callbacks, network):
    def send(activity, key_id=f"{CAROL}#main-key"):
        with django_capture_on_commit_callbacks(execute=True):
            return signed_post(client, "/inbox", activity, key_id=key_id)
    return send


@pytest.fixture
def carol(remote_carol):
    ActorInfo.objects.create(account=remote_carol, key_id=f"{CAROL}#main-key", featured_url=FEATURED)
    return remote_carol


@pytest.fixture
def carol_followed(alice, carol):
    follow_request(follower=alice, target=carol)
    follow_accept(follow_request=FollowRequest.objects.get(account=alice))
    return carol


def add(uri, n=1, kind="Add", target=FEATURED, actor=CAROL):
    return {"id": f"{actor}#{kind.lower()}s/{n}", "type": kind, "actor": actor, "object": uri,
            "target": target}


def profile_pins(carol):
    page = Client().get("/@carol@remote.example")
    assert page.status_code == 200
    api = Client().get(f"/api/v1/accounts/{carol.pk}/statuses", {"pinned": "true"})
    assert api.status_code == 200
    assert_matches_contract(api, "/api/v1/accounts/{id}/statuses")
    return page.content.decode(), [s["content"] for s in api.json()]


def test_add_to_featured_pins_a_known_post_and_remove_unpins_it(post, carol_followed):
    uri = f"{CAROL}/statuses/1"
    post({"id": f"{uri}/activity", "type": "Create", "actor": CAROL,
          "object": note(uri, CAROL, content="<p>my best post</p>")})
    assert post(add(uri)).status_code == 202
    html, pinned = profile_pins(carol_followed)
    assert pinned == ["<p>my best post</p>"]
    assert "Pinned post" in html
    post(add(uri, kind="Remove"))
    assert not StatusPin.objects.exists()
    assert profile_pins(carol_followed)[1] == []


def test_add_of_an_unknown_post_fetches_it_once(post, carol_followed, network):
    uri = f"{CAROL}/statuses/2"
    network.add(uri, note(uri, CAROL, content="<p>fetched</p>"))
    post(add(uri))
    assert StatusPin.objects.get(account=carol_followed).status.uri == uri
    assert len([s for s in network.sent if s["url"] == uri]) == 1
    post(add(uri, n=2))  # known now: no second fetch, still one pin
    assert len([s for s in network.sent if s["url"] == uri]) == 1
    assert StatusPin.objects.count() == 1


def test_add_from_an_actor_nobody_follows_fetches_nothing(post, carol, network):
    uri = f"{CAROL}/statuses/3"
    network.add(uri, note(uri, CAROL))
    post(add(uri))
    assert not [s for s in network.sent if s["url"] == uri]
    assert not StatusPin.objects.exists() and not Status.objects.exists()


def test_add_of_someone_elses_post_is_refused(post, carol_followed, network):
    from tests.factories import make_remote_account

    dave = make_remote_account("dave", "remote.example")
    theirs = Status.objects.create(id=1, account=dave, uri=f"{dave.uri}/statuses/9", content="<p>dave</p>")
    other_host = "https://elsewhere.example/users/eve/statuses/1"
    post(add(theirs.uri))
    post(add(other_host, n=2))
    assert not StatusPin.objects.exists()
    assert not [s for s in network.sent if s["url"] == other_host]
    assert InboxActivity.objects.filter(state="failed").count() == 2


def test_add_to_another_collection_or_of_a_private_post_pins_nothing(post, carol_followed):
    uri = f"{CAROL}/statuses/4"
    post({"id": f"{uri}/activity", "type": "Create", "actor": CAROL,
          "object": note(uri, CAROL, to=[f"{CAROL}/followers"])})
    public = f"{CAROL}/statuses/5"
    post({"id": f"{public}/activity", "type": "Create", "actor": CAROL, "object": note(public, CAROL)})
    post(add(uri))
    post(add(public, n=2, target=f"{CAROL}/collections/tags"))
    assert Status.objects.count() == 2 and not StatusPin.objects.exists()
