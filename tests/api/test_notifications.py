from accounts.models import Notification
from accounts.services import follow_request
from statuses.services import favourite_create, status_create
from tests.api.contract import assert_matches_contract


def test_notifications_list_filter_get_dismiss_clear(alice, bob, carol, api_for):
    status = status_create(author=alice, text="hello")
    favourite_create(account=bob, status=status)
    follow_request(follower=carol, target=alice)
    status_create(author=bob, text="@alice hi")
    api = api_for(alice)

    listed = api.get("/api/v1/notifications")
    assert listed.status_code == 200
    assert_matches_contract(listed, "/api/v1/notifications")
    assert [n["type"] for n in listed.json()] == ["mention", "follow", "favourite"]
    favourite = listed.json()[2]
    assert favourite["status"]["id"] == str(status.pk) and favourite["account"]["username"] == "bob"

    assert [n["type"] for n in api.get("/api/v1/notifications", {"types[]": "follow"}).json()] == ["follow"]
    assert [n["type"] for n in api.get("/api/v1/notifications", {"exclude_types[]": ["follow", "mention"]})
            .json()] == ["favourite"]
    assert {n["type"] for n in api.get("/api/v1/notifications", {"account_id": str(bob.pk)}).json()} == {
        "mention", "favourite"}

    one = api.get(f"/api/v1/notifications/{favourite['id']}")
    assert_matches_contract(one, "/api/v1/notifications/{id}")
    assert api_for(bob).get(f"/api/v1/notifications/{favourite['id']}").status_code == 404

    unread = api.get("/api/v1/notifications/unread_count")
    assert_matches_contract(unread, "/api/v1/notifications/unread_count")
    assert unread.json() == {"count": 3}

    dismissed = api.post(f"/api/v1/notifications/{favourite['id']}/dismiss")
    assert dismissed.status_code == 200
    assert len(api.get("/api/v1/notifications").json()) == 2
    assert api_for(alice, "read").post("/api/v1/notifications/clear").status_code == 403
    assert api.post("/api/v1/notifications/clear").status_code == 200
    assert not Notification.objects.filter(account=alice).exists()

