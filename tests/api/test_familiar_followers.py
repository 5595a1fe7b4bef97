"""GET /api/v1/accounts/familiar_followers: the people I follow who follow each account."""

import pytest

from accounts.services import block_create, follow_request
from tests.api.contract import assert_matches_contract
from tests.factories import make_local_account

pytestmark = pytest.mark.django_db

PATH = "/api/v1/accounts/familiar_followers"


def test_familiar_followers_lists_people_i_follow_who_follow_each_account(alice, bob, carol, dave, api_for):
    erin = make_local_account("erin")
    for friend in (bob, carol):
        follow_request(follower=alice, target=friend)
    follow_request(follower=bob, target=dave)
    follow_request(follower=carol, target=dave)
    follow_request(follower=erin, target=dave)  # alice does not follow erin
    follow_request(follower=alice, target=dave)  # alice herself is not a familiar follower

    response = api_for(alice).get(PATH, {"id[]": [str(dave.pk), str(erin.pk), "999999", "x"]})

    assert response.status_code == 200
    assert_matches_contract(response, PATH)
    body = response.json()
    assert [entry["id"] for entry in body] == [str(dave.pk), str(erin.pk)]
    assert [a["acct"] for a in body[0]["accounts"]] == ["bob", "carol"]
    assert body[1]["accounts"] == []


def test_familiar_followers_respect_blocks_and_suspensions(alice, bob, carol, dave, api_for):
    for friend in (bob, carol):
        follow_request(follower=alice, target=friend)
        follow_request(follower=friend, target=dave)
    carol.suspended_at = carol.created_at
    carol.save()
    api = api_for(alice)
    assert [a["acct"] for a in api.get(PATH, {"id[]": [str(dave.pk)]}).json()[0]["accounts"]] == ["bob"]

    block_create(account=dave, target=alice)  # dave hides whom he is followed by from alice
    assert api.get(PATH, {"id[]": [str(dave.pk)]}).json() == [{"id": str(dave.pk), "accounts": []}]


def test_familiar_followers_need_the_read_follows_scope(alice, bob, api_for, anon):
    assert anon.get(PATH, {"id[]": [str(bob.pk)]}).status_code == 401
    assert api_for(alice, scopes="read:statuses").get(PATH, {"id[]": [str(bob.pk)]}).status_code == 403
    assert api_for(alice, scopes="read:follows").get(PATH, {"id[]": [str(bob.pk)]}).status_code == 200
