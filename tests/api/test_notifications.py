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



def test_grouped_notifications_v2(alice, bob, carol, dave, api_for):
    status = status_create(author=alice, text="hello")
    for fan in (bob, carol, dave):
        favourite_create(account=fan, status=status)
    follow_request(follower=bob, target=alice)
    status_create(author=carol, text="@alice hi")
    api = api_for(alice)

    grouped = api.get("/api/v2/notifications")
    assert grouped.status_code == 200
    assert_matches_contract(grouped, "/api/v2/notifications")
    groups = grouped.json()["notification_groups"]
    assert [g["type"] for g in groups] == ["mention", "follow", "favourite"]
    favourites = groups[2]
    assert favourites["notifications_count"] == 3
    assert favourites["sample_account_ids"] == [str(dave.pk), str(carol.pk), str(bob.pk)]
    assert {a["username"] for a in grouped.json()["accounts"]} == {"bob", "carol", "dave"}

    key = favourites["group_key"]
    one = api.get(f"/api/v2/notifications/{key}")
    assert_matches_contract(one, "/api/v2/notifications/{group_key}")
    assert one.json()["notification_groups"][0]["notifications_count"] == 3
    who = api.get(f"/api/v2/notifications/{key}/accounts")
    assert_matches_contract(who, "/api/v2/notifications/{group_key}/accounts")
    assert len(who.json()) == 3
    assert api_for(bob).get(f"/api/v2/notifications/{key}").status_code == 404
    assert api.get("/api/v2/notifications/nonsense-key").status_code == 404

    unread = api.get("/api/v2/notifications/unread_count")
    assert_matches_contract(unread, "/api/v2/notifications/unread_count")
    assert api.post(f"/api/v2/notifications/{key}/dismiss").status_code == 200
    assert [g["type"] for g in api.get("/api/v2/notifications").json()["notification_groups"]] == [
        "mention", "follow"]
