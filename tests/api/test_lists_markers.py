from accounts.services import follow_request
from statuses.services import status_create
from tests.api.contract import assert_matches_contract
from tests.factories import make_local_account


def test_list_crud_members_and_timeline(alice, bob, carol, dave, api_for):
    follow_request(follower=alice, target=bob)
    follow_request(follower=alice, target=carol)
    api = api_for(alice)

    created = api.post("/api/v1/lists", {"title": "Friends", "replies_policy": "list"}, format="json")
    assert created.status_code == 200
    assert_matches_contract(created, "/api/v1/lists", "post")
    list_id = created.json()["id"]
    url = f"/api/v1/lists/{list_id}"

    added = api.post(f"{url}/accounts", {"account_ids": [str(bob.pk)]}, format="json")
    assert added.status_code == 200
    refused = api.post(f"{url}/accounts", {"account_ids": [str(dave.pk)]}, format="json")
    assert refused.status_code == 422  # not followed
    members = api.get(f"{url}/accounts")
    assert_matches_contract(members, "/api/v1/lists/{id}/accounts")
    assert [a["username"] for a in members.json()] == ["bob"]
    assert_matches_contract(api.get(f"/api/v1/accounts/{bob.pk}/lists"), "/api/v1/accounts/{id}/lists")

    from_bob = status_create(author=bob, text="in the list")
    status_create(author=carol, text="not in the list")
    carols = status_create(author=carol, text="c")
    status_create(author=bob, text="@carol reply to a non-member", in_reply_to=carols)
    timeline = api.get(f"/api/v1/timelines/list/{list_id}")
    assert_matches_contract(timeline, "/api/v1/timelines/list/{list_id}")
    assert [s["id"] for s in timeline.json()] == [str(from_bob.pk)]

    renamed = api.put(url, {"title": "Pals"}, format="json")
    assert_matches_contract(renamed, "/api/v1/lists/{id}", "put")
    assert renamed.json()["title"] == "Pals"
    assert api_for(bob).get(url).status_code == 404
    assert api_for(bob).get(f"/api/v1/timelines/list/{list_id}").status_code == 404

    assert api.delete(f"{url}/accounts", {"account_ids": [str(bob.pk)]}, format="json").status_code == 200
    assert api.get(f"{url}/accounts").json() == []
    assert api.delete(url).status_code == 200
    assert api.get("/api/v1/lists").json() == []


def test_exclusive_list_keeps_its_members_out_of_home(alice, bob, carol, api_for):
    follow_request(follower=alice, target=bob)
    follow_request(follower=alice, target=carol)
    api = api_for(alice)
    list_id = api.post("/api/v1/lists", {"title": "News", "exclusive": True}, format="json").json()["id"]
    api.post(f"/api/v1/lists/{list_id}/accounts", {"account_ids": [str(bob.pk)]}, format="json")
    from_bob = status_create(author=bob, text="breaking news")
    from_carol = status_create(author=carol, text="hello")
    replying = status_create(author=carol, text="@bob indeed", in_reply_to=from_bob)

    home = api.get("/api/v1/timelines/home")
    assert_matches_contract(home, "/api/v1/timelines/home")
    assert [s["id"] for s in home.json()] == [str(replying.pk), str(from_carol.pk)]
    assert [s["id"] for s in api.get(f"/api/v1/timelines/list/{list_id}").json()] == [str(from_bob.pk)]

    api.put(f"/api/v1/lists/{list_id}", {"exclusive": False}, format="json")
    home = api.get("/api/v1/timelines/home").json()
    assert [s["id"] for s in home] == [str(replying.pk), str(from_carol.pk), str(from_bob.pk)]


def test_list_members_all_at_once_with_limit_zero(alice, api_for):
    members = [make_local_account(f"member{n}") for n in range(45)]
    for account in members:
        follow_request(follower=alice, target=account)
    api = api_for(alice)
    list_id = api.post("/api/v1/lists", {"title": "Many"}, format="json").json()["id"]
    ids = [str(a.pk) for a in members]
    api.post(f"/api/v1/lists/{list_id}/accounts", {"account_ids": ids}, format="json")

    paged = api.get(f"/api/v1/lists/{list_id}/accounts")
    assert len(paged.json()) == 40 and 'rel="next"' in paged["Link"]
    everyone = api.get(f"/api/v1/lists/{list_id}/accounts", {"limit": "0"})
    assert_matches_contract(everyone, "/api/v1/lists/{id}/accounts")
    assert {a["id"] for a in everyone.json()} == set(ids)
    assert not everyone.has_header("Link")
    assert api.get(f"/api/v1/lists/{list_id}/accounts", {"limit": "-1"}).status_code == 422


def test_markers(alice, bob, api_for):
    status_create(author=bob, text="@alice hello")
    api = api_for(alice)
    assert api.get("/api/v1/notifications/unread_count").json() == {"count": 1}
    newest = api.get("/api/v1/notifications").json()[0]["id"]

    saved = api.post("/api/v1/markers", {"notifications": {"last_read_id": newest},
                                        "home": {"last_read_id": "12345"}}, format="json")
    assert saved.status_code == 200
    assert_matches_contract(saved, "/api/v1/markers", "post")
    assert saved.json()["notifications"]["version"] == 1
    assert api.get("/api/v1/notifications/unread_count").json() == {"count": 0}

    form = api.post("/api/v1/markers", {"home[last_read_id]": "23456"})
    assert form.json()["home"] == {**form.json()["home"], "last_read_id": "23456", "version": 2}
    got = api.get("/api/v1/markers", {"timeline[]": ["home", "notifications"]})
    assert_matches_contract(got, "/api/v1/markers")
    assert set(got.json()) == {"home", "notifications"}
    assert api.post("/api/v1/markers", {"home": {"last_read_id": "abc"}}, format="json").status_code == 422
