"""Mastodon's streaming API: events published on commit (events.py) through Redis pub/sub
or an in-process broadcaster (broker.py), served as Server-Sent Events (views.py)
and over WebSocket from ASGI (websocket.py)."""
