"""The inbox through the Django test client, with requests signed by the fixed test key;
only the outbound HTTP boundary is faked (tests.federation.conftest.FakeNetwork)."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import Block, Follow, FollowRequest, Notification
from accounts.services import follow_request, profile_update
from federation.models import InboxActivity
from statuses.models import Favourite, Status
from statuses.services import status_create
from tests.factories import FIXED_PUBLIC_KEY, make_remote_account
from tests.federation.conftest import key_of, signed_post
from tests.federation.test_signatures import OTHER_PUBLIC_KEY

ALICE = "https://pouet.test/users/alice"
CAROL = "https://remote.example/users/carol"


@pytest.fixture
def post(client, django_capture_on_commit_callbacks, network):
    def send(activity, *, key_id=CAROL + "#main-key", path="/inbox", **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return signed_post(client, path, activity, key_id=key_id, **kwargs)
    return send


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def note(n=1, *, to=None, cc=None, content="<p>hello</p>", author=CAROL, note_id=None, **extra):
    return {
        "id": note_id or f"https://remote.example/users/carol/statuses/{n}",
        "type": "Note", "attributedTo": author, "content": content,
        "published": "2026-11-20T10:00:00Z",
        "to": to if to is not None else ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": cc if cc is not None else ["https://remote.example/users/carol/followers"],
        **extra,
    }


def create(obj, n=1, actor=CAROL):
    return {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{obj['id']}/activity",
            "type": "Create", "actor": actor, "object": obj, "to": obj.get("to"), "cc": obj.get("cc")}


def follows_alice(carol, alice):
    follow_request(follower=alice, target=carol)
    from accounts.services import follow_accept

    follow_accept(follow_request=FollowRequest.objects.get(account=alice, target_account=carol))


# --- follows ------------------------------------------------------------------------------


def test_inbox_follow_unlocked_is_accepted(post, alice, remote_carol, network):
    follow = {"id": f"{CAROL}#follows/1", "type": "Follow", "actor": CAROL, "object": ALICE}
    response = post(follow)
    assert response.status_code == 202
    assert Follow.objects.filter(account=remote_carol, target_account=alice, uri=follow["id"]).exists()
    assert Notification.objects.filter(account=alice, type="follow").count() == 1
    accepts = [p["json"] for p in network.posts("https://remote.example/inbox")]
    assert accepts[-1]["type"] == "Accept"
    assert accepts[-1]["object"]["id"] == follow["id"]
    assert accepts[-1]["actor"] == ALICE
    sent = network.posts("https://remote.example/inbox")[-1]
    assert 'keyId="https://pouet.test/users/alice#main-key"' in sent["headers"]["Signature"]


def test_inbox_follow_locked_waits_for_approval(post, alice, remote_carol, network, on_commit):
    profile_update(account=alice, locked=True)
    post({"id": f"{CAROL}#follows/2", "type": "Follow", "actor": CAROL, "object": ALICE})
    request = FollowRequest.objects.get(account=remote_carol, target_account=alice)
    assert request.uri == f"{CAROL}#follows/2"
    assert Notification.objects.filter(account=alice, type="follow_request").exists()
    assert network.posts() == []
    from accounts.services import follow_accept

    with on_commit():
        follow_accept(follow_request=request)
    accept = network.posts("https://remote.example/inbox")[-1]["json"]
    assert accept["type"] == "Accept" and accept["object"]["id"] == f"{CAROL}#follows/2"


def test_inbox_same_activity_twice_has_one_effect(post, alice, remote_carol):
    follow = {"id": f"{CAROL}#follows/3", "type": "Follow", "actor": CAROL, "object": ALICE}
    assert post(follow).status_code == 202
    assert post(follow, path="/users/alice/inbox").status_code == 202
    assert InboxActivity.objects.count() == 1
    assert Notification.objects.filter(account=alice, type="follow").count() == 1


@pytest.mark.parametrize("shape", ["ids", "embedded", "id"])
def test_inbox_accept_in_every_shape(shape, post, alice, remote_carol, network, on_commit):
    with on_commit():
        follow_request(follower=alice, target=remote_carol)
    sent = network.posts("https://remote.example/inbox")[-1]["json"]
    assert sent["type"] == "Follow" and sent["object"] == CAROL
    follow = {"id": sent["id"], "type": "Follow", "actor": ALICE, "object": CAROL}
    if shape == "embedded":
        follow = {**follow, "actor": {"id": ALICE, "type": "Person"},
                  "object": {"id": CAROL, "type": "Person"}}
    obj = sent["id"] if shape == "id" else follow
    post({"id": f"{CAROL}#accepts/1", "type": "Accept", "actor": CAROL, "object": obj})
    assert Follow.objects.filter(account=alice, target_account=remote_carol).exists()
    assert not FollowRequest.objects.exists()


def test_inbox_accept_from_someone_else_is_refused(post, alice, remote_carol, network, on_commit):
    mallory = make_remote_account("mallory", "evil.example")
    with on_commit():
        follow_request(follower=alice, target=remote_carol)
    follow_id = network.posts()[-1]["json"]["id"]
    post({"id": "https://evil.example/users/mallory#a/1", "type": "Accept", "actor": mallory.uri,
          "object": {"id": follow_id, "type": "Follow", "actor": ALICE, "object": CAROL}},
         key_id=key_of(mallory))
    assert not Follow.objects.filter(account=alice).exists()


def test_inbox_reject_and_undo_follow(post, alice, remote_carol):
    post({"id": f"{CAROL}#follows/4", "type": "Follow", "actor": CAROL, "object": ALICE})
    assert Follow.objects.filter(account=remote_carol).exists()
    post({"id": f"{CAROL}#follows/4/undo", "type": "Undo", "actor": CAROL,
          "object": {"id": f"{CAROL}#follows/4", "type": "Follow", "actor": CAROL, "object": ALICE}})
    assert not Follow.objects.filter(account=remote_carol).exists()


# --- notes --------------------------------------------------------------------------------


def test_inbox_create_note_mentioning_local_user(post, alice, remote_carol):
    obj = note(content='<p>hi <a href="https://pouet.test/@alice">@alice</a><script>x()</script>'
                      '<a href="javascript:alert(1)">x</a></p>',
               tag=[{"type": "Mention", "href": ALICE, "name": "@alice@pouet.test"},
                    {"type": "Hashtag", "name": "#Pouet", "href": "https://remote.example/tags/pouet"}])
    assert post(create(obj)).status_code == 202
    status = Status.objects.get(uri=obj["id"])
    assert "script" not in status.content and "javascript" not in status.content
    assert status.visibility == "public"
    assert status.account == remote_carol
    assert [t.name for t in status.tags.all()] == ["Pouet"]
    assert Notification.objects.filter(account=alice, type="mention", status=status).exists()


def test_inbox_create_reply_threads_and_direct_visibility(post, alice, remote_carol):
    parent = status_create(author=alice, text="question?")
    obj = note(2, to=[ALICE], cc=[], inReplyTo=parent.activitypub_id,
               tag=[{"type": "Mention", "href": ALICE}])
    post(create(obj))
    reply = Status.objects.get(uri=obj["id"])
    assert reply.in_reply_to == parent and reply.in_reply_to_account == alice
    assert reply.visibility == "direct"
    assert reply.mentions.filter(account=alice).exists()


def test_inbox_followers_only_note_visible_to_local_followers_only(post, alice, bob, remote_carol):
    from statuses.permissions import is_visible_to

    follows_alice(remote_carol, alice)
    obj = note(3, to=["https://remote.example/users/carol/followers"], cc=[])
    post(create(obj))
    status = Status.objects.get(uri=obj["id"])
    assert status.visibility == "private"
    assert is_visible_to(status, alice)
    assert not is_visible_to(status, bob)
    assert not is_visible_to(status, None)


def test_inbox_unsolicited_note_is_dropped(post, alice, remote_carol, network):
    post(create(note(4)))
    assert not Status.objects.exists()
    assert network.sent == []


def test_inbox_create_for_object_on_another_host_is_refused(post, alice, remote_carol):
    follows_alice(remote_carol, alice)
    obj = note(5, note_id="https://other.example/users/carol/statuses/5")
    activity = create(obj)
    activity["id"] = "https://remote.example/users/carol/statuses/5/activity"
    post(activity)
    assert not Status.objects.exists()
    assert InboxActivity.objects.get().state == "failed"


def test_inbox_create_attributed_to_someone_else_is_refused(post, alice, remote_carol):
    follows_alice(remote_carol, alice)
    post(create(note(6, author="https://remote.example/users/dave")))
    assert not Status.objects.exists()


def test_inbox_delete_before_create(post, alice, remote_carol):
    follows_alice(remote_carol, alice)
    obj = note(7)
    post({"id": f"{obj['id']}#delete", "type": "Delete", "actor": CAROL,
          "object": {"id": obj["id"], "type": "Tombstone"}})
    post(create(obj))
    assert not Status.objects.filter(uri=obj["id"]).exists()


def test_inbox_update_and_delete_note(post, alice, remote_carol):
    follows_alice(remote_carol, alice)
    obj = note(8)
    post(create(obj))
    post({"id": f"{obj['id']}#updates/1", "type": "Update", "actor": CAROL,
          "object": {**obj, "content": "<p>edited</p>", "updated": "2026-11-20T11:00:00Z"}})
    status = Status.objects.get(uri=obj["id"])
    assert status.content == "<p>edited</p>" and status.edited_at
    post({"id": f"{obj['id']}#delete", "type": "Delete", "actor": CAROL, "object": obj["id"]})
    assert not Status.objects.filter(uri=obj["id"]).exists()


def test_inbox_update_of_someone_elses_note_is_refused(post, alice, remote_carol):
    follows_alice(remote_carol, alice)
    obj = note(9)
    post(create(obj))
    mallory = make_remote_account("mallory", "remote.example")
    post({"id": "https://remote.example/users/mallory#updates/1", "type": "Update", "actor": mallory.uri,
          "object": {**obj, "content": "<p>pwned</p>"}}, key_id=key_of(mallory))
    post({"id": "https://remote.example/users/mallory#delete/1", "type": "Delete", "actor": mallory.uri,
          "object": obj["id"]}, key_id=key_of(mallory))
    assert Status.objects.get(uri=obj["id"]).content == "<p>hello</p>"


def test_inbox_update_person(post, remote_carol):
    from tests.federation.conftest import fixture

    actor = fixture("mastodon/actor-person-gargron.json")
    actor.update(id=CAROL, preferredUsername="carol", name="Carol C.", publicKey={
        "id": f"{CAROL}#main-key", "owner": CAROL, "publicKeyPem": FIXED_PUBLIC_KEY})
    post({"id": f"{CAROL}#updates/1", "type": "Update", "actor": CAROL, "object": actor})
    remote_carol.refresh_from_db()
    assert remote_carol.display_name == "Carol C."
    assert remote_carol.actor_info.avatar_url


def test_inbox_delete_person(post, alice, remote_carol):
    follows_alice(remote_carol, alice)
    post(create(note(10)))
    post({"id": f"{CAROL}#delete", "type": "Delete", "actor": CAROL, "object": CAROL})
    remote_carol.refresh_from_db()
    assert remote_carol.is_suspended
    assert not Status.objects.filter(account=remote_carol).exists()
    assert not Follow.objects.filter(target_account=remote_carol).exists()


# --- boosts, likes, blocks ----------------------------------------------------------------


def test_inbox_like_and_undo(post, alice, remote_carol):
    status = status_create(author=alice, text="like me")
    like = {"id": f"{CAROL}#likes/1", "type": "Like", "actor": CAROL, "object": status.activitypub_id}
    post(like)
    assert Favourite.objects.filter(account=remote_carol, status=status, uri=like["id"]).exists()
    assert Notification.objects.filter(account=alice, type="favourite").exists()
    post({"id": f"{CAROL}#likes/1/undo", "type": "Undo", "actor": CAROL, "object": like["id"]})
    assert not Favourite.objects.exists()


def test_inbox_like_of_invisible_post_does_nothing(post, alice, remote_carol):
    status = status_create(author=alice, text="friends", visibility="private")
    post({"id": f"{CAROL}#likes/2", "type": "Like", "actor": CAROL, "object": status.activitypub_id})
    assert not Favourite.objects.exists()


def test_inbox_announce_and_undo(post, alice, remote_carol):
    status = status_create(author=alice, text="boost me")
    announce = {"id": f"{CAROL}/statuses/99/activity", "type": "Announce", "actor": CAROL,
                "object": status.activitypub_id,
                "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": [ALICE]}
    post(announce)
    reblog = Status.objects.get(reblog=status)
    assert reblog.account == remote_carol and reblog.visibility == "public"
    assert Notification.objects.filter(account=alice, type="reblog").exists()
    post({"id": f"{announce['id']}/undo", "type": "Undo", "actor": CAROL, "object": announce})
    assert not Status.objects.filter(reblog=status).exists()


def test_inbox_announce_of_followers_only_post_is_ignored(post, alice, remote_carol):
    follow_request(follower=remote_carol, target=alice)
    status = status_create(author=alice, text="friends", visibility="private")
    post({"id": f"{CAROL}/statuses/98/activity", "type": "Announce", "actor": CAROL,
          "object": status.activitypub_id, "to": ["https://www.w3.org/ns/activitystreams#Public"]})
    assert not Status.objects.filter(reblog=status).exists()


def test_inbox_block_and_undo(post, alice, remote_carol):
    follows_alice(remote_carol, alice)
    block = {"id": f"{CAROL}#blocks/1", "type": "Block", "actor": CAROL, "object": ALICE}
    post(block)
    assert Block.objects.filter(account=remote_carol, target_account=alice, uri=block["id"]).exists()
    assert not Follow.objects.filter(account=alice, target_account=remote_carol).exists()
    post({"id": f"{CAROL}#blocks/1/undo", "type": "Undo", "actor": CAROL, "object": block})
    assert not Block.objects.exists()


# --- refusals -----------------------------------------------------------------------------


FOLLOW = {"id": f"{CAROL}#follows/9", "type": "Follow", "actor": CAROL, "object": ALICE}


def test_inbox_rejects_unsigned(client, alice, remote_carol):
    response = client.post("/inbox", json.dumps(FOLLOW), content_type="application/activity+json")
    assert response.status_code == 401
    assert not InboxActivity.objects.exists()


def test_inbox_rejects_bad_signature(post, alice, remote_carol):
    remote_carol.public_key = OTHER_PUBLIC_KEY
    remote_carol.save()
    # The refetch (key rotation) finds nothing on the fake network: refused.
    assert post(FOLLOW).status_code == 401
    assert not InboxActivity.objects.exists()


def test_inbox_refetches_rotated_key_once(post, alice, remote_carol, network):
    from tests.federation.conftest import fixture

    remote_carol.public_key = OTHER_PUBLIC_KEY
    remote_carol.save()
    actor = fixture("mastodon/actor-person-gargron.json")
    actor.update(id=CAROL, preferredUsername="carol", publicKey={
        "id": f"{CAROL}#main-key", "owner": CAROL, "publicKeyPem": FIXED_PUBLIC_KEY})
    network.add(CAROL, actor)
    assert post(FOLLOW).status_code == 202
    remote_carol.refresh_from_db()
    assert remote_carol.public_key == FIXED_PUBLIC_KEY


def test_inbox_rejects_tampered_body(client, alice, remote_carol):
    signed_body = json.dumps(FOLLOW).encode()
    from tests.federation.conftest import _signed_headers

    headers = _signed_headers("POST", "/inbox", signed_body, key_of(remote_carol), None)
    tampered = json.dumps({**FOLLOW, "type": "Block"}).encode()
    response = client.generic("POST", "/inbox", tampered, content_type="application/activity+json",
                              headers=headers, secure=True)
    assert response.status_code == 401


def test_inbox_rejects_stale_date(client, alice, remote_carol, monkeypatch):
    import federation.signatures as signatures

    real = signatures.http_date
    three_hours_ago = datetime.now(UTC) - timedelta(hours=3)
    monkeypatch.setattr(signatures, "http_date", lambda moment=None: real(three_hours_ago))
    response = signed_post(client, "/inbox", FOLLOW, key_id=key_of(remote_carol))
    assert response.status_code == 401


def test_inbox_rejects_signer_who_is_not_the_actor(post, alice, remote_carol):
    mallory = make_remote_account("mallory", "evil.example")
    assert post(FOLLOW, key_id=key_of(mallory)).status_code == 401


def test_inbox_rejects_activity_id_on_another_host(post, alice, remote_carol):
    assert post({**FOLLOW, "id": "https://other.example/follows/1"}).status_code == 400


def test_inbox_rejects_key_on_another_host(post, alice, remote_carol, network):
    # keyId on one host, its "actor" on another.
    network.add("https://evil.example/key", {
        "id": "https://evil.example/key", "owner": CAROL, "publicKeyPem": FIXED_PUBLIC_KEY})
    assert post(FOLLOW, key_id="https://evil.example/key").status_code == 401


def test_inbox_rejects_two_megabytes(post, alice, remote_carol):
    big = {**FOLLOW, "padding": "x" * (2 * 1024 * 1024)}
    assert post(big).status_code == 413
    assert not InboxActivity.objects.exists()


def test_inbox_never_fetches_a_key_on_a_loopback_address(post, alice, network):
    loopback = "https://127.0.0.1/users/mallory"
    follow = {"id": f"{loopback}#follows/1", "type": "Follow", "actor": loopback, "object": ALICE}
    assert post(follow, key_id=f"{loopback}#main-key").status_code == 401
    assert network.sent == [] and not InboxActivity.objects.exists() and not Follow.objects.exists()


def test_inbox_actor_redirecting_to_loopback_is_refused(post, alice, network):
    from requests.structures import CaseInsensitiveDict

    from federation import http

    dave = "https://remote.example/users/dave"
    redirect = CaseInsensitiveDict({"Location": "https://127.0.0.1/dave"})
    network.add(dave, http.Response(302, redirect, b"", dave))
    follow = {"id": f"{dave}#follows/1", "type": "Follow", "actor": dave, "object": ALICE}
    assert post(follow, key_id=f"{dave}#main-key").status_code == 401
    assert [s["url"] for s in network.sent] == [dave]  # the redirect was not followed
    assert not InboxActivity.objects.exists() and not Follow.objects.exists()


def test_inbox_object_redirecting_to_loopback_stores_nothing(post, alice, remote_carol, network):
    from requests.structures import CaseInsensitiveDict

    from federation import http

    follows_alice(remote_carol, alice)
    uri = "https://remote.example/users/carol/statuses/30"
    network.add(uri, http.Response(302, CaseInsensitiveDict({"Location": "https://127.0.0.1/x"}), b"", uri))
    activity = {"id": f"{uri}/activity", "type": "Create", "actor": CAROL, "object": uri}
    assert post(activity).status_code == 202
    assert not Status.objects.filter(uri=uri).exists()
    assert InboxActivity.objects.get(activity_id=activity["id"]).state == "failed"
    assert not [s for s in network.sent if "127.0.0.1" in s["url"]]


def test_inbox_rejects_garbage(post, alice, remote_carol):
    assert post(None, body=b"not json").status_code == 400
    assert post({"type": "Follow"}).status_code == 400


def test_inbox_fetches_unknown_actor(post, alice, network):
    from tests.federation.conftest import fixture

    dave = "https://remote.example/users/dave"
    actor = fixture("mastodon/actor-person-gargron.json")
    actor.update(id=dave, preferredUsername="dave", publicKey={
        "id": f"{dave}#main-key", "owner": dave, "publicKeyPem": FIXED_PUBLIC_KEY})
    network.add(dave, actor)
    follow = {"id": f"{dave}#follows/1", "type": "Follow", "actor": dave, "object": ALICE}
    assert post(follow, key_id=f"{dave}#main-key").status_code == 202
    assert Follow.objects.filter(account__uri=dave, target_account=alice).exists()
    fetch = next(s for s in network.sent if s["method"] == "GET")
    assert 'keyId="https://pouet.test/actor#main-key"' in fetch["headers"]["Signature"]


def test_inbox_flag_becomes_a_report(post, alice, remote_carol):
    from moderation.models import Report

    status = status_create(author=alice, text="reported")
    flag = {"id": "https://remote.example/reports/1", "type": "Flag", "actor": CAROL,
            "content": "spam", "object": [ALICE, status.activitypub_id]}
    post(flag)
    post(flag)
    report = Report.objects.get()
    assert report.target_account == alice and report.comment == "spam"
    assert list(report.statuses.all()) == [status]


def test_inbox_refuses_blocked_domain(post, alice, remote_carol):
    from moderation.models import DomainBlock

    DomainBlock.objects.create(domain="remote.example", severity="suspend")
    assert post(FOLLOW).status_code == 403
    assert not InboxActivity.objects.exists()


def test_new_account_of_limited_domain_starts_limited(db, network):
    from federation.services.actors import actor_fetch
    from moderation.models import DomainBlock
    from tests.federation.conftest import fixture

    DomainBlock.objects.create(domain="limited.example", severity="limit")
    actor = fixture("mastodon/actor-person-gargron.json")
    uri = "https://limited.example/users/x"
    actor.update(id=uri, preferredUsername="x", publicKey={
        "id": f"{uri}#main-key", "owner": uri, "publicKeyPem": FIXED_PUBLIC_KEY})
    network.add(uri, actor)
    assert actor_fetch(uri).silenced_at is not None


def test_inbox_of_the_instance_actor_and_server_back_online(post, alice, remote_carol):
    from federation.models import Instance

    Instance.objects.create(domain="remote.example", unavailable=True)
    assert post(FOLLOW, path="/actor/inbox").status_code == 202
    assert not Instance.objects.get(domain="remote.example").unavailable


# --- moderation of what arrives -----------------------------------------------------------


IMAGE = {"type": "Document", "mediaType": "image/png", "url": "https://remote.example/media/1.png",
         "name": "a cat", "width": 640, "height": 480}


def test_inbox_notes_of_an_account_marked_sensitive_arrive_sensitive(post, alice, remote_carol):
    from moderation.services import account_action
    from tests.factories import make_local_account

    moderator = make_local_account("mia", role="moderator")
    follows_alice(remote_carol, alice)
    account_action(account=remote_carol, action="mark_sensitive", by=moderator.user, reason="gore")
    obj = note(20, attachment=[IMAGE], sensitive=False)
    assert post(create(obj)).status_code == 202
    status = Status.objects.get(uri=obj["id"])
    assert status.sensitive
    post({"id": f"{obj['id']}#updates/1", "type": "Update", "actor": CAROL,
          "object": {**obj, "content": "<p>edited</p>", "sensitive": False}})
    status.refresh_from_db()
    assert status.content == "<p>edited</p>" and status.sensitive


def test_inbox_notes_of_other_accounts_keep_their_own_sensitive_flag(post, alice, remote_carol):
    follows_alice(remote_carol, alice)
    obj = note(21, attachment=[IMAGE], sensitive=False)
    post(create(obj))
    assert not Status.objects.get(uri=obj["id"]).sensitive


def test_inbox_domain_rejecting_media_gets_its_notes_without_media(post, alice, remote_carol, network):
    from moderation.blocks import domain_block_create
    from statuses.models import MediaAttachment

    follows_alice(remote_carol, alice)
    domain_block_create(domain="remote.example", severity="none", reject_media=True, by=None)
    obj = note(22, attachment=[IMAGE])
    assert post(create(obj)).status_code == 202
    status = Status.objects.get(uri=obj["id"])
    assert status.content == "<p>hello</p>"
    assert not MediaAttachment.objects.filter(account=remote_carol).exists()
    # No file was fetched from that domain either: nothing but the POSTs we sent went out.
    assert not [s for s in network.sent if s["method"] == "GET" and "/media/" in s["url"]]


def test_inbox_media_of_other_domains_is_kept(post, alice, remote_carol):
    from statuses.models import MediaAttachment

    follows_alice(remote_carol, alice)
    obj = note(23, attachment=[IMAGE])
    post(create(obj))
    media = MediaAttachment.objects.get(status__uri=obj["id"])
    assert media.remote_url == IMAGE["url"] and not media.file


def test_actor_of_domain_rejecting_media_keeps_no_avatar(db, network):
    from federation.activitypub.actors import parse_actor
    from federation.services.actors import actor_upsert_remote
    from moderation.blocks import domain_block_create
    from tests.federation.conftest import fixture

    domain_block_create(domain="remote.example", severity="none", reject_media=True, by=None)
    actor = fixture("mastodon/actor-person-gargron.json")
    actor.update(id=CAROL, preferredUsername="carol", inbox=f"{CAROL}/inbox",
                 icon={"type": "Image", "url": "https://remote.example/avatar.png"},
                 publicKey={"id": f"{CAROL}#main-key", "owner": CAROL, "publicKeyPem": FIXED_PUBLIC_KEY})
    account = actor_upsert_remote(parse_actor(actor))
    assert account.actor_info.avatar_url == "" and account.actor_info.header_url == ""
