from urllib.parse import parse_qs, urlparse

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.services import block_create, follow_request, mute_create
from statuses.services import favourite_create, media_create, reblog_create, status_create
from tests.api.contract import assert_matches_contract
from tests.factories import image_file


def links(response) -> dict[str, dict]:
    found = {}
    for part in response["Link"].split(","):
        url, rel = part.split(";")
        query = parse_qs(urlparse(url.strip()[1:-1]).query)
        found[rel.strip().split("=")[1].strip('"')] = {k: v[0] for k, v in query.items()}
    return found


def test_paging_with_link_headers(alice, bob, api_for):
    follow_request(follower=bob, target=alice)
    ids = [str(status_create(author=alice, text=f"post {n}").pk) for n in range(5)]
    newest_first = ids[::-1]
    api = api_for(bob)

    first = api.get("/api/v1/timelines/home", {"limit": 2})
    assert [s["id"] for s in first.json()] == newest_first[:2]
    page_links = links(first)
    assert page_links["next"] == {"limit": "2", "max_id": newest_first[1]}
    assert page_links["prev"] == {"limit": "2", "min_id": newest_first[0]}

    second = api.get("/api/v1/timelines/home", page_links["next"])
    assert [s["id"] for s in second.json()] == newest_first[2:4]

    # min_id: the statuses just after it, still newest first; since_id: the newest after it.
    after = api.get("/api/v1/timelines/home", {"min_id": ids[0], "limit": 2})
    assert [s["id"] for s in after.json()] == [ids[2], ids[1]]
    since = api.get("/api/v1/timelines/home", {"since_id": ids[0], "limit": 2})
    assert [s["id"] for s in since.json()] == [ids[4], ids[3]]

    assert api.get("/api/v1/timelines/home", {"limit": 1000}).status_code == 200
    assert len(api.get("/api/v1/timelines/public", {"limit": 1000}).json()) == 5


def test_limit_is_clamped_to_forty(alice, api_for):
    for n in range(45):
        status_create(author=alice, text=f"post {n}")
    assert len(api_for(alice).get("/api/v1/timelines/public", {"limit": 100}).json()) == 40
    assert len(api_for(alice).get("/api/v1/timelines/public").json()) == 20


def test_bad_paging_parameters_are_422(alice, api_for):
    api = api_for(alice)
    for params in ({"limit": -1}, {"limit": "abc"}, {"max_id": "abc"}, {"since_id": "1e5"},
                   {"min_id": "-4"}, {"local": "maybe"}):
        response = api.get("/api/v1/timelines/public", params)
        assert response.status_code == 422, params
        assert set(response.json()) == {"error"}


def test_public_timeline_local_remote_and_contract(alice, bob, anon):
    from tests.factories import make_remote_account

    remote = make_remote_account("zoe", "remote.example")
    local = status_create(author=alice, text="local")
    far = status_create(author=remote, text="far away")
    far.uri = "https://remote.example/users/zoe/statuses/1"
    far.save()
    status_create(author=bob, text="unlisted", visibility="unlisted")
    status_create(author=bob, text="private", visibility="private")

    everything = anon.get("/api/v1/timelines/public")
    assert_matches_contract(everything, "/api/v1/timelines/public")
    assert [s["id"] for s in everything.json()] == [str(far.pk), str(local.pk)]
    def ids(**params):
        return [s["id"] for s in anon.get("/api/v1/timelines/public", params).json()]

    assert ids(local="true") == [str(local.pk)]
    assert ids(remote="true") == [str(far.pk)]
    assert "favourited" not in everything.json()[0]


def test_tag_timeline(alice, bob, anon):
    cats = status_create(author=alice, text="#cats")
    both = status_create(author=bob, text="#cats and #dogs")
    dogs = status_create(author=bob, text="#dogs")
    status_create(author=bob, text="#cats private", visibility="private")

    response = anon.get("/api/v1/timelines/tag/Cats")
    assert_matches_contract(response, "/api/v1/timelines/tag/{hashtag}")
    assert [s["id"] for s in response.json()] == [str(both.pk), str(cats.pk)]
    def ids(**params):
        return [s["id"] for s in anon.get("/api/v1/timelines/tag/cats", params).json()]

    assert ids(**{"any[]": "dogs"}) == [str(dogs.pk), str(both.pk), str(cats.pk)]
    assert ids(**{"all[]": "dogs"}) == [str(both.pk)]
    assert ids(**{"none[]": "dogs"}) == [str(cats.pk)]
    assert anon.get("/api/v1/timelines/tag/nothing").json() == []


def test_home_hides_muted_and_blocked(alice, bob, carol, api_for):
    for target in (bob, carol):
        follow_request(follower=alice, target=target)
    status_create(author=bob, text="muted")
    status_create(author=carol, text="blocked")
    mute_create(account=alice, target=bob)
    block_create(account=alice, target=carol)
    assert api_for(alice).get("/api/v1/timelines/home").json() == []


def test_timeline_page_costs_a_bounded_number_of_queries(alice, bob, carol, api_for):
    follow_request(follower=alice, target=bob)
    follow_request(follower=alice, target=carol)
    api = api_for(alice)

    def add_rich_statuses(count: int) -> None:
        for n in range(count):
            author = bob if n % 2 else carol
            media = media_create(account=author, file=image_file())
            status = status_create(author=author, text=f"#tag{n} @alice post {n}", media_ids=[media.pk])
            favourite_create(account=alice, status=status)
            reblog_create(account=carol if author == bob else bob, status=status)
            status_create(author=alice, text="reply", in_reply_to=status)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/v1/timelines/home", {"limit": 40}).status_code == 200
        return len(captured)

    count_queries()  # the first read builds the Redis feed (one query more, once)
    add_rich_statuses(2)
    few = count_queries()
    add_rich_statuses(10)
    # Five times the content, not one query more (prefetches that find nothing are skipped,
    # hence "at most").
    assert count_queries() <= few
    assert few <= 26  # 26th: does the viewer mute any thread (the `muted` flag)
