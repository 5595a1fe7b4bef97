"""Time-sortable 64-bit ids, as Mastodon's: milliseconds since the epoch shifted left by 16,
plus a 16-bit sequence. Paging by id is then paging by time, and a remote status gets an id
from its published time."""

import itertools
import random
import threading
import time
from datetime import datetime

_lock = threading.Lock()
# Start each process at a random point so two processes rarely pick the same low bits.
_sequence = itertools.count(random.randrange(1 << 16))


def id_from_time(moment: datetime | None = None) -> int:
    millis = int((moment.timestamp() if moment else time.time()) * 1000)
    with _lock:
        sequence = next(_sequence) & 0xFFFF
    return (millis << 16) | sequence


def new_id() -> int:
    return id_from_time()


def time_bounds_id(moment: datetime) -> int:
    """The smallest id of a moment, to page a time-sorted table by date."""
    return int(moment.timestamp() * 1000) << 16
