"""Delivery (issue 6, benchmark 5): one local post to followers on 1,000 remote domains,
delivered as in production (status_create → `publish` task → one Delivery row per inbox →
`deliver` tasks on dramatiq workers of the `deliveries` queue, each signed and POSTed through
federation.http), to a sink on loopback started by this script in its own process.

The sink stands for 1,000 servers by path (http://127.0.0.1:PORT/d<i>/inbox; loopback is
reachable only because the workers run with ALLOW_PRIVATE_ADDRESSES=true). Every domain has
three followers sharing its shared inbox, so the right answer is exactly one POST per domain,
counted at the sink. Two runs: all 1,000 healthy; then 10% bad — half dead (a port where
nothing listens: connection refused, enqueued first), half slow (the sink sleeps 2 s before
answering, interleaved with the good ones).
"Dead servers not slowing the others" compares the time to the last good delivery in both.

The floor, in the same run: unsigned POSTs of the same body with requests to the same sink,
from as many threads as the workers have in all.

    .venv/bin/python -m bench.delivery [--domains 1000] [--processes 2] [--threads 8]
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bench import common, servers

DOMAIN_SUFFIX = "sink.bench.example"
AUTHOR = "delivery_author"
FOLLOWERS_PER_DOMAIN = 3
SLOW_SECONDS = 2.0


# --- the sink (runs in its own process: `--serve-sink PORT`) ------------------------------


class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    lock = threading.Lock()
    posts: dict = {}  # path -> [count, last time, signed count]

    def log_message(self, *args):  # quiet
        pass

    def _answer(self, status: int, body: bytes = b"") -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # a worker stopped while a slow answer was pending

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        if self.path.endswith("/slow-inbox"):
            time.sleep(SLOW_SECONDS)
        if self.path == "/_reset":
            with self.lock:
                Sink.posts = {}
            return self._answer(204)
        with self.lock:
            entry = Sink.posts.setdefault(self.path, [0, 0.0, 0])
            entry[0] += 1
            entry[1] = time.time()
            entry[2] += bool(self.headers.get("Signature"))
        self._answer(202)

    def do_GET(self):
        with self.lock:
            body = json.dumps(Sink.posts).encode()
        self._answer(200, body)


def serve_sink(port: int) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", port), Sink)
    server.daemon_threads = True
    server.request_queue_size = 2048
    server.serve_forever()


class SinkProcess:
    def __enter__(self):
        self.port = servers.free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.delivery", "--serve-sink", str(self.port)], cwd=common.ROOT,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        import requests

        for _ in range(100):
            try:
                requests.get(self.base + "/_stats", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.1)
        common.log(f"sink pid {self.process.pid} at {self.base}")
        return self

    def stats(self) -> dict:
        import requests

        return requests.get(self.base + "/_stats", timeout=10).json()

    def reset(self) -> None:
        import requests

        requests.post(self.base + "/_reset", timeout=10)

    def __exit__(self, *exc):
        servers._stop(self.process)


# --- data ---------------------------------------------------------------------------------


def unused_port_before(port: int) -> int:
    """A port nobody listens on whose URL sorts before `port`'s (ephemeral ports are 5 digits
    from 32768: 1xxxx sorts first)."""
    import socket

    for candidate in range(10_000, 20_000):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", candidate))
            except OSError:
                continue
        if str(candidate) < str(port):
            return candidate
    raise RuntimeError("no unused port")


def inbox_for(i: int, *, sink: str, dead_base: str, bad: set[int]) -> str:
    if i in bad:
        return f"{dead_base}/d{i}/inbox" if (i // 10) % 2 == 0 else f"{sink}/d{i}/slow-inbox"
    return f"{sink}/d{i}/inbox"


def prepare(domains: int):
    """The author (fixed key pair) and FOLLOWERS_PER_DOMAIN followers on each domain."""
    from accounts.models import Account, Follow
    from accounts.services import account_create_local
    from tests.factories import FIXED_PRIVATE_KEY, FIXED_PUBLIC_KEY

    author = Account.objects.filter(username=AUTHOR, domain__isnull=True).first()
    if author is None:
        author = account_create_local(username=AUTHOR, email=f"{AUTHOR}@bench.example",
                                      password="bench bench bench bench", confirmed=True)
    Account.objects.filter(pk=author.pk).update(public_key=FIXED_PUBLIC_KEY, private_key=FIXED_PRIVATE_KEY)
    accounts = []
    for i in range(domains):
        domain = f"d{i}.{DOMAIN_SUFFIX}"
        for k in range(FOLLOWERS_PER_DOMAIN):
            uri = f"https://{domain}/users/f{k}"
            accounts.append(Account(
                username=f"f{k}", domain=domain, uri=uri, url=uri, inbox_url=f"{uri}/inbox",
                shared_inbox_url="", public_key=FIXED_PUBLIC_KEY,
            ))
    Account.objects.bulk_create(accounts, ignore_conflicts=True)
    followers = Account.objects.filter(domain__endswith=DOMAIN_SUFFIX)
    Follow.objects.bulk_create([Follow(account_id=pk, target_account=author)
                                for pk in followers.values_list("pk", flat=True)], ignore_conflicts=True)
    return author


def point_inboxes(domains: int, *, sink: str, dead_base: str, bad: set[int]) -> None:
    """Each domain's followers share one inbox on the sink (or a dead port, or the slow path)."""
    from django.db.models import Case, CharField, Value, When

    from accounts.models import Account

    whens = [
        When(domain=f"d{i}.{DOMAIN_SUFFIX}",
             then=Value(inbox_for(i, sink=sink, dead_base=dead_base, bad=bad)))
        for i in range(domains)
    ]
    Account.objects.filter(domain__endswith=DOMAIN_SUFFIX).update(
        shared_inbox_url=Case(*whens, output_field=CharField()),
    )


