"""Rows that every request reads and staff rarely change (IP blocks, self-destruct, the
server's settings, whether any announcement is published), memoized in each process.

Asking the database for them cost a web page four queries and ~4 ms of Django's CPU. A
change must still count everywhere at once (an IP block is a security measure), so each
memo belongs to a generation kept in the shared cache: saving or deleting a watched row
starts a new generation when its transaction commits, and every process re-reads the
generation at most once a second. In the process that made the change, its memos go at
once. Values are also dropped after a minute, whatever happens to the shared cache.
"""

import uuid

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from federation.memo import ExpiringLRU

GENERATION_KEY = "server-state:generation"
_MISSING = object()

_generation = ExpiringLRU(maxsize=1, ttl=1.0)
_values = ExpiringLRU(maxsize=32, ttl=60.0)


def remembered(name: str, load):
    """`load()`'s value, as memoized for this generation of the server's state."""
    generation = _generation.get("current", _MISSING)
    if generation is _MISSING:
        generation = cache.get(GENERATION_KEY)
        _generation.put("current", generation)
    value = _values.get((name, generation), _MISSING)
    if value is _MISSING:
        value = load()
        _values.put((name, generation), value)
    return value


def _forget_here() -> None:
    _generation.clear()
    _values.clear()


def _new_generation() -> None:
    # A random token, not a counter: if the cache ever loses the key, no process can
    # mistake an old generation for the current one.
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    _forget_here()


def state_changed(**_kwargs) -> None:
    """A watched row was saved or deleted: this process forgets now (its own next read,
    inside the same transaction, sees the change), every process once it commits."""
    _forget_here()
    transaction.on_commit(_new_generation)


def watch(*models) -> None:
    """Called from AppConfig.ready, so every process that can change these rows signals it."""
    for model in models:
        uid = f"server_state:{model._meta.label}"
        post_save.connect(state_changed, sender=model, dispatch_uid=f"{uid}:save")
        post_delete.connect(state_changed, sender=model, dispatch_uid=f"{uid}:delete")
