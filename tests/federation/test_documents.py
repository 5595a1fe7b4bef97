"""Actor, object and collection documents, and the visibility rule on them."""

from accounts.services import follow_request, profile_update
from federation.activitypub.common import PUBLIC
from statuses.services import status_create, status_delete
from tests.federation.conftest import ap_get, key_of, signed_get


def test_actor_document(client, alice):
    profile_update(account=alice, display_name="Alice", note="Hi #there", locked=True,
                   fields=[{"name": "Web", "value": "https://alice.example"}])
    response = ap_get(client, "/users/alice")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/activity+json")
    actor = response.json()
    assert actor["type"] == "Person"
    assert actor["id"] == "https://pouet.test/users/alice"
    assert actor["preferredUsername"] == "alice" and actor["name"] == "Alice"
    assert actor["manuallyApprovesFollowers"] is True
    assert actor["endpoints"]["sharedInbox"] == "https://pouet.test/inbox"
    assert actor["publicKey"]["owner"] == actor["id"]
    assert actor["attachment"][0]["type"] == "PropertyValue"
    assert "https://w3id.org/security/v1" in actor["@context"]
    for key in ("inbox", "outbox", "followers", "following", "featured", "featuredTags", "url"):
        assert actor[key]


def test_actor_document_ld_json_and_browser_redirect(client, alice):
    ld = client.get("/users/alice", headers={
        "Accept": 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'})
    assert ld.status_code == 200 and ld.json()["type"] == "Person"
    browser = client.get("/users/alice", headers={"Accept": "text/html"})
    assert browser.status_code == 302 and browser["Location"] == "/@alice"


def test_bot_is_a_service(client, alice):
    profile_update(account=alice, bot=True)
    assert ap_get(client, "/users/alice").json()["type"] == "Service"


def test_note_addressing_per_visibility(client, alice, remote_carol):
    followers = "https://pouet.test/users/alice/followers"
    expected = {
        "public": ([PUBLIC], [followers]),
        "unlisted": ([followers], [PUBLIC]),
        "private": ([followers], []),
    }
    for visibility, (to, cc) in expected.items():
        status = status_create(author=alice, text="hello", visibility=visibility)
        note = signed_get(client, f"/users/alice/statuses/{status.id}", key_id=key_of(remote_carol))
        if visibility == "private":
            assert note.status_code == 404  # carol does not follow alice
            continue
        note = note.json()
        assert (note["to"], note["cc"]) == (to, cc), visibility
        assert note["attributedTo"] == "https://pouet.test/users/alice"


def test_note_for_follower_and_mentions(client, alice, remote_carol):
    follow_request(follower=remote_carol, target=alice)  # alice is not locked: accepted
    status = status_create(author=alice, text="hi @carol@remote.example #tag", visibility="private")
    note = signed_get(client, f"/users/alice/statuses/{status.id}", key_id=key_of(remote_carol)).json()
    assert note["to"] == ["https://pouet.test/users/alice/followers"]
    assert note["cc"] == [remote_carol.uri]
    types = {t["type"] for t in note["tag"]}
    assert types == {"Mention", "Hashtag"}


def test_direct_note_to_mentioned_only(client, alice, remote_carol):
    status = status_create(author=alice, text="psst @carol@remote.example", visibility="direct")
    note = signed_get(client, f"/users/alice/statuses/{status.id}", key_id=key_of(remote_carol)).json()
    assert note["to"] == [remote_carol.uri] and note["cc"] == []
    assert ap_get(client, f"/users/alice/statuses/{status.id}").status_code == 404


def test_deleted_status_is_a_tombstone(client, alice):
    status = status_create(author=alice, text="bye")
    status_id = status.id
    status_delete(status=status, by=alice)
    response = ap_get(client, f"/users/alice/statuses/{status_id}")
    assert response.status_code == 410
    assert response.json()["type"] == "Tombstone"


def test_outbox_never_lists_followers_only_to_unsigned(client, alice, remote_carol):
    public = status_create(author=alice, text="for all")
    private = status_create(author=alice, text="for friends", visibility="private")
    direct = status_create(author=alice, text="for carol @carol@remote.example", visibility="direct")
    outbox = ap_get(client, "/users/alice/outbox").json()
    assert outbox["type"] == "OrderedCollection" and outbox["totalItems"] == 1
    page = ap_get(client, "/users/alice/outbox?page=true").json()
    ids = [item["object"]["id"] for item in page["orderedItems"]]
    assert ids == [public.activitypub_id]
    # A signed request from a follower sees the followers-only post, and the direct one
    # only because it mentions her.
    follow_request(follower=remote_carol, target=alice)
    page = signed_get(client, "/users/alice/outbox?page=true", key_id=key_of(remote_carol)).json()
    ids = {item["object"]["id"] for item in page["orderedItems"]}
    assert ids == {public.activitypub_id, private.activitypub_id, direct.activitypub_id}


def test_bad_signature_on_get_is_anonymous(client, alice, remote_carol):
    from tests.federation.test_signatures import OTHER_PUBLIC_KEY

    follow_request(follower=remote_carol, target=alice)
    status_create(author=alice, text="for friends", visibility="private")
    remote_carol.public_key = OTHER_PUBLIC_KEY
    remote_carol.save()
    page = signed_get(client, "/users/alice/outbox?page=true", key_id=key_of(remote_carol))
    # The refetch finds no actor (fake network answers 404): anonymous, public items only.
    assert page.json()["orderedItems"] == []


def test_authorized_fetch_requires_signature(client, alice, remote_carol, settings, network):
    settings.AUTHORIZED_FETCH = True
    status = status_create(author=alice, text="public")
    assert ap_get(client, "/users/alice/outbox").status_code == 401
    assert ap_get(client, f"/users/alice/statuses/{status.id}").status_code == 401
    signed = signed_get(client, f"/users/alice/statuses/{status.id}", key_id=key_of(remote_carol))
    assert signed.status_code == 200
    assert ap_get(client, "/actor").status_code == 200


def test_followers_and_following_collections(client, alice, bob, remote_carol):
    follow_request(follower=remote_carol, target=alice)
    follow_request(follower=bob, target=alice)
    collection = ap_get(client, "/users/alice/followers").json()
    assert collection["totalItems"] == 2
    page = ap_get(client, "/users/alice/followers?page=1").json()
    assert set(page["orderedItems"]) == {remote_carol.uri, "https://pouet.test/users/bob"}
    assert ap_get(client, "/users/bob/following?page=1").json()["orderedItems"] == [
        "https://pouet.test/users/alice"]


def test_featured_collection_respects_visibility(client, alice):
    from statuses.services import pin_create

    status = status_create(author=alice, text="pinned")
    pin_create(account=alice, status=status)
    featured = ap_get(client, "/users/alice/collections/featured").json()
    assert [n["id"] for n in featured["orderedItems"]] == [status.activitypub_id]


def test_replies_collection_respects_visibility(client, alice, bob):
    parent = status_create(author=alice, text="thread")
    public = status_create(author=bob, text="reply", in_reply_to=parent)
    status_create(author=bob, text="secret reply", in_reply_to=parent, visibility="private")
    note = ap_get(client, f"/users/alice/statuses/{parent.id}").json()
    assert note["replies"]["id"].endswith("/replies")
    page = ap_get(client, f"/users/alice/statuses/{parent.id}/replies?page=true").json()
    assert page["orderedItems"] == [public.activitypub_id]
