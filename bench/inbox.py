"""Inbox ingestion (issue 6, benchmark 4): activities from many remote actors, signed in
advance (draft-cavage, the fixed test key, so no key is ever fetched: each remote Account row
already holds the public key), POSTed concurrently to POST /inbox under gunicorn.

Phases, all in one run:
1. floor: a bare view on the same gunicorn that reads the body, parses the JSON and inserts
   one InboxActivity row (already done, so nothing processes it);
2. accepted: the same number of signed activities (70% Create Note, 30% Like of a local
   status) with no task worker running: 202s per second (signature verified, stored, enqueued);
3. processed: then dramatiq workers on the `ingress` queue drain that backlog: rows done per
   second (notes stored as statuses, favourites recorded; fan-out is left on its queue);
4. sustained: 200 activities per second for 20 seconds, open loop, with the ingress workers
   running: the backlog (rows still pending) when sending stops, and the time to drain it.

    .venv/bin/python -m bench.inbox [--count 2000] [--concurrency 16] [--rate 200] [--seconds 20]

`--profile N` instead profiles the accept path in process (Django's test client, no HTTP):
each SQL statement of one POST with its time, then cProfile's top functions over N POSTs.
"""

import argparse
import json
import random
import subprocess
import time
import uuid

from bench import common, load, servers

DOMAIN_SUFFIX = "inbox.bench.example"
LOCAL_USERNAME = "inbox_local"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


# --- the gunicorn application: production URLs plus the floor view ------------------------


def floor_inbox(request):
    """The least an inbox can do: read the body, parse it, insert one row, answer 202."""
    from django.http import HttpResponse

    from federation.models import InboxActivity

    payload = json.loads(request.body)
    InboxActivity.objects.create(
        activity_id=payload["id"], type=payload["type"][:64], payload=payload,
        state=InboxActivity.State.DONE,
    )
    return HttpResponse(status=202)


def __getattr__(name):
    # `gunicorn bench.inbox:application`: bench.wsgi with the floor route put in front of the
    # benchmark URLs before the first request resolves anything (bench/urls.py is shared).
    if name != "application":
        raise AttributeError(name)
    from bench.wsgi import application  # noqa: I001 - first: it sets Django up

    from django.urls import path
    from django.views.decorators.csrf import csrf_exempt

    from bench import urls

    if not any(getattr(p, "name", None) == "bench_inbox_floor" for p in urls.urlpatterns):
        route = path("_bench/inbox_floor", csrf_exempt(floor_inbox), name="bench_inbox_floor")
        urls.urlpatterns.insert(0, route)
    return application


class Gunicorn:
    """servers.gunicorn, serving bench.inbox:application (the same flags)."""

    def __init__(self, workers: int, threads: int):
        self.workers = workers
        self.threads = threads

    def __enter__(self):
        port = servers.free_port()
        self.log = servers.log_path("gunicorn-inbox").open("w")
        self.process = subprocess.Popen(
            [
                servers.PYTHON, "-m", "gunicorn", "bench.inbox:application", "--bind", f"127.0.0.1:{port}",
                "--workers", str(self.workers), "--threads", str(self.threads), "--access-logfile", "-",
                "--access-logformat", "%(s)s %(m)s %(U)s %(M)sms", "--log-level", "warning",
                "--timeout", "120", "--backlog", "2048",
            ],
            cwd=common.ROOT, env=common.bench_environ(tasks_inline=False),
            stdout=self.log, stderr=subprocess.STDOUT,
        )
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log.name}")
            try:
                status, _b, _h = load.send(self.base, load.Request("/_bench/floor"), timeout=5)
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer in 60 s")
            time.sleep(0.3)
        common.log(f"gunicorn pid {self.process.pid}, {self.workers}×{self.threads} at {self.base}")
        return self

    def __exit__(self, *exc):
        servers._stop(self.process)
        self.log.close()


# --- data ---------------------------------------------------------------------------------