def cleanup() -> None:
    from federation.models import Delivery, Instance
    from statuses.models import Status

    Delivery.objects.filter(inbox_url__contains="/d").filter(inbox_url__startswith="http://127.0.0.1").delete()
    Instance.objects.filter(domain__startswith="127.0.0.1").delete()
    Status.objects.filter(account__username=AUTHOR, account__domain__isnull=True).delete()


def deliver_once(author, sink: SinkProcess, good_paths: set[str], max_seconds: float) -> dict:
    """Post once; wait until every good inbox got its POST (or max_seconds)."""
    from statuses.services import status_create

    sink.reset()
    started = time.time()
    status_create(author=author, text="A post for a thousand servers")
    while True:
        stats = sink.stats()
        got = good_paths & set(stats)
        if len(got) == len(good_paths) or time.time() - started > max_seconds:
            break
        time.sleep(0.1)
    time.sleep(0.5)  # duplicates, if any, would come now
    stats = sink.stats()
    good = {p: v for p, v in stats.items() if p in good_paths}
    times = [v[1] for v in good.values()]
    last_good = max(times) - started if times else None
    first = min(times) - started if times else None
    return {
        "good_inboxes": len(good_paths), "good_delivered": len(good),
        "posts_at_sink": sum(v[0] for v in stats.values()),
        "duplicates": sum(v[0] - 1 for v in stats.values() if v[0] > 1),
        "unsigned": sum(v[0] - v[2] for v in stats.values()),
        "slow_answered": sum(1 for p in stats if p.endswith("/slow-inbox")),
        "first_post_s": round(first, 3) if first is not None else None,
        "last_good_s": round(last_good, 3) if last_good is not None else None,
        "signed_per_s": round(len(good) / last_good, 1) if last_good else None,
        "signed_per_s_from_first": round((len(good) - 1) / (last_good - first), 1)
        if last_good and last_good > first else None,
    }


