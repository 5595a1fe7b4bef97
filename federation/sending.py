"""Where delivery POSTs run, so that slow and dead servers never hold the threads that serve
healthy ones (issue 6):

- every POST runs on a per-process pool of I/O threads (no database connection of their
  own), a task's batch of POSTs all at once; the task thread waits HANDOFF_AFTER for the
  answers, and past that hands each unanswered exchange over: the POST goes on in the
  pool, and its outcome is recorded by one settler thread per process, so the task thread
  is free for the next batch;
- a per-process, per-host circuit breaker: after BREAKER_THRESHOLD transient failures in a
  row, a host gets no POST for BREAKER_COOL_OFF seconds (its deliveries retry later, with
  the usual backoff), then one try decides.

Both are in-process and forget everything on restart: the Delivery rows stay the truth (a
row whose outcome was lost stays `sending` and the sweep puts it back)."""

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, TimeoutError

from django.conf import settings

logger = logging.getLogger(__name__)

HANDOFF_AFTER = 0.25  # seconds; a healthy inbox answers well within it
HANDOFF_LIMIT = 64  # exchanges handed over at once per process; past that, the task waits
IO_THREADS = HANDOFF_LIMIT + 32  # the handed-over ones never starve the others' POSTs
BREAKER_THRESHOLD = 5
BREAKER_COOL_OFF = 60.0

_pool_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_handed_over = [0]  # exchanges handed over and not yet settled, under _pool_lock
_settle_queue: queue.Queue = queue.Queue()
_settler: threading.Thread | None = None
SETTLER_NAME = "delivery-settler"


def _io_pool() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=IO_THREADS, thread_name_prefix="delivery-io")
        return _pool


def _settle_forever() -> None:
    from django.db import close_old_connections, connection

    while True:
        settle, future = _settle_queue.get()
        close_old_connections()  # as a task would: a broken or expired connection is replaced
        try:
            settle(future)
        except Exception:
            logger.exception("recording a handed-over delivery failed; the sweep will retry it")
        finally:
            with _pool_lock:
                _handed_over[0] -= 1
            if _settle_queue.empty():
                connection.close()  # hand-overs come in bursts: no connection held between them


def _start_settler() -> None:
    global _settler
    with _pool_lock:
        if _settler is None or not _settler.is_alive():
            _settler = threading.Thread(target=_settle_forever, name=SETTLER_NAME, daemon=True)
            _settler.start()


def _handoff_after() -> float | None:
    # In-process tasks (TASKS_INLINE) also run in short-lived commands (`manage.py shell`,
    # `accounts rotate-keys` …): a handed-over POST would die with the process unrecorded.
    return None if settings.TASKS_INLINE else HANDOFF_AFTER


def send_together(exchanges: list[tuple[Callable[[], object], Callable[[Future], object]]]) -> list:
    """Run each exchange (a POST) on the I/O pool, all at once. Per (exchange, settle) pair:
    `settle(future)` when the exchange ends within HANDOFF_AFTER from now (or when no
    hand-off slot is free: then it waits); else None, and `settle(future)` runs later on
    the settler thread."""
    futures = [(_io_pool().submit(exchange), settle) for exchange, settle in exchanges]
    wait = _handoff_after()
    deadline = None if wait is None else time.monotonic() + wait
    outcomes, first_error = [], None
    for future, settle in futures:
        # One settle failing must not leave the others' answers unrecorded (their rows
        # would be sent again by the sweep): record them all, then raise.
        try:
            outcomes.append(_settle_or_hand_over(future, settle, deadline))
        except Exception as error:  # noqa: BLE001 - raised below, after the others
            first_error = first_error or error
            outcomes.append(None)
    if first_error is not None:
        raise first_error
    return outcomes


def _settle_or_hand_over(future: Future, settle: Callable[[Future], object], deadline: float | None):
    try:
        future.result(timeout=None if deadline is None else max(deadline - time.monotonic(), 0))
    except TimeoutError:
        with _pool_lock:
            slot_free = _handed_over[0] < HANDOFF_LIMIT
            if slot_free:
                _handed_over[0] += 1
        if slot_free:
            _start_settler()
            future.add_done_callback(lambda done: _settle_queue.put((settle, done)))
            return None
        future.exception()  # every slot taken: wait, as without hand-off
    except Exception:  # noqa: BLE001 - the exchange's own error: settle reads it from the future
        pass
    return settle(future)


def wait_for_handed_over(timeout: float = 30) -> bool:
    """Block until every handed-over exchange is settled (tests, orderly shutdowns)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with _pool_lock:
            if _handed_over[0] == 0:
                return True
        time.sleep(0.01)
    return False


# --- the per-host circuit breaker ---------------------------------------------------------


class HostBreaker:
    """Per host: transient failures in a row, and until when the host gets no POST."""

    def __init__(self, *, threshold: int = BREAKER_THRESHOLD, cool_off: float = BREAKER_COOL_OFF,
                 clock: Callable[[], float] = time.monotonic):
        self.threshold = threshold
        self.cool_off = cool_off
        self.clock = clock
        self._failures: dict[str, int] = {}
        self._open_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def allows(self, host: str) -> bool:
        with self._lock:
            until = self._open_until.get(host)
            if until is None:
                return True
            if self.clock() < until:
                return False
            # Cool-off over: one try decides (a failure opens it again at once).
            del self._open_until[host]
            self._failures[host] = self.threshold - 1
            return True

    def succeeded(self, host: str) -> None:
        with self._lock:
            self._failures.pop(host, None)
            self._open_until.pop(host, None)

    def failed(self, host: str) -> None:
        with self._lock:
            count = self._failures.get(host, 0) + 1
            self._failures[host] = count
            if count >= self.threshold:
                self._open_until[host] = self.clock() + self.cool_off
                logger.info("no deliveries to %s for %.0f s: %d failures in a row",
                            host, self.cool_off, count)

    def reset(self) -> None:
        with self._lock:
            self._failures.clear()
            self._open_until.clear()


breaker = HostBreaker()
