from accounts.models import FollowRequest, RegistrationMode, SiteSettings
from accounts.services import block_create, follow_request
from statuses.services import reblog_create, status_create
from tests.api.contract import assert_matches_contract
from tests.factories import image_file


def test_verify_and_update_credentials(alice, api_for):
    api = api_for(alice)
    me = api.get("/api/v1/accounts/verify_credentials")
    assert me.status_code == 200
    assert_matches_contract(me, "/api/v1/accounts/verify_credentials")

    updated = api.patch("/api/v1/accounts/update_credentials", {
        "display_name": "Alice A.", "note": "Hi, I'm #alice", "locked": "true",
        "fields_attributes[0][name]": "Site", "fields_attributes[0][value]": "https://alice.example",
        "source[privacy]": "unlisted", "avatar": image_file(),
    }, format="multipart")
    assert updated.status_code == 200, updated.content
    assert_matches_contract(updated, "/api/v1/accounts/update_credentials", "patch")
    body = updated.json()
    assert body["display_name"] == "Alice A." and body["locked"] is True
    assert body["fields"][0]["name"] == "Site"
    assert body["source"]["privacy"] == "unlisted" and body["source"]["note"] == "Hi, I'm #alice"
    assert "/media/" in body["avatar"]

    as_json = api.patch("/api/v1/accounts/update_credentials", {
        "fields_attributes": [{"name": "a", "value": "b"}], "bot": True,
    }, format="json")
    assert as_json.status_code == 200
    assert as_json.json()["bot"] is True and as_json.json()["fields"][0]["value"] == "b"

    too_long = api.patch("/api/v1/accounts/update_credentials", {"display_name": "x" * 31}, format="json")
    assert too_long.status_code == 422
    assert api.get("/api/v1/accounts/verify_credentials").json()["display_name"] == "Alice A."


def test_account_lookup_and_detail(alice, anon):
    status_create(author=alice, text="one")
    got = anon.get(f"/api/v1/accounts/{alice.pk}")
    assert got.status_code == 200
    assert_matches_contract(got, "/api/v1/accounts/{id}")
    assert got.json()["statuses_count"] == 1
    looked = anon.get("/api/v1/accounts/lookup", {"acct": "alice"})
    assert_matches_contract(looked, "/api/v1/accounts/lookup")
    assert looked.json()["id"] == str(alice.pk)
    assert anon.get("/api/v1/accounts/lookup", {"acct": "nobody"}).status_code == 404
    assert anon.get("/api/v1/accounts/abc").status_code == 404


def test_follow_unfollow_and_relationships(alice, bob, api_for):
    api = api_for(alice)
    followed = api.post(f"/api/v1/accounts/{bob.pk}/follow", {"reblogs": False, "notify": True},
                        format="json")
    assert followed.status_code == 200
    assert_matches_contract(followed, "/api/v1/accounts/{id}/follow", "post")
    assert followed.json()["following"] is True
    assert followed.json()["showing_reblogs"] is False and followed.json()["notifying"] is True

    rels = api.get("/api/v1/accounts/relationships", {"id[]": [str(bob.pk), "nope"]})
    assert_matches_contract(rels, "/api/v1/accounts/relationships")
    assert [r["id"] for r in rels.json()] == [str(bob.pk)]

    followers = api.get(f"/api/v1/accounts/{bob.pk}/followers")
    assert_matches_contract(followers, "/api/v1/accounts/{id}/followers")
    assert [a["username"] for a in followers.json()] == ["alice"]
    following = api.get(f"/api/v1/accounts/{alice.pk}/following")
    assert_matches_contract(following, "/api/v1/accounts/{id}/following")

    unfollowed = api.post(f"/api/v1/accounts/{bob.pk}/unfollow")
    assert_matches_contract(unfollowed, "/api/v1/accounts/{id}/unfollow", "post")
    assert unfollowed.json()["following"] is False


def test_follow_requests_authorize_and_reject(alice, bob, carol, api_for):
    alice.locked = True
    alice.save()
    follow_request(follower=bob, target=alice)
    follow_request(follower=carol, target=alice)
    api = api_for(alice)
    pending = api.get("/api/v1/follow_requests")
    assert_matches_contract(pending, "/api/v1/follow_requests")
    assert {a["username"] for a in pending.json()} == {"bob", "carol"}

    accepted = api.post(f"/api/v1/follow_requests/{bob.pk}/authorize")
    assert_matches_contract(accepted, "/api/v1/follow_requests/{account_id}/authorize", "post")
    assert accepted.json()["followed_by"] is True
    rejected = api.post(f"/api/v1/follow_requests/{carol.pk}/reject")
    assert rejected.json()["followed_by"] is False
    assert not FollowRequest.objects.exists()
    assert api.post(f"/api/v1/follow_requests/{carol.pk}/reject").status_code == 404


