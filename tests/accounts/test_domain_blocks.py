"""A user's domain blocks: what blocking a domain ends (follows both ways, requests,
notifications, federated as Undo / Reject) and what it refuses afterwards."""

import pytest

from accounts.domain_blocks import (
    DomainInvalidError,
    account_domain_block_create,
    account_domain_block_remove,
)
from accounts.models import AccountDomainBlock, Follow, FollowRequest, Notification
from accounts.services import FollowError, follow_request
from federation.models import Delivery
from tests.factories import make_remote_account

pytestmark = pytest.mark.django_db


def _sent_types(account) -> list[str]:
    return [d.activity["type"] for d in Delivery.objects.filter(activity__actor=account.activitypub_id)]


def test_blocking_a_domain_ends_follows_both_ways_and_federates_it(alice, bob):
    zoe = make_remote_account("zoe", "bad.example")
    yan = make_remote_account("yan", "bad.example")
    friend = make_remote_account("friend", "good.example")
    follow_request(follower=alice, target=zoe)  # a remote follow: a pending request
    FollowRequest.objects.filter(account=alice, target_account=zoe).delete()
    Follow.objects.create(account=alice, target_account=zoe)
    follow_request(follower=yan, target=alice)  # alice is not locked: an accepted follow
    follow_request(follower=alice, target=friend)
    follow_request(follower=zoe, target=bob)
    Delivery.objects.all().delete()

    account_domain_block_create(account=alice, domain="Bad.Example.")

    assert list(AccountDomainBlock.objects.filter(account=alice).values_list("domain", flat=True)) == [
        "bad.example"
    ]
    assert not Follow.objects.filter(account=alice, target_account__domain="bad.example").exists()
    assert not Follow.objects.filter(target_account=alice, account__domain="bad.example").exists()
    assert not Notification.objects.filter(account=alice, from_account__domain="bad.example").exists()
    # Undo(Follow) for alice's follow of zoe, Reject(Follow) for yan's follow of alice.
    assert sorted(_sent_types(alice)) == ["Reject", "Undo"]
    # Nothing else is touched: alice's request to another domain, bob's follower.
    assert FollowRequest.objects.filter(account=alice, target_account=friend).exists()
    assert Follow.objects.filter(account=zoe, target_account=bob).exists()


def test_a_blocked_domain_cannot_be_followed_nor_follow(alice):
    zoe = make_remote_account("zoe", "bad.example")
    account_domain_block_create(account=alice, domain="bad.example")

    with pytest.raises(FollowError):
        follow_request(follower=alice, target=zoe)
    with pytest.raises(FollowError):
        follow_request(follower=zoe, target=alice)
    assert not Follow.objects.exists() and not FollowRequest.objects.exists()


def test_blocking_twice_is_one_block_and_unblocking_lets_follows_again(alice):
    zoe = make_remote_account("zoe", "bad.example")
    account_domain_block_create(account=alice, domain="bad.example")
    account_domain_block_create(account=alice, domain="BAD.example")
    assert AccountDomainBlock.objects.count() == 1

    account_domain_block_remove(account=alice, domain="bad.example")

    assert not AccountDomainBlock.objects.exists()
    follow_request(follower=alice, target=zoe)
    assert FollowRequest.objects.filter(account=alice, target_account=zoe).exists()


@pytest.mark.parametrize("domain", ["", "not a domain", "nodot", "localhost", "-bad-.example"])
def test_blocking_an_invalid_domain_is_refused(alice, domain):
    with pytest.raises(DomainInvalidError):
        account_domain_block_create(account=alice, domain=domain)
    assert not AccountDomainBlock.objects.exists()


def test_blocking_our_own_domain_is_refused(alice, settings):
    settings.LOCAL_DOMAIN = "pouet.example"
    with pytest.raises(DomainInvalidError):
        account_domain_block_create(account=alice, domain="pouet.example")
    assert not AccountDomainBlock.objects.exists()


def test_the_settings_page_adds_lists_and_removes_domain_blocks(alice, client_for):
    client = client_for(alice)
    page = client.get("/settings/relationships?kind=domains")
    assert page.status_code == 200 and "You have not blocked any domain" in page.content.decode()

    added = client.post("/settings/domain_blocks", {"domain": "Bad.Example"})
    assert added.status_code == 302
    listed = client.get(added["Location"]).content.decode()
    assert "bad.example is blocked." in listed and 'value="bad.example"' in listed

    refused = client.post("/settings/domain_blocks", {"domain": "not a domain"})
    assert refused.status_code == 400 and "is not a domain name" in refused.content.decode()
    assert list(AccountDomainBlock.objects.values_list("domain", flat=True)) == ["bad.example"]

    client.post("/settings/domain_blocks/remove", {"domain": "bad.example"})
    assert not AccountDomainBlock.objects.exists()
    assert client.get("/settings/domain_blocks").status_code == 405
