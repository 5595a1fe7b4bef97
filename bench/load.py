"""A small closed-loop HTTP load generator: N client threads, each sending its next request
as soon as the previous one is answered, for a fixed time or a fixed number of requests.
Loopback only. Bounded in count and time; stops by itself."""

import http.client
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bench import common


@dataclass
class Request:
    path: str
    method: str = "GET"
    body: bytes | None = None
    headers: dict = field(default_factory=dict)


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    errors: int = 0
    elapsed: float = 0.0

    def summary(self) -> dict:
        ok = sum(n for code, n in self.statuses.items() if isinstance(code, int) and code < 400)
        server_errors = sum(n for code, n in self.statuses.items() if isinstance(code, int) and code >= 500)
        return {
            **common.summarize(self.latencies),
            "requests": len(self.latencies),
            "ok": ok,
            "errors": self.errors + sum(
                n for code, n in self.statuses.items() if not isinstance(code, int) or code >= 400
            ),
            "server_errors": server_errors,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items(), key=str)},
            "seconds": round(self.elapsed, 2),
            "rps": round(ok / self.elapsed, 1) if self.elapsed else None,
        }


def send(base: str, request: Request, timeout: float = 60) -> tuple[int, bytes, http.client.HTTPMessage]:
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request(request.method, request.path, body=request.body, headers=request.headers)
        response = connection.getresponse()
        return response.status, response.read(), response.headers
    finally:
        connection.close()


def run(
    base: str, next_request: Callable[[int, int], Request], *, concurrency: int,
    seconds: float | None = None, total: int | None = None, max_seconds: float = 300,
) -> LoadResult:
    """`next_request(client_index, sequence)` gives each request. Stops after `seconds`, or
    once `total` requests were sent, and in any case after `max_seconds`."""
    assert seconds or total, "a time or a count bounds every load"
    result = LoadResult()
    lock = threading.Lock()
    sent = [0]
    started = time.perf_counter()
    deadline = started + min(seconds or max_seconds, max_seconds)

    def client(index: int) -> None:
        sequence = 0
        while time.perf_counter() < deadline:
            with lock:
                if total is not None and sent[0] >= total:
                    return
                sent[0] += 1
            request = next_request(index, sequence)
            sequence += 1
            begin = time.perf_counter()
            try:
                status, _body, _headers = send(base, request)
            except (OSError, http.client.HTTPException):
                status = "exception"
            latency = time.perf_counter() - begin
            with lock:
                result.latencies.append(latency)
                result.statuses[status] += 1

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.elapsed = time.perf_counter() - started
    return result


def paced(
    base: str, next_request: Callable[[int], Request], *, rate: float, count: int,
    concurrency: int = 64, max_seconds: float = 300,
) -> LoadResult:
    """Open loop: start `count` requests at `rate` per second (whatever the server's pace),
    each answered by the first free one of `concurrency` threads; latency counts from the
    request's scheduled start, so queueing in front of the server shows."""
    result = LoadResult()
    lock = threading.Lock()
    started = time.perf_counter()
    deadline = started + max_seconds
    cursor = [0]

    def client() -> None:
        while True:
            with lock:
                index = cursor[0]
                if index >= count:
                    return
                cursor[0] += 1
            scheduled = started + index / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            if time.perf_counter() > deadline:
                return
            try:
                status, _body, _headers = send(base, next_request(index))
            except (OSError, http.client.HTTPException):
                status = "exception"
            latency = time.perf_counter() - scheduled
            with lock:
                result.latencies.append(latency)
                result.statuses[status] += 1

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.elapsed = time.perf_counter() - started
    return result
