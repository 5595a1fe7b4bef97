"""The mixed load test (issue 6): gunicorn web workers and dramatiq workers on every queue,
as in production, on the seeded PostgreSQL + Redis instance, under a realistic mix for
5 minutes (configurable): logged-in reads of the home, notifications, profile and status
pages and of the API timelines, posts, favourites and follows (each undone by the next
turn), sign-ups through the web form, and signed activities POSTed to the shared inbox
(bench.inbox's pre-signing). Closed loop: each client sends its next request as soon as the
previous one is answered, the kind drawn at random by weight.

Reported per kind: count, p50/p99, 4xx and 5xx (the target is zero 5xx); the backlog left in
each task queue when the load stops and the time the workers take to drain it; RSS of every
web worker and every task worker after warm-up and at the end.

    .venv/bin/python -m bench.loadtest [--minutes 5] [--clients 12] [--workers 2] [--threads 4]
"""

import argparse
import random
import threading
import time
import uuid
from collections import Counter, defaultdict
from http.client import HTTPException
from urllib.parse import urlencode

from bench import common, inbox, load, servers
from bench.pages_http import _sessions
from bench.seed import arguments, feeds_ensure, prepare, registrations_open
from bench.signup import Form

SIGNUP_PREFIX = "lt_"
QUEUES = ("deliveries", "ingress", "fanout", "media", "mail", "default")
# Requests per 100, by kind: mostly reads, as on a real server.
WEIGHTS = {
    "web home": 18,
    "web notifications": 7,
    "web profile": 7,
    "web status page": 7,
    "API home timeline": 18,
    "API notifications": 6,
    "API post": 6,
    "API favourite/unfavourite": 8,
    "API follow/unfollow": 4,
    "web sign-up": 3,
    "inbox (signed)": 16,
}


def _tokens(viewers) -> dict[int, str]:
    """A read+write+follow OAuth token per viewer, as a client app would hold."""
    from datetime import timedelta

    from django.utils import timezone
    from oauth2_provider.models import AccessToken
    from oauthlib.common import generate_token

    from accounts.api.apps import app_create

    application, _secret = app_create(
        name="loadtest", redirect_uris=["urn:ietf:wg:oauth:2.0:oob"], scopes=["read", "write", "follow"],
    )
    return {
        viewer.pk: AccessToken.objects.create(
            user=viewer.user, application=application, token=generate_token(),
            scope="read write follow", expires=timezone.now() + timedelta(days=1),
        ).token
        for viewer in viewers
    }


def _targets(count: int):
    """Viewers, profiles to visit and follow, public statuses to read and favourite."""
    from accounts.models import Account
    from statuses.models import Status, Visibility

    rng = random.Random(11)
    population = list(Account.objects.local().filter(username__startswith="u").select_related("user"))
    viewers = rng.sample(population, min(count, len(population)))
    profiles = rng.sample(population, min(200, len(population)))
    statuses = list(
        Status.objects.filter(visibility=Visibility.PUBLIC, reblog__isnull=True, account__in=profiles)
        .select_related("account").order_by("-id")[:2000]
    )
    return viewers, profiles, rng.sample(statuses, min(500, len(statuses)))


def _cleanup(run: str) -> None:
    """Undo what the run left: sign-ups, posts, and the inbox's received notes and rows."""
    from accounts.models import User
    from federation.models import InboxActivity
    from statuses.models import Status

    User.objects.filter(username__startswith=SIGNUP_PREFIX).delete()
    Status.objects.filter(text__startswith=f"loadtest {run}").delete()
    Status.objects.filter(account__domain__endswith=inbox.DOMAIN_SUFFIX).delete()
    InboxActivity.objects.filter(activity_id__contains=f"/lt{run}-").delete()


def _queue_lengths(client) -> dict[str, int]:
    """Messages waiting in each dramatiq queue (its Redis list, plus delayed messages)."""
    return {queue: client.llen(f"dramatiq:{queue}") + client.llen(f"dramatiq:{queue}.DQ") for queue in QUEUES}


def _descendants(pid: int) -> list[int]:
    found, frontier = [], [pid]
    while frontier:
        children = servers.children(frontier.pop())
        found.extend(children)
        frontier.extend(children)
    return found


def _task_worker_rss(groups: dict) -> dict[str, list[float]]:
    """RSS (MB) of each dramatiq worker process, by queue (the group's leaf processes)."""
    memory = {}
    for queue, process in groups.items():
        pids = _descendants(process.pid) or [process.pid]
        memory[queue] = [round(servers.rss_mb(pid), 1) for pid in pids]
    return memory


