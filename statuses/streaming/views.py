"""Mastodon's streaming API over Server-Sent Events, served by Django itself
(StreamingHttpResponse: run the web server with threads, e.g. gunicorn --threads, since
each open stream holds one). WebSocket is served from ASGI by websocket.py."""

import time

from django.conf import settings
from django.db import OperationalError, connection
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET
from oauth2_provider.models import AccessToken

from accounts.api.scopes import scope_granted
from accounts.models import Account, List

from . import broker
from .events import render_event

# Mastodon's stream names, the channel each reads and the scope each needs.
STREAMS = {
    "user": "read:statuses",
    "user:notification": "read:notifications",
    "public": "read:statuses",
    "public:local": "read:statuses",
    "public:remote": "read:statuses",
    "hashtag": "read:statuses",
    "hashtag:local": "read:statuses",
    "list": "read:lists",
    "direct": "read:statuses",
}


def heartbeat_seconds() -> float:
    return float(getattr(settings, "STREAMING_HEARTBEAT_SECONDS", 15))


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _token_string(request) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.GET.get("access_token", "")


def token_account(token_id: int) -> Account | None:
    """The account a still-valid token acts for, or None once the token is revoked or
    expired, its user disabled or its account suspended (checked at each heartbeat)."""
    token = AccessToken.objects.select_related("user__account").filter(pk=token_id).first()
    if token is None or token.is_expired() or token.user is None or not token.user.is_active:
        return None
    account = getattr(token.user, "account", None)
    if account is None or account.is_suspended:
        return None
    return account


class StreamRefused(Exception):
    """A stream that may not be opened: Mastodon's error message and HTTP status."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.message, self.status = message, status


def stream_token(raw: str) -> tuple[AccessToken, Account]:
    """The token and the account it acts for, or StreamRefused (shared by SSE and WebSocket)."""
    token = AccessToken.objects.filter(token=raw).first() if raw else None
    account = token_account(token.pk) if token is not None else None
    if account is None:
        raise StreamRefused("Error 401: Missing access token" if not raw else "Invalid access token", 401)
    user = token.user
    if not user.is_confirmed or not user.approved:
        raise StreamRefused("Your login is missing a confirmed e-mail address or is pending approval", 403)
    return token, account


def stream_for(token: AccessToken, account: Account, name: str, params) -> dict:
    """The stream `name` (with its `tag` or `list` parameter) as this token may read it:
    `{"kind", "channel", …}` for render_event, or StreamRefused."""
    if name not in STREAMS:
        raise StreamRefused("Unknown stream type", 400)
    if not scope_granted(set(token.scope.split()), STREAMS[name]):
        raise StreamRefused("This action is outside the authorized scopes", 403)
    if name == "hashtag" or name == "hashtag:local":
        tag = str(params.get("tag") or "").lstrip("#").strip().lower()
        if not tag:
            raise StreamRefused("Missing tag name parameter", 400)
        local = ":local" if name.endswith("local") else ""
        return {"kind": name, "channel": f"timeline:hashtag:{tag}{local}", "tag": tag}
    if name == "list":
        list_id = str(params.get("list") or "")
        list_id = int(list_id) if list_id.isdigit() else 0
        if not List.objects.filter(pk=list_id, account=account).exists():
            raise StreamRefused("Record not found", 404)
        return {"kind": "list", "list_id": list_id, "channel": f"timeline:list:{list_id}"}
    if name in ("user", "user:notification"):
        kind = "user" if name == "user" else "notification"
        return {"kind": kind, "channel": f"timeline:{account.pk}"}
    if name == "direct":
        return {"kind": name, "channel": f"timeline:direct:{account.pk}"}
    return {"kind": name, "channel": "timeline:" + name}  # public, public:local, public:remote


def _open(request, name: str):
    try:
        token, account = stream_token(_token_string(request))
        stream = stream_for(token, account, name, request.GET)
    except StreamRefused as refused:
        return _error(refused.message, refused.status)
    response = StreamingHttpResponse(_events(token.pk, account, stream), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass events on at once
    return response


def _events(token_id: int, account: Account, stream: dict):
    """The SSE body: events as they come, a comment at each heartbeat; ends when the token
    stops being valid or the client goes away (the server then closes this generator)."""
    subscription = broker.subscribe([stream["channel"]])
    try:
        yield ":)\n\n"  # Mastodon's opening comment: the stream is subscribed from here on
        interval = heartbeat_seconds()
        next_beat = time.monotonic() + interval
        while True:
            message = subscription.get(timeout=next_beat - time.monotonic())
            if message is not None:
                rendered = _retrying(lambda m=message, a=account: render_event(m, stream=stream, viewer=a))
                _release_connection()
                if rendered is not None:
                    event, data = rendered
                    yield f"event: {event}\ndata: {data}\n\n"
            if time.monotonic() >= next_beat:
                account = _retrying(lambda: token_account(token_id))
                _release_connection()
                if account is None:
                    return  # revoked token, suspended account: the stream ends
                yield ":thump\n\n"
                next_beat = time.monotonic() + interval
    finally:
        subscription.close()


def _retrying(work, attempts: int = 5):
    """Run a read, retrying briefly when the database is momentarily locked (SQLite under a
    concurrent write): a busy database must not end a stream nor drop an event."""
    for attempt in range(attempts):
        try:
            return work()
        except OperationalError:
            if attempt == attempts - 1:
                raise
            _release_connection()
            time.sleep(0.05 * (attempt + 1))


def _release_connection() -> None:
    # An open stream must not hold a database connection between events.
    if not connection.in_atomic_block:
        connection.close()


@require_GET
def streaming_health(request):
    return HttpResponse("OK", content_type="text/plain")


@require_GET
def streaming_stream(request, name: str):
    name = name.replace("/", ":")
    if name not in STREAMS:
        return _error("Unknown stream type", 400)
    return _open(request, name)


@require_GET
def streaming_root(request):
    """`GET /api/v1/streaming?stream=user` (the WebSocket path, without the upgrade)."""
    if request.META.get("HTTP_UPGRADE", "").lower() == "websocket":
        # Only reached when the proxy sent the upgrade to gunicorn instead of uvicorn (config.asgi).
        return _error("WebSocket is served by the streaming server; use Server-Sent Events here", 501)
    name = request.GET.get("stream", "")
    if name not in STREAMS:
        return _error("Unknown stream type", 400)
    return _open(request, name)
