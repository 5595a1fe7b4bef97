"""Mastodon's streaming API over WebSocket: `GET /api/v1/streaming?access_token=…&stream=user`
with an Upgrade, served from the ASGI entry point (config/asgi.py), since Django under WSGI
cannot hold a WebSocket.

One connection multiplexes streams: the one named in the query string, then those the client
adds and removes with `{"type": "subscribe" | "unsubscribe", "stream": "hashtag", "tag": "x"}`.
Each event goes out as `{"stream": ["hashtag", "x"], "event": "update", "payload": "<JSON>"}`.
Authorisation (views.stream_token, views.stream_for) and the per-viewer visibility check and
rendering (events.render_event) are the Server-Sent Events' own; only the transport is here."""

import asyncio
import json
import threading
from urllib.parse import parse_qsl

from asgiref.sync import sync_to_async
from django.db import close_old_connections

from . import broker
from .events import render_event
from .views import StreamRefused, _retrying, heartbeat_seconds, stream_for, stream_token, token_account

# How often a subscription's reader thread looks up from a quiet channel to see whether it
# was unsubscribed (the connection then ends within this many seconds of the unsubscribe).
POLL_SECONDS = 1.0


def _database(work):
    """Run blocking database work off the event loop. thread_sensitive: one thread, hence one
    database connection, serves the rendering of every WebSocket of this process."""

    def run(*args, **kwargs):
        try:
            return _retrying(lambda: work(*args, **kwargs))
        finally:
            close_old_connections()  # drop a broken or expired connection, as after a request

    return sync_to_async(run, thread_sensitive=True)


