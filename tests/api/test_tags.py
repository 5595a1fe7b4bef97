"""Followed hashtags (their public posts in the home timeline) and featured hashtags (on a
profile), through Mastodon's client API."""

from accounts.services import block_create, mute_create
from statuses.models import FeaturedTag, TagFollow
from statuses.services import status_create
from tests.api.contract import assert_matches_contract
from tests.factories import make_remote_account


def home_ids(api) -> list[str]:
    response = api.get("/api/v1/timelines/home")
    assert response.status_code == 200
    return [s["id"] for s in response.json()]


def test_follow_and_unfollow_a_hashtag(alice, bob, api_for):
    status_create(author=bob, text="#Gardening today")
    api = api_for(alice)

    followed = api.post("/api/v1/tags/gardening/follow")
    assert followed.status_code == 200
    assert_matches_contract(followed, "/api/v1/tags/{name}/follow", "post")
    assert followed.json()["name"] == "gardening" and followed.json()["following"] is True
    assert api.post("/api/v1/tags/%23Gardening/follow").json()["following"] is True  # idempotent
    assert TagFollow.objects.filter(account=alice).count() == 1

    shown = api.get("/api/v1/tags/gardening")
    assert_matches_contract(shown, "/api/v1/tags/{name}")
    assert shown.json()["following"] is True
    assert api_for(bob).get("/api/v1/tags/gardening").json()["following"] is False

    unfollowed = api.post("/api/v1/tags/gardening/unfollow")
    assert_matches_contract(unfollowed, "/api/v1/tags/{name}/unfollow", "post")
    assert unfollowed.json()["following"] is False
    assert api.post("/api/v1/tags/gardening/unfollow").status_code == 200  # idempotent
    assert not TagFollow.objects.exists()


def test_a_followed_tag_never_used_is_known_to_its_follower_only(alice, bob, api_for, anon):
    api = api_for(alice)
    assert api.post("/api/v1/tags/brandnew/follow").json()["following"] is True
    assert api.get("/api/v1/tags/brandnew").json()["following"] is True
    assert api_for(bob).get("/api/v1/tags/brandnew").status_code == 404
    assert anon.get("/api/v1/tags/brandnew").status_code == 404


def test_following_bad_names_scopes_and_anonymous(alice, api_for, anon):
    api = api_for(alice)
    assert api.post("/api/v1/tags/not-a-tag/follow").status_code == 404
    assert api.post("/api/v1/tags/1234/follow").status_code == 404  # no letter
    assert api.post(f"/api/v1/tags/{'a' * 101}/follow").status_code == 404
    assert api_for(alice, scopes="read").post("/api/v1/tags/cats/follow").status_code == 403
    assert anon.post("/api/v1/tags/cats/follow").status_code == 401
    assert anon.get("/api/v1/followed_tags").status_code == 401
    assert api_for(alice, scopes="write").get("/api/v1/followed_tags").status_code == 403
    assert not TagFollow.objects.exists()


def test_followed_tags_are_listed_newest_first_with_link_paging(alice, api_for):
    api = api_for(alice)
    for name in ("cats", "dogs", "birds"):
        api.post(f"/api/v1/tags/{name}/follow")

    page = api.get("/api/v1/followed_tags", {"limit": 2})
    assert page.status_code == 200
    assert_matches_contract(page, "/api/v1/followed_tags")
    assert [t["name"] for t in page.json()] == ["birds", "dogs"]
    assert all(t["following"] for t in page.json())
    next_url = page["Link"].split(";")[0].strip("<>")
    assert 'rel="next"' in page["Link"]
    rest = api.get(next_url.replace("http://localhost:8000", ""))
    assert [t["name"] for t in rest.json()] == ["cats"]


