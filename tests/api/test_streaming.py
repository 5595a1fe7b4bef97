"""Streaming over Server-Sent Events, through a real HTTP server: what each subscriber
receives is what the visibility rule lets its viewer see."""

import json
import time

import pytest
import requests
from django.utils import timezone

from accounts.models import Account
from accounts.services import block_create, follow_request
from statuses.models import Status, Visibility
from statuses.services import favourite_create, status_create, status_delete
from statuses.streaming import broker
from statuses.streaming.events import stream_status_created
from tests.factories import make_remote_account

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fast_heartbeat(settings):
    settings.STREAMING_HEARTBEAT_SECONDS = 0.2


class Stream:
    """An open SSE stream read line by line; the heartbeat gives control back regularly."""

    def __init__(self, base: str, path: str, token: str, **params):
        self.response = requests.get(
            f"{base}/api/v1/streaming/{path}", params={"access_token": token, **params},
            stream=True, timeout=(5, 5),
        )
        assert self.response.status_code == 200, self.response.text
        assert self.response.headers["Content-Type"].startswith("text/event-stream")
        self.lines = self.response.iter_lines(chunk_size=1, decode_unicode=True)
        assert next(self.lines) == ":)"  # subscribed from here on
        self.ended = False

    def events(self, *, until=None, seconds: float = 3.0) -> list[tuple[str, str]]:
        """(event, data) pairs until `until(event, data)` holds, the time runs out or the
        server ends the stream."""
        deadline = time.monotonic() + seconds
        found, name = [], None
        try:
            for line in self.lines:
                if line.startswith("event: "):
                    name = line[len("event: "):]
                elif line.startswith("data: "):
                    found.append((name, line[len("data: "):]))
                    if until is not None and until(name, found[-1][1]):
                        return found
                if time.monotonic() > deadline:
                    return found
        except requests.exceptions.ChunkedEncodingError:
            pass
        self.ended = True
        return found

    def close(self):
        self.response.close()


def _is_update_of(status):
    return lambda event, data: event == "update" and json.loads(data)["id"] == str(status.pk)


def test_streaming_health_answers_ok(live_server):
    response = requests.get(f"{live_server.url}/api/v1/streaming/health", timeout=5)
    assert response.status_code == 200 and response.text == "OK"


def test_streaming_refuses_missing_or_bad_tokens_and_scopes(live_server, alice, token_for):
    base = f"{live_server.url}/api/v1/streaming"
    assert requests.get(f"{base}/user", timeout=5).status_code == 401
    assert requests.get(f"{base}/user", params={"access_token": "nope"}, timeout=5).status_code == 401
    token = token_for(alice, "write")
    assert requests.get(f"{base}/user", params={"access_token": token.token}, timeout=5).status_code == 403
    unknown = requests.get(f"{base}/nonsense", params={"access_token": token.token}, timeout=5)
    assert unknown.status_code == 400


def test_user_stream_gets_followed_posts_not_others_private_nor_blocked(live_server, alice, bob, carol,
                                                                         dave, token_for):
    follow_request(follower=alice, target=bob)
    follow_request(follower=alice, target=dave)
    follow_request(follower=bob, target=carol)
    block_create(account=alice, target=dave)
    stream = Stream(live_server.url, "user", token_for(alice, "read:statuses").token)
    hidden = status_create(author=carol, text="followers only", visibility=Visibility.PRIVATE)
    blocked = status_create(author=dave, text="from a blocked account")
    # A message reaching alice's channel by mistake is still checked against the rule.
    broker.publish([f"timeline:{alice.pk}"], {"event": "update", "id": hidden.pk})
    broker.publish([f"timeline:{alice.pk}"], {"event": "update", "id": blocked.pk})
    posted = status_create(author=bob, text="hello followers")
    events = stream.events(until=_is_update_of(posted))
    stream.close()
    ids = [json.loads(data)["id"] for event, data in events if event == "update"]
    assert ids == [str(posted.pk)]
    assert json.loads(events[-1][1])["account"]["username"] == "bob"


def test_user_stream_gets_delete_and_edit(live_server, alice, bob, token_for):
    from statuses.services import status_edit

    follow_request(follower=alice, target=bob)
    stream = Stream(live_server.url, "user", token_for(alice).token)
    # Each event is rendered when delivered: one step at a time, or a status deleted before
    # its `update` is read is (rightly) never shown.
    posted = status_create(author=bob, text="first")
    events = stream.events(until=_is_update_of(posted))
    status_edit(status=posted, by=bob, text="second")
    events += stream.events(until=lambda event, data: event == "status.update")
    status_delete(status=Status.objects.get(pk=posted.pk), by=bob)
    events += stream.events(until=lambda event, data: event == "delete")
    stream.close()
    assert [e for e, _d in events] == ["update", "status.update", "delete"]
    assert "second" in json.loads(events[1][1])["content"]
    assert events[2][1] == str(posted.pk)