def floor(sink: SinkProcess, paths: list[str], threads: int, body: bytes) -> dict:
    """Unsigned POSTs with requests (one session per thread), as many threads as the workers."""
    import requests

    local = threading.local()

    def post(path: str) -> int:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        return session.post(sink.base + path, data=body, timeout=10,
                            headers={"Content-Type": "application/activity+json"}).status_code

    sink.reset()
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        codes = list(pool.map(post, paths))
    elapsed = time.perf_counter() - started
    return {"posts": len(paths), "ok": sum(c == 202 for c in codes), "seconds": round(elapsed, 3),
            "per_s": round(len(paths) / elapsed, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--domains", type=int, default=1000)
    parser.add_argument("--processes", type=int, default=2, help="dramatiq processes on `deliveries`")
    parser.add_argument("--threads", type=int, default=8, help="threads per dramatiq process")
    parser.add_argument("--bad-share", type=float, default=0.10)
    parser.add_argument("--max-seconds", type=float, default=120)
    parser.add_argument("--serve-sink", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve_sink:
        serve_sink(options.serve_sink)
        return
    os.environ["ALLOW_PRIVATE_ADDRESSES"] = "true"  # the workers POST to loopback
    common.setup(tasks_inline=False)
    with SinkProcess() as sink:
        # Nothing listens on the dead port. Deliveries are enqueued in inbox URL order, so the
        # slow inboxes (a path of their domain) come interleaved with the good ones, and the
        # dead ones (another port) all come first: the worst case for head-of-line blocking.
        dead_base = f"http://127.0.0.1:{unused_port_before(sink.port)}"
        common.log(f"preparing {options.domains} domains × {FOLLOWERS_PER_DOMAIN} followers")
        author = prepare(options.domains)
        cleanup()
        step = round(1 / options.bad_share) if options.bad_share else 0
        bad = {i for i in range(options.domains) if step and i % step == step - 1}
        body = json.dumps({"@context": "https://www.w3.org/ns/activitystreams", "type": "Create",
                           "id": "https://example/x",
                           "object": {"type": "Note", "content": "x" * 600}}).encode()
        all_paths = [f"/d{i}/inbox" for i in range(options.domains)]
        floor(sink, all_paths[:100], options.processes * options.threads, body)  # warm-up
        floor_result = floor(sink, all_paths, options.processes * options.threads, body)
        common.log(f"floor {floor_result}")
        runs = {}
        with servers.dramatiq_workers(queues=["deliveries"], processes=options.processes,
                                      threads=options.threads):
            # Warm-up (imports, connections, first queries in each worker), not reported.
            point_inboxes(options.domains, sink=sink.base, dead_base=dead_base, bad=set())
            common.log(f"warm-up: {deliver_once(author, sink, set(all_paths), options.max_seconds)}")
            cleanup()
            for name, bad_set in (("all healthy", set()), (f"{len(bad)} bad (dead or slow)", bad)):
                point_inboxes(options.domains, sink=sink.base, dead_base=dead_base, bad=bad_set)
                good_paths = {f"/d{i}/inbox" for i in range(options.domains) if i not in bad_set}
                runs[name] = deliver_once(author, sink, good_paths, options.max_seconds)
                common.log(f"{name}: {runs[name]}")
                cleanup()

    rows = [["floor: unsigned POSTs with requests", floor_result["posts"], None, floor_result["per_s"], None,
             None, 1.0]]
    for name, r in runs.items():
        rows.append([f"post → {options.domains:,} domains, {name}", r["good_delivered"], r["duplicates"],
                     r["signed_per_s"], r["first_post_s"], r["last_good_s"],
                     common.ratio(r["signed_per_s"], floor_result["per_s"])])
    print(f"\n$ {common.command_line()}")
    common.print_table(
        f"Delivery: one post, {FOLLOWERS_PER_DOMAIN} followers on each of {options.domains:,} domains "
        f"(one shared inbox each), dramatiq `deliveries` {options.processes}×{options.threads}; "
        "signed/s counts from the post to the last good delivery",
        ["what", "good POSTs", "duplicates", "per second", "first POST s", "last good s", "x floor"], rows,
    )
    names = list(runs)
    healthy, with_bad = runs[names[0]], runs[names[1]]
    slowdown = common.ratio(with_bad["last_good_s"], healthy["last_good_s"])
    exactly_one = all(r["duplicates"] == 0 and r["good_delivered"] == r["good_inboxes"]
                      for r in runs.values())
    print(f"\nExactly one POST per shared inbox: {'yes' if exactly_one else 'NO'} "
          f"(sink counted {healthy['posts_at_sink']:,} and {with_bad['posts_at_sink']:,} POSTs; "
          f"unsigned: {healthy['unsigned'] + with_bad['unsigned']}).")
    print(f"Time to the last good delivery: {healthy['last_good_s']} s all healthy, "
          f"{with_bad['last_good_s']} s with {len(bad)} bad servers (x{slowdown}).")
    common.write_results("delivery", {
        "options": {k: v for k, v in vars(options).items() if k != "serve_sink"},
        "floor": floor_result, "runs": runs, "slowdown_with_bad": slowdown, "exactly_one_post": exactly_one,
        "rows": [dict(zip(["what", "good_posts", "duplicates", "per_s", "first_post_s", "last_good_s",
                           "x_floor"], r, strict=True)) for r in rows],
    })


if __name__ == "__main__":
    main()