def test_block_mute_and_their_lists(alice, bob, api_for):
    api = api_for(alice)
    blocked = api.post(f"/api/v1/accounts/{bob.pk}/block")
    assert_matches_contract(blocked, "/api/v1/accounts/{id}/block", "post")
    assert blocked.json()["blocking"] is True
    blocks = api.get("/api/v1/blocks")
    assert_matches_contract(blocks, "/api/v1/blocks")
    assert [a["username"] for a in blocks.json()] == ["bob"]
    assert api.post(f"/api/v1/accounts/{bob.pk}/unblock").json()["blocking"] is False

    muted = api.post(f"/api/v1/accounts/{bob.pk}/mute", {"notifications": False, "duration": 3600},
                     format="json")
    assert_matches_contract(muted, "/api/v1/accounts/{id}/mute", "post")
    assert muted.json()["muting"] is True and muted.json()["muting_notifications"] is False
    assert muted.json()["muting_expires_at"]
    mutes = api.get("/api/v1/mutes")
    assert_matches_contract(mutes, "/api/v1/mutes")
    assert api.post(f"/api/v1/accounts/{bob.pk}/unmute").json()["muting"] is False


def test_remove_from_followers(alice, bob, api_for):
    follow_request(follower=bob, target=alice)
    removed = api_for(alice).post(f"/api/v1/accounts/{bob.pk}/remove_from_followers")
    assert_matches_contract(removed, "/api/v1/accounts/{id}/remove_from_followers", "post")
    assert removed.json()["followed_by"] is False


def test_account_statuses_filters(alice, bob, api_for):
    own = status_create(author=alice, text="own #tagged")
    bobs = status_create(author=bob, text="x")
    reply_to_bob = status_create(author=alice, text="@bob reply", in_reply_to=bobs)
    boost = reblog_create(account=alice, status=status_create(author=bob, text="boosted"))
    api = api_for(bob)
    url = f"/api/v1/accounts/{alice.pk}/statuses"

    everything = api.get(url)
    assert_matches_contract(everything, "/api/v1/accounts/{id}/statuses")
    assert [s["id"] for s in everything.json()] == [str(boost.pk), str(reply_to_bob.pk), str(own.pk)]
    assert [s["id"] for s in api.get(url, {"exclude_replies": "true"}).json()] == [str(boost.pk), str(own.pk)]
    assert [s["id"] for s in api.get(url, {"exclude_reblogs": "1"}).json()] == [
        str(reply_to_bob.pk), str(own.pk)]
    assert [s["id"] for s in api.get(url, {"tagged": "Tagged"}).json()] == [str(own.pk)]


def test_blocked_accounts_posts_are_hidden(alice, bob, api_for):
    status = status_create(author=alice, text="hello")
    block_create(account=alice, target=bob)
    assert api_for(bob).get(f"/api/v1/statuses/{status.pk}").status_code == 404


def test_preferences_and_custom_emojis(alice, api_for, anon):
    prefs = api_for(alice).get("/api/v1/preferences")
    assert_matches_contract(prefs, "/api/v1/preferences")
    emojis = anon.get("/api/v1/custom_emojis")
    assert emojis.json() == []


def test_registration_through_an_app_token(db, api_for):
    api = api_for(None, "read write")
    created = api.post("/api/v1/accounts", {
        "username": "newbie", "email": "newbie@example.com",
        "password": "a long enough password", "agreement": True, "locale": "fr",
    }, format="json")
    assert created.status_code == 200, created.content
    assert_matches_contract(created, "/api/v1/accounts", "post")
    token = created.json()["access_token"]
    from rest_framework.test import APIClient

    as_newbie = APIClient()
    as_newbie.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    # Unconfirmed e-mail: the token exists but the account cannot act yet, as on Mastodon.
    assert as_newbie.get("/api/v1/accounts/verify_credentials").status_code == 403


def test_registration_honours_closed_mode(db, api_for):
    site = SiteSettings.current()
    site.registration_mode = RegistrationMode.CLOSED
    site.save()
    response = api_for(None, "write").post("/api/v1/accounts", {
        "username": "newbie", "email": "newbie@example.com",
        "password": "a long enough password", "agreement": True,
    }, format="json")
    assert response.status_code == 403
    assert set(response.json()) == {"error"}


def test_registration_refuses_bad_input(db, api_for):
    api = api_for(None, "write")
    for payload in (
        {"username": "admin", "email": "a@example.com", "password": "a long enough password",
         "agreement": True},
        {"username": "ok_name", "email": "not-an-email", "password": "a long enough password",
         "agreement": True},
        {"username": "ok_name", "email": "a@example.com", "password": "a long enough password"},
    ):
        response = api.post("/api/v1/accounts", payload, format="json")
        assert response.status_code == 422, (payload, response.content)