def _headers(scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _token(scope, params: dict) -> tuple[str, bool]:
    """The access token and whether it came as the WebSocket subprotocol (which must then be
    echoed back): query string, `Authorization: Bearer`, or `Sec-WebSocket-Protocol`."""
    headers = _headers(scope)
    if params.get("access_token"):
        return params["access_token"], False
    authorization = headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        return authorization[7:].strip(), False
    protocol = headers.get("sec-websocket-protocol", "").split(",")[0].strip()
    return protocol, bool(protocol)


def _stream_name(name: str, stream: dict) -> list[str]:
    """Mastodon's `stream` array of an event: ["user"], ["hashtag", "x"], ["list", "1"]."""
    if stream["kind"].startswith("hashtag"):
        return [name, stream["tag"]]
    if stream["kind"] == "list":
        return [name, str(stream["list_id"])]
    return [name]


class Connection:
    def __init__(self, send, token, account):
        self._send, self.token, self.account = send, token, account
        self.loop = asyncio.get_running_loop()
        self.sending = asyncio.Lock()
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.streams: dict[tuple, threading.Event] = {}  # stream array -> its reader's stop flag

    async def send_json(self, data: dict) -> None:
        async with self.sending:
            await self._send({"type": "websocket.send", "text": json.dumps(data)})

    async def subscribe(self, name: str, params: dict) -> None:
        try:
            stream = await _database(stream_for)(self.token, self.account, name, params)
        except StreamRefused as refused:
            await self.send_json({"error": refused.message, "status": refused.status})
            return
        key = tuple(_stream_name(name, stream))
        if key in self.streams:
            return
        # Subscribed (Redis has confirmed) before the next client message is read.
        subscription = await sync_to_async(broker.subscribe, thread_sensitive=False)([stream["channel"]])
        stopped = threading.Event()
        self.streams[key] = stopped
        threading.Thread(
            target=self._read_channel, args=(subscription, key, stream, stopped),
            name=f"websocket stream {':'.join(key)}", daemon=True,
        ).start()

    def unsubscribe(self, key: tuple) -> None:
        stopped = self.streams.pop(key, None)
        if stopped is not None:
            stopped.set()

    def close(self) -> None:
        for key in list(self.streams):
            self.unsubscribe(key)

    def _read_channel(self, subscription, key: tuple, stream: dict, stopped: threading.Event) -> None:
        """A thread per stream, as each SSE stream has one: broker reads block."""
        try:
            while not stopped.is_set():
                message = subscription.get(timeout=POLL_SECONDS)
                if message is not None and not stopped.is_set():
                    self.loop.call_soon_threadsafe(self.inbox.put_nowait, (key, stream, message))
        except RuntimeError:
            pass  # the event loop is gone: the server is shutting down
        finally:
            subscription.close()

    async def deliver(self) -> None:
        """Render each event for this viewer and send it; at each heartbeat, end the
        connection if the token stopped being valid (revoked, account suspended)."""
        interval = heartbeat_seconds()
        next_beat = self.loop.time() + interval
        while True:
            try:
                item = await asyncio.wait_for(self.inbox.get(), timeout=max(next_beat - self.loop.time(), 0))
            except TimeoutError:
                item = None
            if item is not None:
                key, stream, message = item
                if key in self.streams:  # not unsubscribed since
                    rendered = await _database(render_event)(message, stream=stream, viewer=self.account)
                    if rendered is not None:
                        event, payload = rendered
                        await self.send_json({"stream": list(key), "event": event, "payload": payload})
            if self.loop.time() >= next_beat:
                account = await _database(token_account)(self.token.pk)
                if account is None:
                    closing = {"type": "websocket.close", "code": 1008, "reason": "Invalid access token"}
                    await self._send(closing)
                    return
                self.account = account
                next_beat = self.loop.time() + interval

    async def read(self, receive) -> None:
        """Client messages, one at a time (a subscribe is complete before the next is read)."""
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            if message["type"] != "websocket.receive":
                continue
            text = message.get("text") or (message.get("bytes") or b"").decode("utf-8", "replace")
            try:
                data = json.loads(text)
            except ValueError:
                continue  # as Mastodon: a message that is not JSON is ignored
            if not isinstance(data, dict) or not isinstance(data.get("stream"), str):
                continue
            params = {k: v for k, v in data.items() if isinstance(v, str | int)}
            name = data["stream"]
            if data.get("type") == "subscribe":
                await self.subscribe(name, params)
            elif data.get("type") == "unsubscribe":
                try:
                    stream = await _database(stream_for)(self.token, self.account, name, params)
                except StreamRefused:
                    continue
                self.unsubscribe(tuple(_stream_name(name, stream)))


async def _refuse(scope, send, refused: StreamRefused) -> None:
    """Refuse the upgrade with Mastodon's HTTP error, where the server lets the application
    answer the handshake (ASGI's websocket.http.response extension); else close (HTTP 403)."""
    if "websocket.http.response" in scope.get("extensions", {}):
        await send({"type": "websocket.http.response.start", "status": refused.status,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "websocket.http.response.body",
                    "body": json.dumps({"error": refused.message}).encode()})
    else:
        await send({"type": "websocket.close", "code": 1008})


async def streaming_websocket(scope, receive, send) -> None:
    """The ASGI application of a WebSocket connection to /api/v1/streaming."""
    if (await receive())["type"] != "websocket.connect":
        return
    params = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
    raw, as_protocol = _token(scope, params)
    try:
        token, account = await _database(stream_token)(raw)
        if params.get("stream"):
            await _database(stream_for)(token, account, params["stream"], params)
    except StreamRefused as refused:
        await _refuse(scope, send, refused)
        return
    await send({"type": "websocket.accept", **({"subprotocol": raw} if as_protocol else {})})
    connection = Connection(send, token, account)
    try:
        if params.get("stream"):
            await connection.subscribe(params["stream"], params)
        tasks = [asyncio.ensure_future(connection.read(receive)), asyncio.ensure_future(connection.deliver())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                try:
                    await task
                except (asyncio.CancelledError, OSError):
                    pass  # a connection already gone when the close was sent
    finally:
        connection.close()
