from accounts.services import follow_request
from statuses.services import status_create
from tests.api.contract import assert_matches_contract, assert_matches_schema


def test_filter_crud_and_effect_on_timelines(alice, bob, api_for):
    follow_request(follower=alice, target=bob)
    spoiler = status_create(author=bob, text="The butler did it: spoilers!")
    hidden = status_create(author=bob, text="Crypto moon coin")
    plain = status_create(author=bob, text="Nice weather")
    api = api_for(alice)

    warn = api.post("/api/v2/filters", {
        "title": "Spoilers", "context": ["home", "public"], "filter_action": "warn",
        "keywords_attributes": [{"keyword": "spoiler", "whole_word": False}],
    }, format="json")
    assert warn.status_code == 200, warn.content
    assert_matches_contract(warn, "/api/v2/filters", "post")
    hide = api.post("/api/v2/filters", {
        "title": "Crypto", "context[]": ["home"], "filter_action": "hide",
        "keywords_attributes[][keyword]": ["crypto"], "expires_in": "3600",
    })
    assert hide.status_code == 200, hide.content
    assert hide.json()["expires_at"]

    home = api.get("/api/v1/timelines/home")
    assert_matches_contract(home, "/api/v1/timelines/home")
    by_id = {s["id"]: s for s in home.json()}
    assert str(hidden.pk) not in by_id
    assert by_id[str(plain.pk)]["filtered"] == []
    result = by_id[str(spoiler.pk)]["filtered"][0]
    assert result["filter"]["title"] == "Spoilers" and result["keyword_matches"] == ["spoiler"]
    # The hide filter is for home only: the public timeline still shows that post.
    assert str(hidden.pk) in [s["id"] for s in api.get("/api/v1/timelines/public").json()]

    listed = api.get("/api/v2/filters")
    assert_matches_contract(listed, "/api/v2/filters")
    assert [f["title"] for f in listed.json()] == ["Spoilers", "Crypto"]
    # The contract's operation says one V1Filter; Mastodon answers a list of them ("List of
    # [V1::Filter]", its own description), so each item is checked.
    for item in api.get("/api/v1/filters").json():
        assert_matches_schema(item, "V1Filter")

    filter_id = warn.json()["id"]
    keyword_id = warn.json()["keywords"][0]["id"]
    changed = api.put(f"/api/v2/filters/{filter_id}", {
        "title": "Plot", "keywords_attributes": [{"id": keyword_id, "_destroy": True},
                                                 {"keyword": "plot"}],
    }, format="json")
    assert_matches_contract(changed, "/api/v2/filters/{id}", "put")
    assert changed.json()["title"] == "Plot"
    assert [k["keyword"] for k in changed.json()["keywords"]] == ["plot"]

    added = api.post(f"/api/v2/filters/{filter_id}/keywords", {"keyword": "ending"}, format="json")
    assert_matches_contract(added, "/api/v2/filters/{filter_id}/keywords", "post")
    kw = api.get(f"/api/v2/filters/keywords/{added.json()['id']}")
    assert_matches_contract(kw, "/api/v2/filters/keywords/{id}")
    by_status = api.post(f"/api/v2/filters/{filter_id}/statuses", {"status_id": str(plain.pk)}, format="json")
    assert_matches_contract(by_status, "/api/v2/filters/{filter_id}/statuses", "post")
    plain_now = api.get(f"/api/v1/accounts/{bob.pk}/statuses").json()
    assert all(s["filtered"] == [] for s in plain_now)  # "account" is not a context of this filter
    home = {s["id"]: s for s in api.get("/api/v1/timelines/home").json()}
    assert home[str(plain.pk)]["filtered"][0]["status_matches"] == [str(plain.pk)]

    assert api_for(bob).get(f"/api/v2/filters/{filter_id}").status_code == 404
    assert api_for(bob).delete(f"/api/v2/filters/statuses/{by_status.json()['id']}").status_code == 404
    removed = api.delete(f"/api/v2/filters/statuses/{by_status.json()['id']}")
    assert_matches_contract(removed, "/api/v2/filters/statuses/{id}", "delete")
    assert removed.json() == by_status.json()
    assert api.get(f"/api/v2/filters/{filter_id}/statuses").json() == []
    assert api.delete(f"/api/v2/filters/{filter_id}").status_code == 200
    assert api.get(f"/api/v2/filters/{filter_id}").status_code == 404


def test_filter_input_errors(alice, api_for):
    api = api_for(alice)
    for payload in ({"title": "x", "context": ["nowhere"]}, {"title": "x", "context": []},
                    {"context": ["home"]}, {"title": "x", "context": ["home"], "filter_action": "burn"}):
        response = api.post("/api/v2/filters", payload, format="json")
        assert response.status_code == 422, payload
    assert api.get("/api/v2/filters").json() == []


def test_statuses_fetched_by_id_carry_every_matching_filter_and_none_is_hidden(alice, bob, api_for):
    # Mastodon: a status asked for by id has no context; its filter results come from every
    # active filter, whatever its contexts and action, and the client decides.
    spoiler = status_create(author=bob, text="A spoiler, and crypto too")
    api = api_for(alice)
    for title, context, action in (("Spoilers", ["public"], "warn"), ("Crypto", ["home"], "hide")):
        keyword = title.lower().rstrip("s")
        api.post("/api/v2/filters", {"title": title, "context": context, "filter_action": action,
                                     "keywords_attributes": [{"keyword": keyword}]}, format="json")

    single = api.get(f"/api/v1/statuses/{spoiler.pk}")
    assert_matches_contract(single, "/api/v1/statuses/{id}")
    assert [(r["filter"]["title"], r["keyword_matches"]) for r in single.json()["filtered"]] == [
        ("Spoilers", ["spoiler"]), ("Crypto", ["crypto"]),
    ]
    many = api.get("/api/v1/statuses", {"id[]": [str(spoiler.pk)]})
    assert_matches_contract(many, "/api/v1/statuses")
    assert [r["filter"]["title"] for r in many.json()[0]["filtered"]] == ["Spoilers", "Crypto"]
    # Bob's own post is never filtered for him.
    assert api_for(bob).get(f"/api/v1/statuses/{spoiler.pk}").json()["filtered"] == []
