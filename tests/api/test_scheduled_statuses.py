"""Scheduled statuses: POST /api/v1/statuses with scheduled_at, /api/v1/scheduled_statuses."""

from datetime import UTC, datetime, timedelta

from django.utils import timezone

from moderation.services import moderation_sweep
from statuses.models import ScheduledStatus, Status
from statuses.scheduled import SCHEDULED_MAX_PER_DAY, SCHEDULED_MAX_TOTAL
from statuses.services import status_create
from tests.api.contract import assert_matches_contract
from tests.factories import image_file


def _at(delta: timedelta) -> str:
    return (timezone.now() + delta).isoformat()


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _upload(api) -> str:
    return api.post("/api/v2/media", {"file": image_file()}, format="multipart").json()["id"]


def test_schedule_list_and_publish_when_due(alice, bob, api_for):
    api = api_for(alice)
    media_id = _upload(api)
    when = timezone.now() + timedelta(hours=2)
    posted = api.post("/api/v1/statuses", {
        "status": "later @bob", "visibility": "unlisted", "media_ids": [media_id],
        "spoiler_text": "cw", "language": "en", "scheduled_at": when.isoformat(),
    }, format="json")
    assert posted.status_code == 200, posted.content
    assert_matches_contract(posted, "/api/v1/statuses", "post")
    body = posted.json()
    assert abs(_parse(body["scheduled_at"]) - when) < timedelta(seconds=1)
    assert body["params"]["text"] == "later @bob" and body["params"]["visibility"] == "unlisted"
    assert body["params"]["media_ids"] == [media_id] and body["params"]["spoiler_text"] == "cw"
    assert isinstance(body["params"]["application_id"], int)
    assert [m["id"] for m in body["media_attachments"]] == [media_id]
    # Nothing is posted yet (the in-process task ran at once and found it not due).
    assert not Status.objects.exists()
    # The reserved image cannot go with another post meanwhile.
    taken = api.post("/api/v1/statuses", {"status": "now", "media_ids": [media_id]}, format="json")
    assert taken.status_code == 422 and not Status.objects.exists()

    listed = api.get("/api/v1/scheduled_statuses")
    assert listed.status_code == 200
    assert_matches_contract(listed, "/api/v1/scheduled_statuses")
    assert [s["id"] for s in listed.json()] == [body["id"]]
    one = api.get(f"/api/v1/scheduled_statuses/{body['id']}")
    assert_matches_contract(one, "/api/v1/scheduled_statuses/{id}")
    assert one.json() == body

    assert moderation_sweep(now=timezone.now())["scheduled_published"] == 0
    assert moderation_sweep(now=when + timedelta(seconds=1))["scheduled_published"] == 1
    status = Status.objects.get()
    assert (status.account, status.text, status.visibility, status.spoiler_text) == (
        alice, "later @bob", "unlisted", "cw",
    )
    assert list(status.media.values_list("pk", flat=True)) == [int(media_id)]
    assert bob.notifications.filter(type="mention", status=status).exists()
    assert api.get("/api/v1/scheduled_statuses").json() == []
    seen = api_for(bob).get(f"/api/v1/statuses/{status.pk}").json()
    assert seen["application"]["name"] == "Test client"
    # A second sweep publishes nothing more.
    assert moderation_sweep(now=when + timedelta(minutes=5))["scheduled_published"] == 0
    assert Status.objects.count() == 1


def test_scheduled_poll_and_reply_are_published(alice, bob, api_for):
    parent = status_create(author=bob, text="a question")
    when = timezone.now() + timedelta(minutes=30)
    posted = api_for(alice).post("/api/v1/statuses", {
        "status": "answer", "in_reply_to_id": str(parent.pk), "scheduled_at": when.isoformat(),
        "poll": {"options": ["yes", "no"], "expires_in": 3600},
    }, format="json")
    assert posted.status_code == 200, posted.content
    assert_matches_contract(posted, "/api/v1/statuses", "post")
    assert posted.json()["params"]["in_reply_to_id"] == parent.pk
    assert posted.json()["params"]["poll"]["options"] == ["yes", "no"]
    moderation_sweep(now=when)
    reply = Status.objects.get(account=alice)
    assert reply.in_reply_to == parent and reply.poll.options == ["yes", "no"]


def test_a_scheduled_reply_whose_parent_is_gone_is_posted_alone(alice, bob, api_for):
    parent = status_create(author=bob, text="soon gone")
    when = timezone.now() + timedelta(minutes=10)
    api_for(alice).post("/api/v1/statuses", {
        "status": "reply", "in_reply_to_id": str(parent.pk), "scheduled_at": when.isoformat(),
    }, format="json")
    parent.delete()
    moderation_sweep(now=when)
    assert Status.objects.get(account=alice).in_reply_to is None


def test_bad_times_are_422_and_store_nothing(alice, api_for):
    api = api_for(alice)
    for value in ("tomorrow", "2026-13-45T00:00:00Z", _at(timedelta(minutes=4)), _at(-timedelta(hours=1))):
        response = api.post("/api/v1/statuses", {"status": "hi", "scheduled_at": value}, format="json")
        assert response.status_code == 422, (value, response.content)
        assert set(response.json()) == {"error"}
    assert not ScheduledStatus.objects.exists() and not Status.objects.exists()
    # Checked as a post is: an empty one is refused before it is scheduled.
    empty = api.post("/api/v1/statuses", {"status": " ", "scheduled_at": _at(timedelta(hours=1))},
                     format="json")
    assert empty.status_code == 422 and not ScheduledStatus.objects.exists()


