"""A small in-process memo: bounded (least recently used goes first), entries expire, safe
to share between the threads of a gunicorn or dramatiq worker. For what a hot path would
otherwise ask the database on every request (a signer's key, a domain's policy, a signing
key); the database stays the truth, so every user of it says how stale it may be."""

import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

_MISSING = object()
_every_memo: "weakref.WeakSet[ExpiringLRU]" = weakref.WeakSet()


def forget_all() -> None:
    """Empty every memo of this process (tests start each case as a fresh process)."""
    for memo in list(_every_memo):
        memo.clear()


class ExpiringLRU:
    def __init__(self, *, maxsize: int, ttl: float, clock: Callable[[], float] = time.monotonic):
        self.maxsize = maxsize
        self.ttl = ttl
        self.clock = clock
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        _every_memo.add(self)

    def get(self, key: Hashable, default=None):
        with self._lock:
            found = self._entries.get(key, _MISSING)
            if found is _MISSING:
                return default
            expires, value = found
            if expires <= self.clock():
                del self._entries[key]
                return default
            self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value) -> None:
        with self._lock:
            self._entries[key] = (self.clock() + self.ttl, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def forget_where(self, matches: Callable[[Any], bool]) -> None:
        """Drop every entry whose value matches (a row changed under it)."""
        with self._lock:
            for key in [k for k, (_expires, value) in self._entries.items() if matches(value)]:
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
