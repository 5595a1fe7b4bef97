from accounts.services import follow_request
from tests.api.contract import assert_matches_contract


def test_poll_create_vote_and_read(alice, bob, carol, dave, api_for, anon):
    follow_request(follower=bob, target=alice)
    posted = api_for(alice).post("/api/v1/statuses", {
        "status": "Tea or coffee?", "visibility": "private",
        "poll": {"options": ["Tea", "Coffee"], "expires_in": 3600},
    }, format="json")
    assert posted.status_code == 200, posted.content
    assert_matches_contract(posted, "/api/v1/statuses", "post")
    poll = posted.json()["poll"]
    assert [o["title"] for o in poll["options"]] == ["Tea", "Coffee"]
    assert poll["voted"] is True and poll["votes_count"] == 0  # one's own poll counts as voted

    url = f"/api/v1/polls/{poll['id']}"
    voted = api_for(bob).post(f"{url}/votes", {"choices": [1]}, format="json")
    assert voted.status_code == 200, voted.content
    assert_matches_contract(voted, "/api/v1/polls/{id}/votes", "post")
    assert voted.json()["own_votes"] == [1] and voted.json()["options"][1]["votes_count"] == 1
    again = api_for(bob).post(f"{url}/votes", {"choices": [0]}, format="json")
    assert again.status_code == 422
    assert api_for(alice).post(f"{url}/votes", {"choices": [0]}, format="json").status_code == 422
    assert api_for(dave).post(f"{url}/votes", {"choices": [5]}, format="json").status_code == 404

    got = api_for(bob).get(url)
    assert_matches_contract(got, "/api/v1/polls/{id}")
    # Followers-only: carol and anonymous callers cannot see the poll, nor vote in it.
    assert api_for(carol).get(url).status_code == 404
    assert anon.get(url).status_code == 404
    assert api_for(carol).post(f"{url}/votes", {"choices": [0]}, format="json").status_code == 404

    home = api_for(bob).get("/api/v1/timelines/home").json()
    assert home[0]["poll"]["own_votes"] == [1]


def test_multiple_choice_form_encoded_poll(alice, bob, api_for):
    posted = api_for(alice).post("/api/v1/statuses", {
        "status": "Pick some", "poll[options][]": ["a", "b", "c"], "poll[expires_in]": "600",
        "poll[multiple]": "true",
    })
    assert posted.status_code == 200, posted.content
    poll = posted.json()["poll"]
    assert poll["multiple"] is True
    voted = api_for(bob).post(f"/api/v1/polls/{poll['id']}/votes", {"choices[]": ["0", "2"]})
    assert voted.json()["own_votes"] == [0, 2] and voted.json()["voters_count"] == 1