class Mix:
    """Builds each kind's next request; the writes alternate per client (favourite then
    unfavourite the same status, follow then unfollow the same account)."""

    def __init__(self, base, run, viewers, profiles, statuses, cookies, tokens, forms, inbox_data):
        self.base, self.run = base, run
        self.viewers, self.profiles, self.statuses = viewers, profiles, statuses
        self.cookies, self.tokens, self.forms, self.inbox_data = cookies, tokens, forms, inbox_data
        self.toggles: dict[tuple, bool] = defaultdict(bool)
        self.counter = iter(range(10**9))
        self.lock = threading.Lock()

    def _next(self) -> int:
        with self.lock:
            return next(self.counter)

    def _web(self, viewer, path) -> load.Request:
        return load.Request(path, headers={"Cookie": self.cookies[viewer.pk]})

    def _api(self, viewer, path, method="GET", form=None) -> load.Request:
        headers = {"Authorization": f"Bearer {self.tokens[viewer.pk]}"}
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return load.Request(path, method=method, body=body, headers=headers)

    def request(self, kind: str, client: int, rng: random.Random) -> load.Request:
        viewer = self.viewers[(client * 13 + rng.randrange(len(self.viewers))) % len(self.viewers)]
        if kind == "web home":
            return self._web(viewer, "/home")
        if kind == "web notifications":
            return self._web(viewer, "/notifications")
        if kind == "web profile":
            return self._web(viewer, f"/@{rng.choice(self.profiles).username}")
        if kind == "web status page":
            status = rng.choice(self.statuses)
            return self._web(viewer, f"/@{status.account.username}/{status.pk}")
        if kind == "API home timeline":
            return self._api(viewer, "/api/v1/timelines/home?limit=20")
        if kind == "API notifications":
            return self._api(viewer, "/api/v1/notifications?limit=20")
        if kind == "API post":
            return self._api(viewer, "/api/v1/statuses", "POST", {
                "status": f"loadtest {self.run} {self._next()}: a few words from a busy evening",
                "visibility": rng.choice(["public", "public", "unlisted", "private"]),
            })
        if kind == "API favourite/unfavourite":
            key = ("favourite", client)
            status = self.statuses[client % len(self.statuses)]
            done = self.toggles[key]
            self.toggles[key] = not done
            viewer = self.viewers[client % len(self.viewers)]
            action = "unfavourite" if done else "favourite"
            return self._api(viewer, f"/api/v1/statuses/{status.pk}/{action}", "POST", {})
        if kind == "API follow/unfollow":
            key = ("follow", client)
            target = self.profiles[(client * 31 + 7) % len(self.profiles)]
            viewer = self.viewers[client % len(self.viewers)]
            if target.pk == viewer.pk:
                target = self.profiles[(client * 31 + 8) % len(self.profiles)]
            done = self.toggles[key]
            self.toggles[key] = not done
            action = "unfollow" if done else "follow"
            return self._api(viewer, f"/api/v1/accounts/{target.pk}/{action}", "POST", {})
        if kind == "web sign-up":
            return self.forms[client % len(self.forms)].request(f"{SIGNUP_PREFIX}{self.run}_{self._next()}")
        if kind == "inbox (signed)":
            item = inbox.activity(self.inbox_data, self._next(), f"lt{self.run}")
            return inbox.signed(self.base, self.inbox_data, [item])[0]
        raise ValueError(kind)


def drive(base: str, mix: Mix, *, clients: int, seconds: float) -> tuple[dict, float]:
    """Closed loop for `seconds`: latencies and status codes by kind."""
    kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
    latencies: dict[str, list[float]] = defaultdict(list)
    codes: dict[str, Counter] = defaultdict(Counter)
    lock = threading.Lock()
    started = time.perf_counter()
    deadline = started + seconds

    def client(index: int) -> None:
        rng = random.Random(index)
        while time.perf_counter() < deadline:
            kind = rng.choices(kinds, weights)[0]
            # Built (and, for the inbox, signed) before the clock starts.
            request = mix.request(kind, index, rng)
            begin = time.perf_counter()
            try:
                status, _body, _headers = load.send(base, request)
            except (OSError, HTTPException):
                status = "exception"
            elapsed = time.perf_counter() - begin
            with lock:
                latencies[kind].append(elapsed)
                codes[kind][status] += 1

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    rows = {}
    for kind in kinds:
        counted = codes[kind]
        rows[kind] = {
            **common.summarize(latencies[kind]),
            "requests": sum(counted.values()),
            "per_s": round(sum(counted.values()) / elapsed, 2),
            "client_errors": sum(n for c, n in counted.items() if isinstance(c, int) and 400 <= c < 500),
            "server_errors": sum(n for c, n in counted.items() if not isinstance(c, int) or c >= 500),
            "statuses": {str(c): n for c, n in sorted(counted.items(), key=str)},
        }
    return rows, elapsed


