"""The ASGI entry point: WebSocket connections to /api/v1/streaming go to the streaming
handler (statuses/streaming/websocket.py), everything else to Django.

Serve it with `uvicorn config.asgi:application` for the WebSocket only: Server-Sent Events
stay on gunicorn (config.wsgi), since Django's ASGI handler reads a synchronous streaming
response to its end before sending it, which an endless event stream never reaches."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_asgi_application()  # sets Django up: import the handler after it

from statuses.streaming.websocket import streaming_websocket  # noqa: E402

STREAMING_PATHS = ("/api/v1/streaming", "/api/v1/streaming/")


async def application(scope, receive, send):
    if scope["type"] == "websocket":
        if scope["path"] in STREAMING_PATHS:
            await streaming_websocket(scope, receive, send)
        else:
            await send({"type": "websocket.close", "code": 1008})  # Django serves no WebSocket
        return
    await django_application(scope, receive, send)