def prepare(actors: int) -> dict:
    """One local account with 20 statuses, following `actors` remote accounts spread over
    100 domains (so their notes are relevant here); remote keys are the fixed test key."""
    from accounts.models import Account, Follow
    from accounts.services import account_create_local
    from federation.activitypub.common import local_base
    from federation.models import InboxActivity
    from statuses.models import Status
    from statuses.services import status_create
    from tests.factories import FIXED_PRIVATE_KEY, FIXED_PUBLIC_KEY

    local = Account.objects.filter(username=LOCAL_USERNAME, domain__isnull=True).first()
    if local is None:
        local = account_create_local(username=LOCAL_USERNAME, email=f"{LOCAL_USERNAME}@bench.example",
                                     password="bench bench bench bench", confirmed=True)
    Account.objects.filter(pk=local.pk).update(public_key=FIXED_PUBLIC_KEY, private_key=FIXED_PRIVATE_KEY)
    while Status.objects.filter(account=local).count() < 20:
        status_create(author=local, text="A local status for remote likes")
    statuses = [f"{local_base()}/users/{LOCAL_USERNAME}/statuses/{pk}"
                for pk in Status.objects.filter(account=local).values_list("pk", flat=True)[:20]]

    remote = []
    for i in range(actors):
        domain = f"r{i % 100}.{DOMAIN_SUFFIX}"
        uri = f"https://{domain}/users/a{i}"
        remote.append(Account(
            username=f"a{i}", domain=domain, uri=uri, url=f"https://{domain}/@a{i}",
            inbox_url=f"{uri}/inbox", shared_inbox_url=f"https://{domain}/inbox",
            public_key=FIXED_PUBLIC_KEY,
        ))
    Account.objects.bulk_create(remote, ignore_conflicts=True)
    ids = dict(Account.objects.filter(domain__endswith=DOMAIN_SUFFIX).values_list("uri", "pk"))
    Follow.objects.bulk_create([Follow(account=local, target_account_id=pk) for pk in ids.values()],
                               ignore_conflicts=True)
    # What earlier runs received.
    Status.objects.filter(account__domain__endswith=DOMAIN_SUFFIX).delete()
    InboxActivity.objects.filter(activity_id__contains=DOMAIN_SUFFIX).delete()
    return {"actors": sorted(ids)[:actors], "statuses": statuses, "private_key": FIXED_PRIVATE_KEY}


def activity(data: dict, n: int, run: str) -> dict:
    actor = data["actors"][n % len(data["actors"])]
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    if n % 10 < 7:
        note_id = f"{actor}/statuses/{run}-{n}"
        return {
            "@context": "https://www.w3.org/ns/activitystreams", "id": f"{note_id}/activity",
            "type": "Create", "actor": actor, "published": now, "to": [PUBLIC], "cc": [f"{actor}/followers"],
            "object": {
                "id": note_id, "type": "Note", "attributedTo": actor, "published": now, "url": note_id,
                "to": [PUBLIC], "cc": [f"{actor}/followers"],
                "content": f"<p>Benchmark note {n} from far away, with a few words of text.</p>",
            },
        }
    return {
        "@context": "https://www.w3.org/ns/activitystreams", "id": f"{actor}#likes/{run}-{n}",
        "type": "Like", "actor": actor, "object": random.Random(n).choice(data["statuses"]),
    }


def signed(base: str, data: dict, activities: list[dict], path: str = "/inbox") -> list[load.Request]:
    from federation.signatures import sign_request

    requests = []
    for item in activities:
        body = json.dumps(item).encode()
        headers = sign_request(
            method="POST", url=base + path, headers={"Content-Type": "application/activity+json"},
            body=body, key_id=f"{item['actor']}#main-key", private_key_pem=data["private_key"],
        )
        requests.append(load.Request(path, method="POST", body=body, headers=headers))
    return requests


def feeder(requests: list[load.Request]):
    """next_request for load.run: each request of the list once, in order."""
    remaining = iter(requests)
    return lambda _client, _sequence: next(remaining)


def states(run: str) -> dict:
    from django.db.models import Count

    from federation.models import InboxActivity

    rows = InboxActivity.objects.filter(activity_id__contains=f"/{run}-").exclude(type="floor")
    return dict(rows.values_list("state").annotate(n=Count("id")))


def wait_processed(run: str, total: int, max_seconds: float) -> dict:
    """Poll until no row of this run is pending or processing."""
    started = time.perf_counter()
    first = None
    while True:
        counts = states(run)
        left = counts.get("pending", 0) + counts.get("processing", 0)
        finished = sum(counts.values()) - left
        now = time.perf_counter()
        if first is None and finished:
            first = (now, finished)
        if not left or now - started > max_seconds:
            break
        time.sleep(0.2)
    elapsed = now - started
    rate = None
    if first and now > first[0]:
        rate = round((finished - first[1]) / (now - first[0]), 1)
    return {"finished": finished, "left": left, "seconds": round(elapsed, 2), "per_s": rate, "states": counts}


