"""Follow, requests, blocks, mutes and the people lists, through the web pages."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, Block, Follow, FollowRequest, Mute
from accounts.services import follow_request
from tests.factories import make_local_account, make_remote_account


def post(client, path, **data):
    return client.post(path, data, follow=True)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def follows(a, b) -> bool:
    return Follow.objects.filter(account=a, target_account=b).exists()


@pytest.mark.django_db
def test_follow_and_unfollow_come_back_to_the_page(client_for, alice, bob):
    client = client_for(alice)

    response = post(client, "/@bob/follow", next="/@bob/followers")

    assert response.redirect_chain[-1][0] == "/@bob/followers"
    assert "You now follow @bob." in messages_of(response)
    assert follows(alice, bob)
    page = response.content.decode()
    assert "@alice" in page and 'aria-label="Unfollow @bob"' not in page  # row is alice herself

    response = post(client, "/@bob/unfollow", next="/@bob/followers")
    assert "You no longer follow @bob." in messages_of(response)
    assert not follows(alice, bob)


@pytest.mark.django_db
def test_redirect_back_refuses_other_sites(client_for, alice, bob):
    client = client_for(alice)

    response = client.post("/@bob/follow", {"next": "https://evil.example/"})
    assert response["Location"] == "/@bob"

    response = client.post("/@bob/unfollow", HTTP_REFERER="http://testserver/@bob/following")
    assert response["Location"] == "http://testserver/@bob/following"


@pytest.mark.django_db
def test_actions_need_a_login_a_post_and_a_csrf_token(client, alice, bob):
    response = client.post("/@bob/follow")
    assert response.status_code == 302 and response["Location"].startswith("/auth/sign_in")

    logged_in = Client(enforce_csrf_checks=True)
    logged_in.force_login(alice.user)
    assert logged_in.get("/@bob/follow").status_code == 405
    assert logged_in.post("/@bob/follow").status_code == 403
    assert not follows(alice, bob)


@pytest.mark.django_db
def test_following_oneself_is_a_clear_error_and_changes_nothing(client_for, alice):
    response = post(client_for(alice), "/@alice/follow", next="/@alice/followers")

    assert "You cannot follow yourself." in messages_of(response)
    assert not Follow.objects.exists() and not FollowRequest.objects.exists()


@pytest.mark.django_db
def test_unknown_or_suspended_accounts_are_404(client_for, alice, bob):
    Account.objects.filter(pk=bob.pk).update(suspended_at=timezone.now())
    client = client_for(alice)

    for path in ("/@nobody/follow", "/@bob/follow", "/@bob/block", "/@nobody@nowhere.example/mute"):
        assert client.post(path).status_code == 404, path
    for path in ("/@bob/followers", "/@bob/following", "/@nobody/followers"):
        assert client.get(path).status_code == 404, path
    assert not Follow.objects.exists() and not Block.objects.exists()


@pytest.mark.django_db
def test_locked_account_accepts_and_rejects_requests(client_for, alice, bob, carol):
    Account.objects.filter(pk=bob.pk).update(locked=True)

    response = post(client_for(alice), "/@bob/follow", next="/@bob/followers")
    assert "You asked to follow @bob. They will decide." in messages_of(response)
    assert not follows(alice, bob)
    assert "Cancel follow request" not in response.content.decode()  # alice is not listed yet
    post(client_for(carol), "/@bob/follow")

    bob_client = client_for(bob)
    page = bob_client.get(reverse("accounts:follow_requests")).content.decode()
    assert "@alice" in page and "@carol" in page
    alice_request = FollowRequest.objects.get(account=alice)
    carol_request = FollowRequest.objects.get(account=carol)

    # Nobody else can answer bob's requests.
    assert client_for(carol).post(f"/settings/follow_requests/{alice_request.pk}/accept").status_code == 404

    response = post(bob_client, f"/settings/follow_requests/{alice_request.pk}/accept")
    assert "@alice now follows you." in messages_of(response)
    response = post(bob_client, f"/settings/follow_requests/{carol_request.pk}/reject")
    assert "You declined the request of @carol." in messages_of(response)

    assert follows(alice, bob) and not follows(carol, bob)
    assert not FollowRequest.objects.exists()
    assert "Nobody is waiting for your answer." in response.content.decode()


@pytest.mark.django_db
def test_withdrawing_a_request(client_for, alice, bob):
    Account.objects.filter(pk=bob.pk).update(locked=True)
    client = client_for(alice)
    post(client, "/@bob/follow")

    post(client, "/@bob/unfollow")

    assert not FollowRequest.objects.exists()


@pytest.mark.django_db
def test_block_severs_follows_both_ways_and_is_listed_with_undo(client_for, alice, bob):
    follow_request(follower=alice, target=bob)
    follow_request(follower=bob, target=alice)
    client = client_for(alice)

    response = post(client, "/@bob/block", next=reverse("accounts:relationships"))

    assert "You blocked @bob." in messages_of(response)
    assert not follows(alice, bob) and not follows(bob, alice)
    page = response.content.decode()
    assert "@bob" in page and 'aria-label="Unblock @bob"' in page

    refused = post(client_for(bob), "/@alice/follow")
    assert "You cannot follow this account." in messages_of(refused)
    assert not follows(bob, alice)

    response = post(client, "/@bob/unblock", next=reverse("accounts:relationships"))
    assert "You unblocked @bob." in messages_of(response)
    assert not Block.objects.exists()
    assert "You have not blocked anyone." in response.content.decode()


@pytest.mark.django_db
def test_mute_is_listed_with_undo(client_for, alice, bob):
    follow_request(follower=alice, target=bob)
    client = client_for(alice)
    mutes = reverse("accounts:relationships") + "?kind=mutes"

    response = post(client, "/@bob/mute", next=mutes)

    assert "You muted @bob: their posts and notifications are hidden from you." in messages_of(response)
    assert Mute.objects.filter(account=alice, target_account=bob).exists()
    assert follows(alice, bob)  # muting is not unfollowing
    assert 'aria-label="Unmute @bob"' in response.content.decode()

    response = post(client, "/@bob/unmute", next=mutes)
    assert not Mute.objects.exists()
    assert "You have not muted anyone." in response.content.decode()


@pytest.mark.django_db
def test_remove_follower(client_for, alice, bob):
    follow_request(follower=bob, target=alice)

    response = post(client_for(alice), "/@bob/remove_follower", next="/@alice/followers")

    assert "@bob no longer follows you." in messages_of(response)
    assert not follows(bob, alice)
    assert "Nobody to show here yet." in response.content.decode()


@pytest.mark.django_db
def test_followers_pages_are_paged_by_forty(client, alice):
    people = [make_local_account(f"fan{i:02d}") for i in range(45)]
    for person in people:
        follow_request(follower=person, target=alice)

    first = client.get("/@alice/followers")
    shown = [person.username for person in first.context["page"].items]
    assert len(shown) == 40 and shown[0] == "fan44"  # newest first
    assert "More people" in first.content.decode()

    second = client.get(f"/@alice/followers?max_id={first.context['page'].next_max_id}")
    assert [person.username for person in second.context["page"].items] == [
        "fan04", "fan03", "fan02", "fan01", "fan00",
    ]
    assert "More people" not in second.content.decode()


@pytest.mark.django_db
def test_people_lists_hide_suspended_accounts(client, alice, bob, carol):
    follow_request(follower=bob, target=alice)
    follow_request(follower=alice, target=carol)
    Account.objects.filter(pk__in=[bob.pk, carol.pk]).update(suspended_at=timezone.now())

    followers = client.get("/@alice/followers").content.decode()
    following = client.get("/@alice/following").content.decode()

    assert "@bob" not in followers and "@carol" not in following
    assert "Nobody to show here yet." in followers and "Nobody to show here yet." in following


@pytest.mark.django_db
def test_following_page_lists_remote_accounts(client, alice):
    remote = make_remote_account("rita", "social.example")
    follow_request(follower=alice, target=remote)  # pending: the remote server answers
    FollowRequest.objects.filter(account=alice).delete()
    Follow.objects.create(account=alice, target_account=remote)

    page = client.get("/@alice/following").content.decode()

    assert "@rita@social.example" in page
    assert client.get("/@rita@social.example/followers").context["page"].items == [alice]


@pytest.mark.django_db
def test_an_account_that_blocks_you_does_not_show_you_its_lists(client_for, alice, bob, carol):
    follow_request(follower=carol, target=bob)
    Block.objects.create(account=bob, target_account=alice)

    assert client_for(alice).get("/@bob/followers").context["page"].items == []
    assert client_for(carol).get("/@bob/followers").context["page"].items == [carol]


@pytest.mark.django_db
def test_relationship_buttons_in_a_list_show_each_relationship(client_for, alice, bob, carol, dave):
    remote = make_remote_account("rita", "social.example")
    dave.locked = True
    dave.save()
    for person in (bob, carol, dave, remote):
        follow_request(follower=person, target=alice)
    follow_request(follower=alice, target=bob)  # mutual
    follow_request(follower=alice, target=dave)  # dave is locked: a request

    mine = client_for(alice).get("/@alice/followers").content.decode()

    assert "Follows you" not in mine  # every row of one's own followers list does
    assert 'aria-label="Unfollow @bob"' in mine
    assert 'aria-label="Follow @carol"' in mine
    assert 'aria-label="Cancel your request to follow @dave"' in mine
    assert 'aria-label="Request to follow @rita@social.example"' not in mine  # rita is not locked
    assert 'aria-label="Follow @rita@social.example"' in mine
    assert 'aria-label="Remove @carol from your followers"' in mine
    assert 'action="/@rita@social.example/follow"' in mine
    assert 'name="csrfmiddlewaretoken"' in mine and 'name="next" value="/@alice/followers"' in mine

    anonymous = Client().get("/@alice/followers").content.decode()
    assert "csrfmiddlewaretoken" not in anonymous
    assert "/auth/sign_in?next=/%40alice/followers" in anonymous

    as_bob = client_for(bob).get("/@alice/followers").content.decode()
    assert "Follow @bob" not in as_bob and "Remove @" not in as_bob  # no buttons on his own row
    assert 'aria-label="Follow @carol"' in as_bob


@pytest.mark.django_db
def test_relationship_buttons_on_a_profile_offer_the_whole_menu(client_for, alice, bob):
    follow_request(follower=bob, target=alice)
    client = client_for(alice)

    page = client.get("/@bob").content.decode()

    assert "Follows you" in page and 'aria-label="Follow @bob"' in page
    for item in ("Remove @bob from your followers", "Mute @bob", "Block @bob"):
        assert item in page

    post(client, "/@bob/block")
    blocked = client.get("/@bob").content.decode()
    assert 'aria-label="Unblock @bob"' in blocked
    assert 'aria-label="Follow @bob"' not in blocked and "Block @bob" not in blocked

    assert "Edit profile" in client.get("/@alice").content.decode()
