from accounts.services import follow_request
from statuses.models import ScheduledStatus, Status
from statuses.services import favourite_create, status_create
from tests.api.contract import assert_matches_contract
from tests.factories import image_file


def test_post_then_read_home(alice, bob, api_for):
    follow_request(follower=bob, target=alice)
    posted = api_for(alice).post("/api/v1/statuses", {"status": "Hello #fediverse @bob"}, format="json")
    assert posted.status_code == 200, posted.content
    assert_matches_contract(posted, "/api/v1/statuses", "post")
    body = posted.json()
    assert body["tags"] == [{"name": "fediverse", "url": body["tags"][0]["url"]}]
    assert [m["acct"] for m in body["mentions"]] == ["bob"]
    assert body["favourited"] is False and body["pinned"] is False
    assert body["card"] is None and body["poll"] is None
    # The app the token belongs to, shown to everyone; a post from the web pages has none.
    assert body["application"] == {"name": "Test client", "website": "https://client.example"}

    home = api_for(bob).get("/api/v1/timelines/home")
    assert home.status_code == 200
    assert_matches_contract(home, "/api/v1/timelines/home")
    assert [s["id"] for s in home.json()] == [body["id"]]
    assert home.json()[0]["application"] == body["application"]
    web_post = status_create(author=alice, text="from the web")
    assert api_for(bob).get(f"/api/v1/statuses/{web_post.pk}").json()["application"] is None


def test_post_with_form_encoding(alice, api_for):
    posted = api_for(alice).post("/api/v1/statuses", {"status": "form", "visibility": "unlisted"})
    assert posted.status_code == 200, posted.content
    assert posted.json()["visibility"] == "unlisted"


def test_read_only_token_cannot_post(alice, api_for):
    response = api_for(alice, "read").post("/api/v1/statuses", {"status": "no"}, format="json")
    assert response.status_code == 403
    assert response.json() == {"error": "This action is outside the authorized scopes"}
    assert not Status.objects.exists()


def test_anonymous_cannot_post(db, anon):
    response = anon.post("/api/v1/statuses", {"status": "no"}, format="json")
    assert response.status_code == 401
    assert not Status.objects.exists()