def main() -> None:
    parser = arguments(argparse.ArgumentParser(description=__doc__.split("\n\n")[0]))
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--clients", type=int, default=12, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--viewers", type=int, default=100, help="logged-in accounts the clients act as")
    options = parser.parse_args()
    prepare(options, tasks_inline=False)
    feeds_ensure()

    from statuses.feeds import redis_client

    registrations_open()
    run = uuid.uuid4().hex[:6]
    common.log("preparing viewers, tokens and remote actors")
    inbox_data = inbox.prepare(200)
    viewers, profiles, statuses = _targets(options.viewers)
    cookies, tokens = _sessions(viewers), _tokens(viewers)
    broker = redis_client()
    for queue in QUEUES:  # what an earlier, interrupted run left behind
        broker.delete(*(f"dramatiq:{queue}{suffix}" for suffix in ("", ".msgs", ".DQ", ".DQ.msgs")))

    memory: dict = {}
    with servers.dramatiq_workers(queues=["deliveries"], threads=8) as deliveries, \
            servers.dramatiq_workers(queues=["ingress"], threads=4) as ingress, \
            servers.dramatiq_workers(queues=["fanout"], threads=4) as fanout, \
            servers.dramatiq_workers(queues=["media"], threads=1) as media, \
            servers.dramatiq_workers(queues=["mail"], threads=2) as mail, \
            servers.dramatiq_workers(queues=["default"], threads=2) as default, \
            servers.gunicorn(workers=options.workers, threads=options.threads) as (base, process):
        groups = {"deliveries": deliveries, "ingress": ingress, "fanout": fanout, "media": media,
                  "mail": mail, "default": default}
        web_workers = servers.children(process.pid)
        forms = [Form(base) for _ in range(options.clients)]
        mix = Mix(base, run, viewers, profiles, statuses, cookies, tokens, forms, inbox_data)
        common.log("warm-up: 20 s of the same mix")
        drive(base, mix, clients=options.clients, seconds=20)
        memory["web_after_warmup_mb"] = [round(servers.rss_mb(pid), 1) for pid in web_workers]
        memory["tasks_after_warmup_mb"] = _task_worker_rss(groups)
        common.log(f"load: {options.minutes:g} min, {options.clients} clients")
        rows, elapsed = drive(base, mix, clients=options.clients, seconds=options.minutes * 60)
        # Undo the favourites and follows still standing, so the seeded data stays as seeded.
        kinds = {"favourite": "API favourite/unfavourite", "follow": "API follow/unfollow"}
        for (toggle, client), done in list(mix.toggles.items()):
            if done:
                load.send(base, mix.request(kinds[toggle], client, random.Random(client)))
        backlog = _queue_lengths(broker)
        drain_started = time.perf_counter()
        while sum(_queue_lengths(broker).values()) and time.perf_counter() - drain_started < 300:
            time.sleep(0.5)
        drain_seconds = round(time.perf_counter() - drain_started, 1)
        memory["web_at_end_mb"] = [round(servers.rss_mb(pid), 1) for pid in web_workers]
        memory["tasks_at_end_mb"] = _task_worker_rss(groups)
        memory["master_mb"] = round(servers.rss_mb(process.pid), 1)
    _cleanup(run)

    total = sum(r["requests"] for r in rows.values())
    server_errors = sum(r["server_errors"] for r in rows.values())
    print(f"\n$ {common.command_line()}")
    common.print_table(
        f"Mixed load: {options.minutes:g} min, {options.clients} clients, gunicorn {options.workers} workers "
        f"× {options.threads} threads, dramatiq workers on {', '.join(QUEUES)}; {total:,} requests, "
        f"{total / elapsed:.1f}/s",
        ["kind", "requests", "per s", "p50 ms", "p99 ms", "4xx", "5xx"],
        [[kind, r["requests"], r["per_s"], r.get("p50_ms"), r.get("p99_ms"), r["client_errors"],
          r["server_errors"]] for kind, r in rows.items()],
    )
    print(f"\n5xx (and failed connections): {server_errors}")
    print(f"task backlog when the load stopped: {backlog}; drained in {drain_seconds} s")
    print(f"web worker RSS MB: after warm-up {memory['web_after_warmup_mb']}, "
          f"at end {memory['web_at_end_mb']}")
    for queue in QUEUES:
        print(f"task worker RSS MB, {queue}: after warm-up {memory['tasks_after_warmup_mb'][queue]}, "
              f"at end {memory['tasks_at_end_mb'][queue]}")
    common.write_results("loadtest", {
        "options": vars(options), "weights": WEIGHTS, "rows": rows, "requests": total,
        "per_s": round(total / elapsed, 1), "server_errors": server_errors,
        "backlog_at_end": backlog, "drain_seconds": drain_seconds, "memory": memory,
    })


if __name__ == "__main__":
    main()