def test_limits_per_day_and_in_all(alice, api_for):
    api = api_for(alice)
    day = (timezone.now() + timedelta(days=3)).astimezone(UTC).replace(hour=10, minute=0, second=0)
    ScheduledStatus.objects.bulk_create([
        ScheduledStatus(account=alice, scheduled_at=day + timedelta(minutes=i),
                        params={"text": "x", "visibility": "public"})
        for i in range(SCHEDULED_MAX_PER_DAY)
    ])
    same_day = api.post("/api/v1/statuses", {"status": "one more", "scheduled_at": (day + timedelta(hours=5))
                                             .isoformat()}, format="json")
    assert same_day.status_code == 422
    assert "50" in same_day.json()["error"]
    next_day = api.post("/api/v1/statuses", {"status": "next day", "scheduled_at": (day + timedelta(days=1))
                                             .isoformat()}, format="json")
    assert next_day.status_code == 200
    ScheduledStatus.objects.bulk_create([
        ScheduledStatus(account=alice, scheduled_at=day + timedelta(days=10 + i),
                        params={"text": "x", "visibility": "public"})
        for i in range(SCHEDULED_MAX_TOTAL - ScheduledStatus.objects.count())
    ])
    full = api.post("/api/v1/statuses", {"status": "too many", "scheduled_at": (day + timedelta(days=2))
                                         .isoformat()}, format="json")
    assert full.status_code == 422 and "300" in full.json()["error"]
    assert ScheduledStatus.objects.count() == SCHEDULED_MAX_TOTAL


def test_move_and_cancel(alice, api_for):
    api = api_for(alice)
    media_id = _upload(api)
    body = api.post("/api/v1/statuses", {"status": "move me", "media_ids": [media_id],
                                         "scheduled_at": _at(timedelta(hours=1))}, format="json").json()
    url = f"/api/v1/scheduled_statuses/{body['id']}"
    later = timezone.now() + timedelta(days=2)
    moved = api.put(url, {"scheduled_at": later.isoformat()}, format="json")
    assert moved.status_code == 200, moved.content
    assert_matches_contract(moved, "/api/v1/scheduled_statuses/{id}", "put")
    assert abs(ScheduledStatus.objects.get().scheduled_at - later) < timedelta(seconds=1)
    too_soon = api.put(url, {"scheduled_at": _at(timedelta(minutes=1))}, format="json")
    assert too_soon.status_code == 422
    assert api.put(url, {}, format="json").status_code == 422
    assert abs(ScheduledStatus.objects.get().scheduled_at - later) < timedelta(seconds=1)

    cancelled = api.delete(url)
    assert cancelled.status_code == 200 and cancelled.json() == {}
    assert_matches_contract(cancelled, "/api/v1/scheduled_statuses/{id}", "delete")
    assert not ScheduledStatus.objects.exists()
    assert api.get(url).status_code == 404
    # The image is free again.
    now = api.post("/api/v1/statuses", {"status": "now", "media_ids": [media_id]}, format="json")
    assert now.status_code == 200


def test_only_the_owner_sees_or_changes_a_scheduled_status(alice, bob, api_for, anon):
    body = api_for(alice).post("/api/v1/statuses", {"status": "mine",
                                                    "scheduled_at": _at(timedelta(hours=1))},
                               format="json").json()
    url = f"/api/v1/scheduled_statuses/{body['id']}"
    bob_api = api_for(bob)
    missing = bob_api.get("/api/v1/scheduled_statuses/123456")
    assert missing.status_code == 404
    for response in (bob_api.get(url), bob_api.put(url, {"scheduled_at": _at(timedelta(days=1))},
                                                   format="json"), bob_api.delete(url)):
        assert response.status_code == 404 and response.json() == missing.json()
    assert bob_api.get("/api/v1/scheduled_statuses").json() == []
    assert anon.get("/api/v1/scheduled_statuses").status_code == 401
    assert api_for(alice, "read:accounts").get("/api/v1/scheduled_statuses").status_code == 403
    assert api_for(alice, "read").delete(url).status_code == 403
    assert api_for(alice, "read").post("/api/v1/statuses", {
        "status": "no", "scheduled_at": _at(timedelta(hours=1))}, format="json").status_code == 403
    assert _parse(api_for(alice).get(url).json()["scheduled_at"]) == _parse(body["scheduled_at"])


def test_list_is_paged_with_link_headers(alice, api_for):
    api = api_for(alice)
    ids = [
        api.post("/api/v1/statuses", {"status": f"p{i}", "scheduled_at": _at(timedelta(hours=i + 1))},
                 format="json").json()["id"]
        for i in range(3)
    ]
    first = api.get("/api/v1/scheduled_statuses", {"limit": 2})
    assert [s["id"] for s in first.json()] == [ids[2], ids[1]]
    assert 'rel="next"' in first["Link"] and f"max_id={ids[1]}" in first["Link"]
    rest = api.get("/api/v1/scheduled_statuses", {"limit": 2, "max_id": ids[1]})
    assert [s["id"] for s in rest.json()] == [ids[0]]


def test_idempotency_key_schedules_once(alice, api_for):
    api = api_for(alice)
    payload = {"status": "once", "scheduled_at": _at(timedelta(hours=1))}
    first = api.post("/api/v1/statuses", payload, format="json", HTTP_IDEMPOTENCY_KEY="s1")
    again = api.post("/api/v1/statuses", payload, format="json", HTTP_IDEMPOTENCY_KEY="s1")
    assert first.json()["id"] == again.json()["id"] and ScheduledStatus.objects.count() == 1
    assert first.json()["params"]["idempotency"] == "s1"