def profile(data: dict, count: int) -> None:
    """The accept path under cProfile, through the test client (bench.profile_page style)."""
    import cProfile
    import io
    import pstats

    from django.db import connection
    from django.test import Client

    client = Client()
    run = uuid.uuid4().hex[:8]
    base = "http://testserver"
    requests = signed(base, data, [activity(data, n, run) for n in range(count + 4)])

    def post(request):
        headers = {k: v for k, v in request.headers.items() if k != "Content-Type"}
        response = client.generic("POST", request.path, request.body,
                                  content_type="application/activity+json", headers=headers)
        assert response.status_code == 202, (response.status_code, response.content)

    for request in requests[:3]:
        post(request)
    queries = []

    def record(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((time.perf_counter() - started, sql))

    with connection.execute_wrapper(record):
        started = time.perf_counter()
        post(requests[3])
        elapsed = time.perf_counter() - started
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for request in requests[4:]:
        post(request)
    profiler.disable()
    per_post = (time.perf_counter() - started) / count
    print(f"$ {common.command_line()}\n")
    print(f"one POST: {elapsed * 1000:.2f} ms, {len(queries)} SQL statements, "
          f"{sum(t for t, _sql in queries) * 1000:.2f} ms waiting for SQL; "
          f"{per_post * 1000:.2f} ms per POST over {count} under cProfile")
    for seconds, sql in queries:
        print(f"  {seconds * 1000:7.2f} ms  {sql[:160]}")
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(40)
        print(out.getvalue())
    from federation.models import InboxActivity

    InboxActivity.objects.filter(activity_id__contains=f"/{run}-").delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000, help="activities in the burst")
    parser.add_argument("--actors", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--web-workers", type=int, default=2)
    # gthread: an inbox request mostly waits on PostgreSQL and Redis, so a worker serves
    # several at once (the README's production layout runs gunicorn the same way).
    parser.add_argument("--web-threads", type=int, default=4)
    # As the README's production layout runs the `ingress` queue.
    parser.add_argument("--ingress-processes", type=int, default=2)
    parser.add_argument("--ingress-threads", type=int, default=8)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--profile", type=int, metavar="N", help="profile N POSTs in process, then stop")
    options = parser.parse_args()
    common.setup(tasks_inline=not options.profile)
    common.log("preparing accounts")
    data = prepare(options.actors)
    if options.profile:
        return profile(data, options.profile)
    rows, results = [], {}
    with Gunicorn(options.web_workers, options.web_threads) as server:
        base = server.base
        run = uuid.uuid4().hex[:8]
        floor_items = [{**activity(data, n, f"fl{run}"), "type": "floor"} for n in range(options.count)]
        floor_requests = [load.Request("/_bench/inbox_floor", method="POST", body=json.dumps(a).encode(),
                                       headers={"Content-Type": "application/activity+json"})
                          for a in floor_items]
        common.log(f"signing {options.count} activities")
        burst = signed(base, data, [activity(data, n, run) for n in range(options.count)])
        for warm in range(20):  # connections, imports, first queries
            load.send(base, floor_requests[warm])
        floor = load.run(base, feeder(floor_requests[20:]),
                         concurrency=options.concurrency, total=options.count - 20).summary()
        common.log(f"floor {floor['rps']}/s")
        accepted = load.run(base, feeder(burst),
                            concurrency=options.concurrency, total=options.count).summary()
        accepted_per_s = round(accepted["statuses"].get("202", 0) / accepted["seconds"], 1)
        common.log(f"accepted {accepted_per_s}/s {accepted['statuses']}")
        with servers.dramatiq_workers(queues=["ingress"], processes=options.ingress_processes,
                                      threads=options.ingress_threads):
            processed = wait_processed(run, options.count, max_seconds=300)
            common.log(f"processed {processed}")
            run2 = uuid.uuid4().hex[:8]
            total = int(options.rate * options.seconds)
            common.log(f"signing {total} activities for {options.rate:g}/s × {options.seconds:g} s")
            sustained_requests = signed(base, data, [activity(data, n, run2) for n in range(total)])
            sustained = load.paced(base, lambda i: sustained_requests[i], rate=options.rate, count=total,
                                   concurrency=64).summary()
            at_end = states(run2)
            backlog = at_end.get("pending", 0) + at_end.get("processing", 0)
            drain = wait_processed(run2, total, max_seconds=300)
            common.log(f"sustained: backlog {backlog}, drained in {drain['seconds']} s")

    rows.append(["floor: read body, parse, insert one row", floor["requests"], floor["rps"], None,
                 floor.get("p50_ms"), floor.get("p99_ms"), 1.0])
    rows.append(["POST /inbox, signed (accepted = 202)", accepted["requests"], accepted_per_s,
                 accepted["errors"], accepted.get("p50_ms"), accepted.get("p99_ms"),
                 common.ratio(accepted_per_s, floor["rps"])])
    rows.append(["ingress workers: backlog processed", processed["finished"], processed["per_s"],
                 processed["states"].get("failed", 0), None, None,
                 common.ratio(processed["per_s"], floor["rps"])])
    sustained_accepted = sustained["statuses"].get("202", 0)
    rows.append([f"sustained {options.rate:g}/s × {options.seconds:g} s (accepted)", sustained["requests"],
                 round(sustained_accepted / sustained["seconds"], 1), sustained["errors"],
                 sustained.get("p50_ms"), sustained.get("p99_ms"), None])
    print(f"\n$ {common.command_line()}")
    common.print_table(
        f"Inbox ingestion: {options.count:,} activities (70% Create Note, 30% Like) from "
        f"{len(data['actors'])} actors on 100 domains; gunicorn {options.web_workers}×{options.web_threads}, "
        f"{options.concurrency} clients; ingress {options.ingress_processes}×{options.ingress_threads}",
        ["what", "n", "per second", "errors/failed", "p50 ms", "p99 ms", "x floor"], rows,
    )
    print(f"\nSustained {options.rate:g}/s for {options.seconds:g} s: {sustained_accepted:,} accepted; "
          f"backlog when sending stopped: {backlog:,} rows pending; drained {drain['seconds']} s later "
          f"({drain['finished']:,} finished, {drain['left']:,} left, states {drain['states']}).")
    sustained_rate = sustained_accepted / sustained["seconds"]
    if sustained_rate < 0.95 * options.rate:
        print(f"Acceptance does NOT keep up at {options.rate:g}/s offered: {sustained_rate:.1f}/s accepted, "
              f"queueing in front of gunicorn (p50 {sustained.get('p50_ms')} ms from the due time); "
              "the row backlog above only says whether processing kept up with what was accepted.")
    print("Processing keeps up with acceptance" if backlog <= options.rate * 2
          else "Processing does NOT keep up with acceptance",
          f"(backlog ≤ 2 s of arrivals counts as keeping up; here {backlog / options.rate:.1f} s)")
    results = {
        "options": vars(options), "floor": floor, "accepted": {**accepted, "accepted_per_s": accepted_per_s},
        "processed": processed, "sustained": {**sustained, "backlog_at_end": backlog, "drain": drain},
        "rows": [dict(zip(["what", "n", "per_s", "errors", "p50_ms", "p99_ms", "x_floor"], r, strict=True))
                 for r in rows],
        "accepted_per_s": accepted_per_s, "x_floor_accepted": common.ratio(accepted_per_s, floor["rps"]),
        "processed_per_s": processed["per_s"], "sustained_backlog": backlog,
        "sustained_accepted_per_s": round(sustained_rate, 1),
    }
    _cleanup(run, run2)
    common.write_results("inbox", results)


def _cleanup(*runs: str) -> None:
    """Remove what the run received (its notes, likes and inbox rows), so the seeded dataset
    stays the one the other benchmarks expect."""
    from federation.models import InboxActivity
    from statuses.models import Favourite, Status

    for run in runs:
        InboxActivity.objects.filter(activity_id__contains=f"/fl{run}-").delete()
        InboxActivity.objects.filter(activity_id__contains=f"/{run}-").delete()
        Status.objects.filter(uri__contains=f"/statuses/{run}-").delete()
        Favourite.objects.filter(uri__contains=f"#likes/{run}-").delete()


if __name__ == "__main__":
    main()