def test_public_posts_with_a_followed_tag_reach_the_home_timeline(alice, bob, carol, dave, api_for):
    remote = make_remote_account("far", "remote.example")
    api = api_for(alice)
    api.post("/api/v1/tags/cats/follow")

    local_post = status_create(author=bob, text="my #cats")
    remote_post = status_create(author=remote, text="remote #Cats")
    status_create(author=bob, text="#cats for followers", visibility="private")
    status_create(author=bob, text="quiet #cats", visibility="unlisted")
    status_create(author=bob, text="no tag here")
    status_create(author=carol, text="muted #cats")
    status_create(author=dave, text="blocked #cats")
    mute_create(account=alice, target=carol)
    block_create(account=dave, target=alice)

    assert home_ids(api) == [str(remote_post.pk), str(local_post.pk)]

    api.post("/api/v1/tags/cats/unfollow")
    assert home_ids(api) == []


def test_featured_tags_crud_and_profile_listing(alice, bob, api_for, anon):
    status_create(author=alice, text="#Python rocks")
    status_create(author=alice, text="more #python", visibility="unlisted")
    status_create(author=alice, text="secret #python", visibility="private")
    status_create(author=bob, text="#python from bob")
    api = api_for(alice)

    created = api.post("/api/v1/featured_tags", {"name": "#Python"}, format="json")
    assert created.status_code == 200
    assert_matches_contract(created, "/api/v1/featured_tags", "post")
    body = created.json()
    assert body["name"] == "python"
    assert body["statuses_count"] == "2"  # public and unlisted posts of alice only
    assert body["url"] == "http://localhost:8000/@alice/tagged/python"
    assert body["last_status_at"] is not None
    again = api.post("/api/v1/featured_tags", {"name": "python"}, format="json")
    assert again.json()["id"] == body["id"]  # featuring twice is featuring once

    listed = api.get("/api/v1/featured_tags")
    assert_matches_contract(listed, "/api/v1/featured_tags")
    assert [t["id"] for t in listed.json()] == [body["id"]]
    on_profile = anon.get(f"/api/v1/accounts/{alice.pk}/featured_tags")
    assert_matches_contract(on_profile, "/api/v1/accounts/{id}/featured_tags")
    assert on_profile.json() == listed.json()
    assert anon.get(f"/api/v1/accounts/{bob.pk}/featured_tags").json() == []
    assert anon.get("/api/v1/accounts/999999/featured_tags").status_code == 404
    assert api.get("/api/v1/tags/python").json()["featuring"] is True

    assert api_for(bob).delete(f"/api/v1/featured_tags/{body['id']}").status_code == 404
    assert api.delete("/api/v1/featured_tags/nonsense").status_code == 404
    deleted = api.delete(f"/api/v1/featured_tags/{body['id']}")
    assert deleted.status_code == 200
    assert_matches_contract(deleted, "/api/v1/featured_tags/{id}", "delete")
    assert api.get("/api/v1/featured_tags").json() == []


def test_featured_tags_bad_input_and_the_limit_change_nothing(alice, api_for, anon):
    api = api_for(alice)
    for bad in ({"name": "not a tag"}, {"name": "12"}, {"name": ""}, {}):
        refused = api.post("/api/v1/featured_tags", bad, format="json")
        assert refused.status_code == 422, bad
        assert "error" in refused.json()
    assert not FeaturedTag.objects.exists()
    for i in range(10):
        assert api.post("/api/v1/featured_tags", {"name": f"tag{i}x"}, format="json").status_code == 200
    eleventh = api.post("/api/v1/featured_tags", {"name": "onemore"}, format="json")
    assert eleventh.status_code == 422
    assert "10" in eleventh.json()["error"]
    assert FeaturedTag.objects.filter(account=alice).count() == 10
    assert api_for(alice, scopes="read").post("/api/v1/featured_tags", {"name": "x"}).status_code == 403
    assert anon.get("/api/v1/featured_tags").status_code == 401


def test_featured_tag_suggestions_are_my_most_used_tags_not_featured_yet(alice, bob, api_for):
    status_create(author=alice, text="#cats #dogs")
    status_create(author=alice, text="#cats again")
    status_create(author=alice, text="#birds")
    status_create(author=bob, text="#fish #fish")
    api = api_for(alice)
    api.post("/api/v1/featured_tags", {"name": "birds"}, format="json")

    suggestions = api.get("/api/v1/featured_tags/suggestions")
    assert_matches_contract(suggestions, "/api/v1/featured_tags/suggestions")
    assert [t["name"] for t in suggestions.json()] == ["cats", "dogs"]