def test_idempotency_key_posts_once(alice, api_for):
    api = api_for(alice)
    first = api.post("/api/v1/statuses", {"status": "once"}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    again = api.post("/api/v1/statuses", {"status": "once"}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.json()["id"] == again.json()["id"]
    other = api.post("/api/v1/statuses", {"status": "twice"}, format="json", HTTP_IDEMPOTENCY_KEY="k2")
    assert other.json()["id"] != first.json()["id"]
    assert Status.objects.count() == 2


def test_private_post_is_404_to_a_non_follower(alice, bob, carol, api_for, anon):
    follow_request(follower=bob, target=alice)
    private = status_create(author=alice, text="followers only", visibility="private")
    direct = status_create(author=alice, text="@bob secret", visibility="direct")
    url = f"/api/v1/statuses/{private.pk}"

    assert api_for(bob).get(url).status_code == 200
    for client in (api_for(carol), anon):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json() == {"error": "Record not found"}
        assert client.get(f"{url}/context").status_code == 404
        assert client.get(f"{url}/favourited_by").status_code == 404
    missing = api_for(carol).get("/api/v1/statuses/123456789")
    assert missing.status_code == 404 and missing.json() == api_for(carol).get(url).json()

    assert api_for(bob).get(f"/api/v1/statuses/{direct.pk}").status_code == 200
    assert api_for(carol).get(f"/api/v1/statuses/{direct.pk}").status_code == 404
    for action in ("favourite", "reblog", "bookmark"):
        assert api_for(carol).post(f"{url}/{action}").status_code == 404
    # Nor in any list carol can read.
    assert api_for(carol).get("/api/v1/timelines/public").json() == []
    assert api_for(carol).get(f"/api/v1/accounts/{alice.pk}/statuses").json() == []


def test_reply_to_an_invisible_status_is_404(alice, carol, api_for):
    private = status_create(author=alice, text="followers only", visibility="private")
    response = api_for(carol).post("/api/v1/statuses", {"status": "hi", "in_reply_to_id": str(private.pk)},
                                   format="json")
    assert response.status_code == 404
    assert not Status.objects.filter(account=carol).exists()


def test_get_delete_edit_history_source(alice, bob, api_for):
    api = api_for(alice)
    status = api.post("/api/v1/statuses", {"status": "first", "spoiler_text": ""}, format="json").json()
    url = f"/api/v1/statuses/{status['id']}"

    got = api.get(url)
    assert_matches_contract(got, "/api/v1/statuses/{id}")

    edited = api.put(url, {"status": "second"}, format="json")
    assert edited.status_code == 200, edited.content
    assert_matches_contract(edited, "/api/v1/statuses/{id}", "put")
    assert "second" in edited.json()["content"] and edited.json()["edited_at"]
    assert api_for(bob).put(url, {"status": "mine now"}, format="json").status_code == 404

    history = api.get(f"{url}/history")
    assert_matches_contract(history, "/api/v1/statuses/{id}/history")
    assert ["first" in h["content"] for h in history.json()] == [True, False]

    source = api.get(f"{url}/source")
    assert_matches_contract(source, "/api/v1/statuses/{id}/source")
    assert source.json() == {"id": status["id"], "text": "second", "spoiler_text": ""}

    assert api_for(bob).delete(url).status_code == 404
    deleted = api.delete(url)
    assert deleted.status_code == 200
    assert_matches_contract(deleted, "/api/v1/statuses/{id}", "delete")
    assert deleted.json()["text"] == "second"
    assert api.get(url).status_code == 404


def test_interactions(alice, bob, api_for):
    status = status_create(author=alice, text="boost me")
    api = api_for(bob)
    url = f"/api/v1/statuses/{status.pk}"

    reblog = api.post(f"{url}/reblog")
    assert reblog.status_code == 200
    assert_matches_contract(reblog, "/api/v1/statuses/{id}/reblog", "post")
    assert reblog.json()["reblog"]["id"] == str(status.pk)
    assert reblog.json()["reblogged"] is True

    fav = api.post(f"{url}/favourite")
    assert_matches_contract(fav, "/api/v1/statuses/{id}/favourite", "post")
    assert fav.json()["favourited"] is True and fav.json()["favourites_count"] == 1

    bookmark = api.post(f"{url}/bookmark")
    assert bookmark.json()["bookmarked"] is True

    by = api.get(f"{url}/reblogged_by")
    assert_matches_contract(by, "/api/v1/statuses/{id}/reblogged_by")
    assert [a["username"] for a in by.json()] == ["bob"]
    fav_by = api.get(f"{url}/favourited_by")
    assert_matches_contract(fav_by, "/api/v1/statuses/{id}/favourited_by")
    assert [a["username"] for a in fav_by.json()] == ["bob"]

    favourites = api.get("/api/v1/favourites")
    assert_matches_contract(favourites, "/api/v1/favourites")
    assert [s["id"] for s in favourites.json()] == [str(status.pk)]
    bookmarks = api.get("/api/v1/bookmarks")
    assert_matches_contract(bookmarks, "/api/v1/bookmarks")
    assert [s["id"] for s in bookmarks.json()] == [str(status.pk)]

    assert api.post(f"{url}/unreblog").json()["reblogged"] is False
    assert api.post(f"{url}/unfavourite").json()["favourited"] is False
    assert api.post(f"{url}/unbookmark").json()["bookmarked"] is False
    assert api.get("/api/v1/bookmarks").json() == []

    pinned = api_for(alice).post(f"{url}/pin")
    assert pinned.status_code == 200 and pinned.json()["pinned"] is True
    assert api.post(f"{url}/pin").status_code == 403
    profile = api.get(f"/api/v1/accounts/{alice.pk}/statuses", {"pinned": "true"})
    assert [s["id"] for s in profile.json()] == [str(status.pk)]
    assert api_for(alice).post(f"{url}/unpin").json()["pinned"] is False


def test_context(alice, bob, api_for):
    root = status_create(author=alice, text="root")
    reply = status_create(author=bob, text="reply", in_reply_to=root)
    response = api_for(alice).get(f"/api/v1/statuses/{reply.pk}/context")
    assert_matches_contract(response, "/api/v1/statuses/{id}/context")
    assert [s["id"] for s in response.json()["ancestors"]] == [str(root.pk)]
    assert api_for(alice).get(f"/api/v1/statuses/{root.pk}/context").json()["descendants"][0]["id"] == str(
        reply.pk)


def test_media_upload_describe_and_post(alice, bob, api_for):
    api = api_for(alice)
    uploaded = api.post("/api/v2/media", {"file": image_file(), "description": "a blue square"},
                        format="multipart")
    assert uploaded.status_code == 200, uploaded.content
    assert_matches_contract(uploaded, "/api/v2/media", "post")
    media = uploaded.json()
    assert media["type"] == "image" and media["meta"]["original"]["width"] == 64

    updated = api.put(f"/api/v1/media/{media['id']}", {"description": "a square", "focus": "0.5,-0.5"},
                      format="json")
    assert updated.status_code == 200
    assert_matches_contract(updated, "/api/v1/media/{id}", "put")
    assert updated.json()["meta"]["focus"] == {"x": 0.5, "y": -0.5}
    assert api_for(bob).get(f"/api/v1/media/{media['id']}").status_code == 404

    posted = api.post("/api/v1/statuses", {"status": "", "media_ids": [media["id"]]}, format="json")
    assert posted.status_code == 200, posted.content
    assert posted.json()["media_attachments"][0]["description"] == "a square"
    # Posted media can no longer be changed through the media endpoint.
    assert api.get(f"/api/v1/media/{media['id']}").status_code == 404

    only_media = api_for(bob).get("/api/v1/timelines/public", {"only_media": "true"})
    assert [s["id"] for s in only_media.json()] == [posted.json()["id"]]


def test_edit_adds_removes_and_reorders_attachments(alice, api_for):
    api = api_for(alice)

    def upload(description):
        return api.post("/api/v2/media", {"file": image_file(), "description": description},
                        format="multipart").json()["id"]

    first, second = upload("first"), upload("second")
    status = api.post("/api/v1/statuses", {"status": "", "media_ids": [first]}, format="json").json()
    url = f"/api/v1/statuses/{status['id']}"

    added = api.put(url, {"status": "", "media_ids": [second, first],
                          "media_attributes": [{"id": first, "description": "first, described"}]},
                    format="json")
    assert added.status_code == 200, added.content
    assert_matches_contract(added, "/api/v1/statuses/{id}", "put")
    assert [(m["id"], m["description"]) for m in added.json()["media_attachments"]] == [
        (second, "second"), (first, "first, described"),
    ]
    removed = api.put(url, {"status": "just text", "media_ids": []}, format="json")
    assert removed.status_code == 200, removed.content
    assert removed.json()["media_attachments"] == []
    # The removed upload is free again: it may go with a new post.
    reused = api.post("/api/v1/statuses", {"status": "again", "media_ids": [first]}, format="json")
    assert reused.status_code == 200, reused.content

    history = api.get(f"{url}/history")
    assert_matches_contract(history, "/api/v1/statuses/{id}/history")
    assert [[m["id"] for m in h["media_attachments"]] for h in history.json()] == [
        [first], [second, first], [],
    ]


def test_edit_with_media_of_someone_else_or_too_many_is_422_and_changes_nothing(alice, bob, api_for):
    api = api_for(alice)
    mine = [api.post("/api/v2/media", {"file": image_file()}, format="multipart").json()["id"]
            for _ in range(5)]
    bobs = api_for(bob).post("/api/v2/media", {"file": image_file()}, format="multipart").json()["id"]
    status = api.post("/api/v1/statuses", {"status": "one picture", "media_ids": mine[:1]},
                      format="json").json()
    url = f"/api/v1/statuses/{status['id']}"
    for payload in (
        {"status": "changed", "media_ids": [bobs]},
        {"status": "changed", "media_ids": mine},
        {"status": "", "media_ids": []},
        {"status": "changed", "media_ids": mine[:1], "poll": {"options": ["a", "b"], "expires_in": 3600}},
    ):
        response = api.put(url, payload, format="json")
        assert response.status_code == 422, (payload, response.content)
        assert set(response.json()) == {"error"}
    unchanged = api.get(url).json()
    assert "one picture" in unchanged["content"] and unchanged["edited_at"] is None
    assert [m["id"] for m in unchanged["media_attachments"]] == mine[:1]
    assert api_for(bob).get(f"/api/v1/media/{bobs}").status_code == 200  # still bob's, unposted


def test_edit_replaces_the_poll_and_resets_votes(alice, bob, api_for):
    api = api_for(alice)
    status = api.post("/api/v1/statuses", {"status": "Tea or coffee?",
                                           "poll": {"options": ["tea", "coffee"], "expires_in": 3600}},
                      format="json").json()
    url = f"/api/v1/statuses/{status['id']}"
    api_for(bob).post(f"/api/v1/polls/{status['poll']['id']}/votes", {"choices": [1]}, format="json")

    same = api.put(url, {"status": "Tea or coffee??",
                         "poll": {"options": ["tea", "coffee"], "expires_in": 3600}}, format="json")
    assert same.json()["poll"]["votes_count"] == 1  # the same options: the votes stay
    edited = api.put(url, {"status": "Tea, coffee or water?",
                           "poll": {"options": ["tea", "coffee", "water"], "expires_in": 3600}},
                     format="json")
    assert edited.status_code == 200, edited.content
    assert_matches_contract(edited, "/api/v1/statuses/{id}", "put")
    poll = edited.json()["poll"]
    assert [o["title"] for o in poll["options"]] == ["tea", "coffee", "water"]
    assert poll["votes_count"] == 0 and [o["votes_count"] for o in poll["options"]] == [0, 0, 0]
    assert api_for(bob).get(url).json()["poll"]["voted"] is False

    history = api.get(f"{url}/history")
    assert_matches_contract(history, "/api/v1/statuses/{id}/history")
    assert [[o["title"] for o in h["poll"]["options"]] for h in history.json()] == [
        ["tea", "coffee"], ["tea", "coffee"], ["tea", "coffee", "water"],
    ]
    without = api.put(url, {"status": "Never mind", "poll": None}, format="json")
    assert without.status_code == 200 and without.json()["poll"] is None


def test_an_edit_that_does_not_send_the_poll_or_attachments_again_removes_them(alice, api_for):
    # As on Mastodon: an edit sends the whole post, so what it leaves out is gone.
    api = api_for(alice)
    polled = api.post("/api/v1/statuses", {"status": "Tea or coffee?",
                                           "poll": {"options": ["tea", "coffee"], "expires_in": 3600}},
                      format="json").json()
    media = api.post("/api/v2/media", {"file": image_file()}, format="multipart").json()["id"]
    pictured = api.post("/api/v1/statuses", {"status": "a picture", "media_ids": [media]},
                        format="json").json()

    without_poll = api.put(f"/api/v1/statuses/{polled['id']}", {"status": "Tea, surely"}, format="json")
    assert without_poll.status_code == 200, without_poll.content
    assert without_poll.json()["poll"] is None
    without_media = api.put(f"/api/v1/statuses/{pictured['id']}", {"status": "no picture"}, format="json")
    assert without_media.status_code == 200, without_media.content
    assert without_media.json()["media_attachments"] == []
    assert api.get(f"/api/v1/statuses/{pictured['id']}").json()["media_attachments"] == []


def test_media_needs_the_write_media_scope(alice, api_for):
    api = api_for(alice, "write:statuses")
    response = api.post("/api/v2/media", {"file": image_file()}, format="multipart")
    assert response.status_code == 403


def test_bad_status_input_is_422_and_changes_nothing(alice, api_for):
    api = api_for(alice)
    for payload in (
        {"status": ["an", "array"]},
        {"status": "x" * 501},
        {"status": ""},
        {"status": "hi", "visibility": "everyone"},
        {"status": "hi", "media_ids": ["abc"]},
        {"status": "hi", "media_ids": ["999"]},
        {"status": "hi", "poll": {"options": ["only one"], "expires_in": 3600}},
        {"status": "hi", "poll": {"options": ["a", "b"], "expires_in": 10}},
        {"status": "hi", "poll": "not an object"},
        {"status": "hi", "scheduled_at": "2000-01-01T00:00:00Z"},
        {"status": "", "scheduled_at": "2099-01-01T00:00:00Z"},
    ):
        response = api.post("/api/v1/statuses", payload, format="json")
        assert response.status_code == 422, (payload, response.content)
        assert set(response.json()) == {"error"}
    assert not Status.objects.exists() and not ScheduledStatus.objects.exists()


def test_favourited_flag_is_per_viewer(alice, bob, carol, api_for):
    status = status_create(author=alice, text="hello")
    favourite_create(account=bob, status=status)
    assert api_for(bob).get(f"/api/v1/statuses/{status.pk}").json()["favourited"] is True
    assert api_for(carol).get(f"/api/v1/statuses/{status.pk}").json()["favourited"] is False


def test_writes_on_public_endpoints_need_a_token(alice, api_for, anon):
    status = status_create(author=alice, text="mine")
    url = f"/api/v1/statuses/{status.pk}"
    assert anon.get(url).status_code == 200
    assert anon.delete(url).status_code == 401
    assert anon.put(url, {"status": "hijacked"}, format="json").status_code == 401
    assert api_for(alice, "read").delete(url).status_code == 403
    assert Status.objects.get(pk=status.pk).text == "mine"
