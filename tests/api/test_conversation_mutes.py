"""POST /api/v1/statuses/:id/mute and /unmute: no notifications about a thread."""

from accounts.models import Notification
from accounts.services import follow_request
from statuses.services import favourite_create, reblog_create, status_create
from tests.api.contract import assert_matches_contract


def test_muting_a_thread_stops_its_notifications(alice, bob, carol, api_for):
    root = status_create(author=alice, text="a thread")
    reply = status_create(author=bob, text="@alice a reply", in_reply_to=root)
    muted = api_for(alice).post(f"/api/v1/statuses/{reply.pk}/mute")
    assert muted.status_code == 200, muted.content
    assert_matches_contract(muted, "/api/v1/statuses/{id}/mute", "post")
    assert muted.json()["muted"] is True
    # Every status of the thread reads as muted for alice, and only for her.
    assert api_for(alice).get(f"/api/v1/statuses/{root.pk}").json()["muted"] is True
    assert api_for(bob).get(f"/api/v1/statuses/{root.pk}").json()["muted"] is False
    before = Notification.objects.filter(account=alice).count()

    deeper = status_create(author=carol, text="@alice deeper", in_reply_to=reply)
    favourite_create(account=carol, status=root)
    reblog_create(account=carol, status=root)
    status_create(author=bob, text="@alice again", in_reply_to=deeper)
    assert Notification.objects.filter(account=alice).count() == before
    # A post outside the thread still notifies.
    status_create(author=carol, text="@alice elsewhere")
    assert Notification.objects.filter(account=alice).count() == before + 1
    # Bob did not mute: carol's favourite of his reply reaches him.
    favourite_create(account=carol, status=reply)
    assert Notification.objects.filter(account=bob, type="favourite").count() == 1

    unmuted = api_for(alice).post(f"/api/v1/statuses/{root.pk}/unmute")
    assert unmuted.status_code == 200
    assert_matches_contract(unmuted, "/api/v1/statuses/{id}/unmute", "post")
    assert unmuted.json()["muted"] is False
    status_create(author=carol, text="@alice back", in_reply_to=root)
    assert Notification.objects.filter(account=alice).count() == before + 2


def test_muting_twice_is_harmless_and_a_boost_mutes_its_original(alice, bob, api_for):
    post = status_create(author=alice, text="boost me")
    boost = reblog_create(account=bob, status=post)
    api = api_for(alice)
    assert api.post(f"/api/v1/statuses/{boost.pk}/mute").status_code == 200
    assert api.post(f"/api/v1/statuses/{post.pk}/mute").json()["muted"] is True
    assert alice.conversation_mutes.count() == 1


def test_only_a_thread_one_takes_part_in_can_be_muted(alice, bob, carol, api_for):
    root = status_create(author=alice, text="a thread")
    status_create(author=bob, text="@carol what do you think?", in_reply_to=root)
    other_branch = status_create(author=alice, text="and another thing", in_reply_to=root)
    # Carol was mentioned in one branch: she may mute the thread from any of its statuses.
    assert api_for(carol).post(f"/api/v1/statuses/{other_branch.pk}/mute").status_code == 200
    assert carol.conversation_mutes.get().root_id == root.pk
    outsider = status_create(author=bob, text="unrelated")
    response = api_for(alice).post(f"/api/v1/statuses/{outsider.pk}/mute")
    assert response.status_code == 422
    assert response.json() == {"error": "You can only mute a conversation you take part in."}
    assert not alice.conversation_mutes.exists()


def test_mute_needs_a_visible_status_and_the_right_scope(alice, bob, carol, api_for, anon):
    follow_request(follower=bob, target=alice)
    private = status_create(author=alice, text="followers only @bob", visibility="private")
    for client in (api_for(carol),):
        response = client.post(f"/api/v1/statuses/{private.pk}/mute")
        assert response.status_code == 404
        assert response.json() == client.post("/api/v1/statuses/999999/mute").json()
    assert anon.post(f"/api/v1/statuses/{private.pk}/mute").status_code == 401
    refused = api_for(bob, "read write:statuses").post(f"/api/v1/statuses/{private.pk}/mute")
    assert refused.status_code == 403
    assert not carol.conversation_mutes.exists() and not bob.conversation_mutes.exists()
    assert api_for(bob, "write:mutes").post(f"/api/v1/statuses/{private.pk}/mute").status_code == 200
