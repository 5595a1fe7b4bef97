"""Hashtags across servers: a remote public post with a followed hashtag reaches the home
timeline through the inbox (not a followers-only one); featured tags are the actor's
`featuredTags` collection, and changing them sends Update(actor) to followers' servers."""

import pytest

from accounts.services import follow_request
from federation.activitypub.actors import render_featured_tag
from statuses.models import Status
from statuses.selectors import timeline_home
from statuses.tag_services import featured_tag_create, featured_tag_delete, tag_follow
from tests.factories import make_remote_account
from tests.federation.conftest import ap_get, signed_post
from tests.federation.test_inbox import CAROL, create, follows_alice, note


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def anon_api():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def post(client, on_commit, network):
    def send(activity):
        with on_commit():
            return signed_post(client, "/inbox", activity, key_id=CAROL + "#main-key")
    return send


def test_a_remote_post_with_a_followed_tag_reaches_home_through_the_inbox(post, alice, bob, remote_carol):
    follows_alice(remote_carol, bob)  # bob's follow is why this server receives carol's posts
    tag_follow(account=alice, name="pouet")
    assert timeline_home(viewer=alice) == []  # alice's feed exists: fan-out writes to it
    tagged = [{"type": "Hashtag", "name": "#Pouet", "href": "https://remote.example/tags/pouet"}]
    assert post(create(note(1, content="<p>#Pouet</p>", tag=tagged))).status_code == 202
    followers_only = note(2, content="<p>#Pouet secret</p>", tag=tagged, to=[CAROL + "/followers"], cc=[])
    assert post(create(followers_only)).status_code == 202
    assert post(create(note(3, content="<p>no tag</p>"))).status_code == 202

    public = Status.objects.get(uri=note(1)["id"])
    assert Status.objects.filter(account=remote_carol).count() == 3
    assert timeline_home(viewer=alice) == [public]
    assert len(timeline_home(viewer=bob)) == 3  # bob follows carol: all three


def test_render_featured_tag():
    assert render_featured_tag(name="Cats", href="https://pouet.test/@alice/tagged/cats") == {
        "type": "Hashtag", "href": "https://pouet.test/@alice/tagged/cats", "name": "#Cats",
    }


def test_featured_tags_collection_lists_hashtags(client, alice, bob):
    featured_tag_create(account=alice, name="Cats")
    featured_tag_create(account=alice, name="dogs")
    featured_tag_create(account=bob, name="fish")
    actor = ap_get(client, "/users/alice").json()
    assert actor["featuredTags"] == "https://pouet.test/users/alice/collections/tags"

    collection = ap_get(client, "/users/alice/collections/tags").json()
    assert collection["id"] == actor["featuredTags"]
    assert collection["totalItems"] == 2
    assert collection["orderedItems"] == [
        # Links to alice's web page of her posts with the tag (the web scheme, not the ids').
        {"type": "Hashtag", "href": f"{alice.profile_url}/tagged/cats", "name": "#Cats"},
        {"type": "Hashtag", "href": f"{alice.profile_url}/tagged/dogs", "name": "#dogs"},
    ]
    assert ap_get(client, "/users/nobody/collections/tags").status_code == 404


def test_featuring_and_unfeaturing_send_update_of_the_actor(alice, network, on_commit):
    follow_request(follower=make_remote_account("zed", "far.example"), target=alice)
    network.sent.clear()

    with on_commit():
        featured = featured_tag_create(account=alice, name="cats")
    updates = [p["json"] for p in network.posts()]
    assert [(u["type"], u["object"]["id"]) for u in updates] == [("Update", "https://pouet.test/users/alice")]
    assert updates[0]["object"]["featuredTags"] == "https://pouet.test/users/alice/collections/tags"
    assert network.posts()[0]["url"] == "https://far.example/inbox"

    network.sent.clear()
    with on_commit():
        featured_tag_create(account=alice, name="cats")  # already featured: nothing to tell
    assert network.posts() == []

    with on_commit():
        featured_tag_delete(account=alice, featured_tag_id=featured.pk)
    assert [p["json"]["type"] for p in network.posts()] == ["Update"]