def test_notification_stream_gets_a_favourite(live_server, alice, bob, token_for):
    posted = status_create(author=alice, text="like me")
    stream = Stream(live_server.url, "user/notification", token_for(alice, "read:notifications").token)
    favourite_create(account=bob, status=posted)
    events = stream.events(until=lambda event, data: event == "notification")
    stream.close()
    assert events and events[-1][0] == "notification"
    notification = json.loads(events[-1][1])
    assert notification["type"] == "favourite"
    assert notification["account"]["username"] == "bob"
    assert notification["status"]["id"] == str(posted.pk)
    assert not [e for e, _d in events if e == "update"]  # only notifications on this stream


def test_public_local_stream_gets_public_local_posts_only(live_server, alice, bob, token_for):
    remote = make_remote_account("zoe", "remote.example")
    stream = Stream(live_server.url, "public/local", token_for(alice).token)
    status_create(author=bob, text="unlisted", visibility=Visibility.UNLISTED)
    status_create(author=bob, text="followers", visibility=Visibility.PRIVATE)
    far = Status.objects.create(account=remote, content="<p>far away</p>", visibility=Visibility.PUBLIC,
                                uri="https://remote.example/notes/1")
    stream_status_created(far.pk)
    posted = status_create(author=bob, text="public and local")
    events = stream.events(until=_is_update_of(posted))
    stream.close()
    assert [json.loads(d)["id"] for e, d in events if e == "update"] == [str(posted.pk)]


def test_hashtag_stream(live_server, alice, bob, token_for):
    stream = Stream(live_server.url, "hashtag", token_for(alice).token, tag="Pouet")
    status_create(author=bob, text="no tag here")
    posted = status_create(author=bob, text="about #pouet")
    events = stream.events(until=_is_update_of(posted))
    stream.close()
    assert [json.loads(d)["id"] for e, d in events if e == "update"] == [str(posted.pk)]


def test_revoked_token_ends_its_stream(live_server, alice, token_for):
    token = token_for(alice)
    stream = Stream(live_server.url, "public", token.token)
    token.delete()  # what POST /oauth/revoke and user_tokens_revoke do
    stream.events(seconds=5)
    assert stream.ended


def test_suspension_ends_the_stream(live_server, alice, token_for):
    stream = Stream(live_server.url, "user", token_for(alice).token)
    Account.objects.filter(pk=alice.pk).update(suspended_at=timezone.now())
    stream.events(seconds=5)
    assert stream.ended


def test_direct_stream_gets_conversation_events(live_server, alice, bob, carol, token_for):
    stream = Stream(live_server.url, "direct", token_for(bob, "read:statuses").token)
    # A message reaching bob's channel about a conversation he is not in is dropped.
    elsewhere = status_create(author=alice, text="@carol just us", visibility=Visibility.DIRECT)
    broker.publish([f"timeline:direct:{bob.pk}"], {"event": "conversation", "id": elsewhere.pk})
    posted = status_create(author=alice, text="@bob psst", visibility=Visibility.DIRECT)
    events = stream.events(until=lambda event, data: event == "conversation")
    stream.close()
    conversations = [json.loads(data) for event, data in events if event == "conversation"]
    assert len(conversations) == 1
    assert conversations[0]["last_status"]["id"] == str(posted.pk)
    assert conversations[0]["unread"] is True
    assert [a["username"] for a in conversations[0]["accounts"]] == ["alice"]


def test_user_stream_gets_public_posts_with_a_followed_hashtag(live_server, alice, carol, token_for):
    from statuses.tag_services import tag_follow

    tag_follow(account=alice, name="cats")
    stream = Stream(live_server.url, "user", token_for(alice, "read:statuses").token)
    status_create(author=carol, text="#cats for my followers", visibility=Visibility.PRIVATE)
    status_create(author=carol, text="#dogs only")
    posted = status_create(author=carol, text="#cats for everyone")
    events = stream.events(until=_is_update_of(posted))
    stream.close()
    assert [json.loads(data)["id"] for event, data in events if event == "update"] == [str(posted.pk)]
