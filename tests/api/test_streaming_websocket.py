"""Streaming over WebSocket, through a real server: uvicorn serving config.asgi in a thread of
the test process (so it reads the test database), a real WebSocket client. What reaches a
subscriber is what the visibility rule lets its viewer see, as over Server-Sent Events."""

import json
import socket
import threading
import time

import pytest
import uvicorn
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from accounts.services import follow_request
from statuses.models import Visibility
from statuses.services import status_create

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fast_heartbeat(settings):
    settings.STREAMING_HEARTBEAT_SECONDS = 0.2


@pytest.fixture
def ws_url(transactional_db):
    from config.asgi import application

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(application, lifespan="off", ws="websockets-sansio", log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    yield f"ws://127.0.0.1:{port}/api/v1/streaming"
    server.should_exit = True
    thread.join(10)
    sock.close()


def _messages(ws, *, until, seconds: float = 5.0) -> list[dict]:
    """Messages received until `until(message)` holds or the time runs out."""
    found, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            message = json.loads(ws.recv(timeout=max(deadline - time.monotonic(), 0.01)))
        except TimeoutError:
            break
        found.append(message)
        if until(message):
            break
    return found


def _is_update_of(status):
    return lambda m: m.get("event") == "update" and json.loads(m["payload"])["id"] == str(status.pk)


def _subscribed(ws) -> None:
    """Wait until the previous subscribe is done: messages are handled in order, so the error
    answering a later bad one comes after it."""
    ws.send(json.dumps({"type": "subscribe", "stream": "nonsense"}))
    assert _messages(ws, until=lambda m: "error" in m)[-1] == {"error": "Unknown stream type", "status": 400}


def test_user_stream_gets_followed_posts_not_private_posts_of_others(ws_url, alice, bob, carol, token_for):
    follow_request(follower=alice, target=bob)
    follow_request(follower=bob, target=carol)  # carol's followers-only post reaches bob, not alice
    with connect(f"{ws_url}?access_token={token_for(alice, 'read:statuses').token}&stream=user") as ws:
        hidden = status_create(author=carol, text="followers only", visibility=Visibility.PRIVATE)
        from statuses.streaming import broker

        # Even published on alice's channel by mistake, it is checked against the rule.
        broker.publish([f"timeline:{alice.pk}"], {"event": "update", "id": hidden.pk})
        posted = status_create(author=bob, text="hello followers")
        messages = _messages(ws, until=_is_update_of(posted))
    updates = [m for m in messages if m["event"] == "update"]
    assert [json.loads(m["payload"])["id"] for m in updates] == [str(posted.pk)]
    assert updates[0]["stream"] == ["user"]
    assert json.loads(updates[0]["payload"])["account"]["username"] == "bob"


def test_token_as_subprotocol_and_hashtag_subscribe_and_unsubscribe(ws_url, alice, bob, token_for):
    token = token_for(alice).token
    with connect(ws_url, subprotocols=[token]) as ws:
        assert ws.subprotocol == token
        ws.send(json.dumps({"type": "subscribe", "stream": "hashtag", "tag": "Pouet"}))
        _subscribed(ws)
        status_create(author=bob, text="no tag here")
        posted = status_create(author=bob, text="about #pouet")
        messages = _messages(ws, until=_is_update_of(posted))
        assert [(m["stream"], json.loads(m["payload"])["id"]) for m in messages] == [
            (["hashtag", "pouet"], str(posted.pk)),
        ]
        ws.send(json.dumps({"type": "unsubscribe", "stream": "hashtag", "tag": "pouet"}))
        _subscribed(ws)
        status_create(author=bob, text="again #pouet")
        assert _messages(ws, until=lambda m: True, seconds=1.5) == []


def test_subscribe_errors_are_messages(ws_url, alice, token_for):
    with connect(f"{ws_url}?access_token={token_for(alice).token}") as ws:
        ws.send("not json")  # ignored, as Mastodon does
        ws.send(json.dumps({"type": "subscribe", "stream": "hashtag"}))
        assert _messages(ws, until=lambda m: True) == [{"error": "Missing tag name parameter", "status": 400}]
        ws.send(json.dumps({"type": "subscribe", "stream": "list", "list": "999999"}))
        assert _messages(ws, until=lambda m: True) == [{"error": "Record not found", "status": 404}]


@pytest.mark.parametrize("query, status, error", [
    ("stream=user", 401, "Error 401: Missing access token"),
    ("stream=user&access_token=nope", 401, "Invalid access token"),
])
def test_bad_token_refuses_the_upgrade(ws_url, query, status, error):
    with pytest.raises(InvalidStatus) as refused:
        connect(f"{ws_url}?{query}")
    assert refused.value.response.status_code == status
    assert json.loads(refused.value.response.body) == {"error": error}


def test_missing_scope_refuses_the_upgrade(ws_url, alice, token_for):
    with pytest.raises(InvalidStatus) as refused:
        connect(f"{ws_url}?stream=user&access_token={token_for(alice, 'write').token}")
    assert refused.value.response.status_code == 403


def test_revoked_token_closes_the_connection(ws_url, alice, token_for):
    token = token_for(alice)
    with connect(f"{ws_url}?access_token={token.token}&stream=public") as ws:
        token.delete()
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
    assert closed.value.rcvd.code == 1008