def test_parse_featured_tags_reads_hashtags_bounded():
    from federation.activitypub.actors import parse_featured_tags

    items = [{"type": "Hashtag", "name": "#Cats", "href": "https://remote.example/@carol/tagged/cats"},
             {"type": "Hashtag", "name": "#cats"}, {"type": "Note", "name": "#notatag"},
             "https://remote.example/tags/x", {"type": "Hashtag", "name": "#dogs"}]
    assert parse_featured_tags({"type": "OrderedCollection", "orderedItems": items}, limit=10) == (
        ["Cats", "dogs"], "")
    assert parse_featured_tags({"type": "Collection", "items": items}, limit=1) == (["Cats"], "")
    assert parse_featured_tags({"first": {"orderedItems": items}}, limit=10) == (["Cats", "dogs"], "")
    assert parse_featured_tags({"first": "https://remote.example/tags?page=1"}, limit=10) == (
        [], "https://remote.example/tags?page=1")


def _actor_document(collection_url: str) -> dict:
    from tests.factories import FIXED_PUBLIC_KEY

    return {
        "@context": "https://www.w3.org/ns/activitystreams", "id": "https://remote.example/users/zoe",
        "type": "Person", "preferredUsername": "zoe", "inbox": "https://remote.example/users/zoe/inbox",
        "featuredTags": collection_url,
        "publicKey": {"id": "https://remote.example/users/zoe#main-key",
                      "owner": "https://remote.example/users/zoe", "publicKeyPem": FIXED_PUBLIC_KEY},
    }


def test_a_remote_actors_featured_tags_are_read_from_its_collection(db, network, on_commit, anon_api):
    from federation.services.actors import actor_fetch

    tags_url = "https://remote.example/users/zoe/collections/tags"
    network.add("https://remote.example/users/zoe", _actor_document(tags_url))
    network.add(tags_url, {"id": tags_url, "type": "OrderedCollection", "orderedItems": [
        {"type": "Hashtag", "name": "#Cats"}, {"type": "Hashtag", "name": "#not a tag"},
        {"type": "Hashtag", "name": "#dogs"}]})
    with on_commit():
        zoe = actor_fetch("https://remote.example/users/zoe")
    listed = anon_api.get(f"/api/v1/accounts/{zoe.pk}/featured_tags").json()
    assert [t["name"] for t in listed] == ["cats", "dogs"]

    network.add(tags_url, {"id": tags_url, "type": "OrderedCollection", "first": f"{tags_url}?page=1"})
    network.add(f"{tags_url}?page=1", {"id": f"{tags_url}?page=1", "type": "OrderedCollectionPage",
                                       "orderedItems": [{"type": "Hashtag", "name": "#dogs"}]})
    with on_commit():
        actor_fetch("https://remote.example/users/zoe")  # as on an Update of the actor
    assert [t["name"] for t in anon_api.get(f"/api/v1/accounts/{zoe.pk}/featured_tags").json()] == ["dogs"]

    network.add(tags_url, 410)  # gone: a refusal, the tags stay as they were
    with on_commit():
        actor_fetch("https://remote.example/users/zoe")
    assert [t["name"] for t in anon_api.get(f"/api/v1/accounts/{zoe.pk}/featured_tags").json()] == ["dogs"]


def test_a_featured_tags_collection_on_another_host_is_not_fetched(db, network, on_commit):
    from federation.services.actors import actor_fetch
    from statuses.models import FeaturedTag

    network.add("https://remote.example/users/zoe", _actor_document("https://elsewhere.example/tags"))
    with on_commit():
        actor_fetch("https://remote.example/users/zoe")
    assert [s["url"] for s in network.sent] == ["https://remote.example/users/zoe"]
    assert not FeaturedTag.objects.exists()
