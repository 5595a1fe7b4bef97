from accounts.services import block_create
from statuses.services import favourite_create, status_create
from tests.api.contract import assert_matches_contract
from tests.factories import make_remote_account


def test_search_accounts_hashtags_and_statuses(alice, bob, carol, api_for):
    make_remote_account("alicia", "remote.example")
    mine = status_create(author=alice, text="I like #gardening a lot")
    status_create(author=bob, text="gardening is private", visibility="private")
    favourite_create(account=alice, status=status_create(author=bob, text="public gardening"))
    block_create(account=carol, target=alice)
    api = api_for(alice)

    found = api.get("/api/v2/search", {"q": "ali"})
    assert found.status_code == 200
    assert_matches_contract(found, "/api/v2/search")
    assert [a["acct"] for a in found.json()["accounts"]] == ["alice", "alicia@remote.example"]
    remote = api.get("/api/v2/search", {"q": "alicia@remote.example"}).json()["accounts"]
    assert remote[0]["username"] == "alicia"
    assert api.get("/api/v2/search", {"q": "carol"}).json()["accounts"] == []

    tags = api.get("/api/v2/search", {"q": "#garden", "type": "hashtags"})
    assert [t["name"] for t in tags.json()["hashtags"]] == ["gardening"]
    assert tags.json()["hashtags"][0]["history"][0]["uses"] == "1"

    statuses = api.get("/api/v2/search", {"q": "gardening", "type": "statuses"}).json()["statuses"]
    assert len(statuses) == 2 and str(mine.pk) in [s["id"] for s in statuses]
    by_url = api_for(carol).get("/api/v2/search", {"q": f"http://localhost:8000/@alice/{mine.pk}"})
    assert by_url.json()["statuses"] == []  # carol blocked alice

    accounts = api.get("/api/v1/accounts/search", {"q": "bo"})
    assert_matches_contract(accounts, "/api/v1/accounts/search")
    assert [a["username"] for a in accounts.json()] == ["bob"]


def test_tags_and_trends(alice, bob, anon, api_for):
    status_create(author=alice, text="#python rocks")
    popular = status_create(author=bob, text="#python and #django")
    favourite_create(account=alice, status=popular)

    tag = anon.get("/api/v1/tags/Python")
    assert_matches_contract(tag, "/api/v1/tags/{name}")
    assert tag.json()["history"][0]["accounts"] == "2"
    assert anon.get("/api/v1/tags/nothing").status_code == 404

    trends = anon.get("/api/v1/trends/tags")
    assert_matches_contract(trends, "/api/v1/trends/tags")
    assert [t["name"] for t in trends.json()] == ["python", "django"]
    statuses = anon.get("/api/v1/trends/statuses")
    assert_matches_contract(statuses, "/api/v1/trends/statuses")
    assert [s["id"] for s in statuses.json()] == [str(popular.pk)]
    assert_matches_contract(anon.get("/api/v1/trends/links"), "/api/v1/trends/links")


def test_suggestions_peers_activity_and_empty_features(alice, bob, api_for, anon):
    make_remote_account("zed", "remote.example")
    suggestions = api_for(alice).get("/api/v2/suggestions")
    assert_matches_contract(suggestions, "/api/v2/suggestions")
    assert [s["account"]["username"] for s in suggestions.json()] == ["bob"]
    peers = anon.get("/api/v1/instance/peers")
    assert_matches_contract(peers, "/api/v1/instance/peers")
    assert peers.json() == ["remote.example"]
    activity = anon.get("/api/v1/instance/activity")
    assert_matches_contract(activity, "/api/v1/instance/activity")
    assert len(activity.json()) == 12
    for path in ("/api/v1/announcements", "/api/v2/filters", "/api/v1/conversations",
                 "/api/v1/scheduled_statuses"):
        response = api_for(alice).get(path)
        assert response.status_code == 200 and response.json() == []
        assert_matches_contract(response, path)


def test_search_resolves_remote_accounts_and_statuses(alice, api_for, monkeypatch):
    remote = make_remote_account("far", "elsewhere.example")
    private = status_create(author=remote, text="not for alice", visibility="private")
    public = status_create(author=remote, text="for everyone")
    answers = {
        "far@elsewhere.example": remote,
        "https://elsewhere.example/notes/1": public,
        "https://elsewhere.example/notes/2": private,
    }
    # The network is federation's: its resolver is the boundary here.
    monkeypatch.setattr("federation.services.resolve.resolve", lambda query: answers.get(query))
    api = api_for(alice)

    found = api.get("/api/v2/search", {"q": "@far@elsewhere.example", "resolve": "true"})
    assert_matches_contract(found, "/api/v2/search")
    assert [a["acct"] for a in found.json()["accounts"]] == ["far@elsewhere.example"]
    note = api.get("/api/v2/search", {"q": "https://elsewhere.example/notes/1", "resolve": "true"})
    assert [s["id"] for s in note.json()["statuses"]] == [str(public.pk)]
    hidden = api.get("/api/v2/search", {"q": "https://elsewhere.example/notes/2", "resolve": "true"})
    assert hidden.json()["statuses"] == []
    accounts = api.get("/api/v1/accounts/search", {"q": "far@elsewhere.example", "resolve": "true"})
    assert [a["acct"] for a in accounts.json()] == ["far@elsewhere.example"]
