"""/api/v1/domain_blocks: block, list (Link paging), unblock; relationships and search."""

import pytest

from accounts.models import AccountDomainBlock, Follow
from accounts.services import follow_request
from statuses.models import Status, Visibility
from tests.api.contract import assert_matches_contract
from tests.factories import make_remote_account

pytestmark = pytest.mark.django_db

PATH = "/api/v1/domain_blocks"


def test_block_list_and_unblock(alice, api_for):
    api = api_for(alice)
    for domain in ("one.example", "two.example", "three.example"):
        response = api.post(PATH, {"domain": domain}, format="json")
        assert response.status_code == 200, response.content
        assert_matches_contract(response, PATH, "post")

    listed = api.get(PATH)
    assert listed.status_code == 200
    assert_matches_contract(listed, PATH)
    assert listed.json() == ["three.example", "two.example", "one.example"]

    first = api.get(PATH, {"limit": 2})
    assert first.json() == ["three.example", "two.example"]
    next_url = first["Link"].split(";")[0].strip("<>")
    assert api.get(next_url).json() == ["one.example"]

    removed = api.delete(PATH, {"domain": "two.example"}, format="json")
    assert removed.status_code == 200
    assert_matches_contract(removed, PATH, "delete")
    assert api.delete(f"{PATH}?domain=one.example").status_code == 200
    assert api.get(PATH).json() == ["three.example"]


def test_blocking_shows_in_relationships_and_ends_follows(alice, api_for):
    zoe = make_remote_account("zoe", "bad.example")
    follow_request(follower=zoe, target=alice)
    api = api_for(alice)

    assert api.post(PATH, {"domain": "bad.example"}).status_code == 200

    relationship = api.get("/api/v1/accounts/relationships", {"id[]": [str(zoe.pk)]})
    assert_matches_contract(relationship, "/api/v1/accounts/relationships")
    assert relationship.json()[0]["domain_blocking"] is True
    assert relationship.json()[0]["followed_by"] is False
    assert not Follow.objects.exists()
    assert api.post(f"/api/v1/accounts/{zoe.pk}/follow").status_code == 422


def test_a_blocked_domains_post_is_not_found_by_search_nor_by_id(alice, carol, api_for):
    zoe = make_remote_account("zoe", "bad.example")
    post = Status.objects.create(
        account=zoe, content="<p>hello</p>", visibility=Visibility.PUBLIC,
        uri="https://bad.example/statuses/1",
    )
    api = api_for(alice)
    api.post(PATH, {"domain": "bad.example"})

    assert api.get(f"/api/v1/statuses/{post.pk}").status_code == 404
    assert api.get("/api/v2/search", {"q": post.uri, "type": "statuses"}).json()["statuses"] == []
    found = api_for(carol).get("/api/v2/search", {"q": post.uri, "type": "statuses"}).json()
    assert [s["id"] for s in found["statuses"]] == [str(post.pk)]


@pytest.mark.parametrize("payload", [{}, {"domain": ""}, {"domain": "not a domain"}, {"domain": ["x"]}])
def test_bad_domain_is_422_and_stores_nothing(alice, api_for, payload):
    response = api_for(alice).post(PATH, payload, format="json")
    assert response.status_code == 422, response.content
    assert "error" in response.json()
    assert not AccountDomainBlock.objects.exists()


def test_domain_blocks_need_the_blocks_scopes(alice, api_for, anon):
    assert anon.get(PATH).status_code == 401
    assert api_for(alice, scopes="read:statuses").get(PATH).status_code == 403
    assert api_for(alice, scopes="read:blocks").post(PATH, {"domain": "a.example"}).status_code == 403
    assert api_for(alice, scopes="read:blocks").get(PATH).status_code == 200
    assert api_for(alice, scopes="write:blocks").post(PATH, {"domain": "a.example"}).status_code == 200
    assert api_for(alice, scopes="follow").get(PATH).json() == ["a.example"]


def test_domain_blocks_are_per_user(alice, bob, api_for):
    api_for(alice).post(PATH, {"domain": "bad.example"})
    assert api_for(bob).get(PATH).json() == []
    api_for(bob).delete(PATH, {"domain": "bad.example"})
    assert AccountDomainBlock.objects.filter(account=alice).exists()
