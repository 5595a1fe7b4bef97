"""Web worker memory over a long run (issue 6: "under 100 MB per web worker", RSS after warm-up
and after 10,000 requests): gunicorn as in production (2 workers × 4 threads, gthread,
preloaded) on the seeded instance, a closed-loop mix of logged-in and anonymous page views
until every worker has served `--requests` requests; RSS and PSS of each worker after
warm-up and after every round, so growth and where it levels off both show.

The mix, per 100 requests (`WEIGHTS`): half pages people read, logged in (web home, API home
timeline of 20, web and API notifications) or not (profile, status page); a third what other
servers fetch (actor and note documents as ActivityPub JSON, WebFinger); the rest the API's
instance document and the stylesheet (whitenoise serves static files from the web workers).
The cheaper half lets 20,000 requests run in minutes on a small machine. Reads only: the
seed is left as it was; the sessions, tokens and application the clients use are
deleted at the end. Requests per worker are counted in gunicorn's access log (its pid
column), so "10,000 per worker" is what each worker served, not an average.

    .venv/bin/python -m bench.memory [--requests 10000] [--round 2000] [--clients 8]
        [--workers 2] [--threads 4]
"""

import argparse
import itertools
import os
import random
import time
from collections import Counter

from bench import common, load, servers
from bench.pages_http import _targets, logged_in
from bench.seed import arguments, feeds_ensure, prepare

WEIGHTS = {
    "web home": 10,
    "API home timeline": 10,
    "web notifications": 5,
    "API notifications": 5,
    "anonymous profile": 10,
    "anonymous status page": 10,
    "actor document": 10,
    "note document": 10,
    "WebFinger": 10,
    "API instance": 5,
    "stylesheet": 5,
}
ACTIVITY_JSON = {"Accept": "application/activity+json"}


def served_by_worker(log_path) -> Counter:
    """Requests each worker answered so far: the access log's first column is `<pid>`."""
    counts = Counter()
    with open(log_path) as log:
        for line in log:
            if line.startswith("<"):
                counts[int(line[1:line.index(">")])] += 1
    return counts


def snapshot(workers: list[int], counts: Counter) -> dict:
    readings = {}
    for pid in workers:
        pss = servers.pss_mb(pid)
        readings[pid] = {"requests": counts[pid], "rss_mb": round(servers.rss_mb(pid), 1),
                         "pss_mb": None if pss is None else round(pss, 1)}
    return readings


def main() -> None:
    parser = arguments(argparse.ArgumentParser(description=__doc__.split("\n\n")[0]))
    parser.add_argument("--requests", type=int, default=10_000, help="requests each worker must serve")
    parser.add_argument("--round", type=int, default=2_000, help="requests between two memory readings")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (gthread)")
    parser.add_argument("--viewers", type=int, default=50, help="logged-in accounts the clients act as")
    parser.add_argument("--max-minutes", type=float, default=90, help="stop then, short or not")
    options = parser.parse_args()
    prepare(options)
    feeds_ensure()
    from django.conf import settings
    from django.templatetags.static import static

    viewers, profiles, statuses, _page5 = _targets(options.viewers)
    kinds, weights = list(WEIGHTS), list(WEIGHTS.values())

    with logged_in(viewers) as (cookies, tokens):
        def build(kind: str, rng: random.Random) -> load.Request:
            viewer = rng.choice(viewers)
            web = {"Cookie": cookies[viewer.pk]}
            api = {"Authorization": f"Bearer {tokens[viewer.pk]}"}
            if kind == "web home":
                return load.Request("/home", headers=web)
            if kind == "API home timeline":
                return load.Request("/api/v1/timelines/home?limit=20", headers=api)
            if kind == "web notifications":
                return load.Request("/notifications", headers=web)
            if kind == "API notifications":
                return load.Request("/api/v1/notifications?limit=20", headers=api)
            if kind == "anonymous profile":
                return load.Request(f"/@{rng.choice(profiles).username}")
            if kind == "actor document":
                return load.Request(f"/users/{rng.choice(profiles).username}", headers=ACTIVITY_JSON)
            if kind == "WebFinger":
                resource = f"acct:{rng.choice(profiles).username}@{settings.LOCAL_DOMAIN}"
                return load.Request(f"/.well-known/webfinger?resource={resource}")
            if kind == "API instance":
                return load.Request("/api/v2/instance")
            if kind == "stylesheet":
                return load.Request(static("css/pouet.css"))
            status = rng.choice(statuses)
            if kind == "note document":
                path = f"/users/{status.account.username}/statuses/{status.id}"
                return load.Request(path, headers=ACTIVITY_JSON)
            return load.Request(f"/@{status.account.username}/{status.id}")

        draws = itertools.count()  # one seed per request across rounds: no round repeats another

        def mixed(_client: int, _seq: int) -> load.Request:
            rng = random.Random(next(draws))
            return build(rng.choices(kinds, weights)[0], rng)

        rounds, statuses_seen = [], Counter()
        with servers.gunicorn(workers=options.workers, threads=options.threads) as (base, process):
            workers = servers.children(process.pid)
            log_path = servers.log_path("gunicorn")
            # Warm-up: each kind for every viewer once, so each worker has run all the code.
            started = time.perf_counter()
            for kind in kinds:
                def one_kind(_client, _seq, kind=kind):
                    return build(kind, random.Random(next(draws)))
                result = load.run(base, one_kind, concurrency=options.workers * 2, total=len(viewers))
                statuses_seen.update(result.statuses)
            warm = snapshot(workers, served_by_worker(log_path))
            common.log(f"after warm-up: {warm}")
            deadline = started + options.max_minutes * 60
            while time.perf_counter() < deadline:
                result = load.run(base, mixed, concurrency=options.clients, total=options.round,
                                  max_seconds=max(1, deadline - time.perf_counter()))
                statuses_seen.update(result.statuses)
                summary = result.summary()
                reading = snapshot(workers, served_by_worker(log_path))
                rounds.append({"elapsed_s": round(time.perf_counter() - started), "rps": summary["rps"],
                               "p50_ms": summary.get("p50_ms"), "p99_ms": summary.get("p99_ms"),
                               "workers": reading, "load_average": [round(x, 1) for x in os.getloadavg()]})
                common.log(f"round {len(rounds)}: {summary['rps']} rps, " + ", ".join(
                    f"{pid}: {r['requests']:,} req {r['rss_mb']} MB RSS {r['pss_mb']} MB PSS"
                    for pid, r in reading.items()))
                if min(r["requests"] for r in reading.values()) >= options.requests:
                    break
            master_mb = round(servers.rss_mb(process.pid), 1)

    final = rounds[-1]["workers"] if rounds else warm
    reached = min(r["requests"] for r in final.values()) >= options.requests
    print(f"\n$ {common.command_line()}")
    print(f"mix per 100 requests: {', '.join(f'{k} {v}' for k, v in WEIGHTS.items())}; "
          f"{options.clients} clients; status codes {dict(sorted(statuses_seen.items(), key=str))}")
    common.print_table(
        f"Web worker memory: gunicorn {options.workers} workers × {options.threads} threads (preloaded); "
        f"master {master_mb} MB RSS"
        + ("" if reached else f"; STOPPED SHORT of {options.requests:,} requests per worker"),
        ["worker pid", "requests", "RSS warm MB", "PSS warm MB", "RSS end MB", "PSS end MB"],
        [[str(pid), final[pid]["requests"], warm[pid]["rss_mb"], warm[pid]["pss_mb"],
          final[pid]["rss_mb"], final[pid]["pss_mb"]] for pid in workers],
    )
    common.print_table(
        "RSS per worker (MB) after each round",
        ["elapsed s", "req/s", "p99 ms", "load avg", *(f"{pid} req / RSS" for pid in workers)],
        [[r["elapsed_s"], r["rps"], r["p99_ms"], r["load_average"],
          *(f"{r['workers'][pid]['requests']:,} / {r['workers'][pid]['rss_mb']}" for pid in workers)]
         for r in rounds],
    )
    common.write_results("memory", {
        "options": vars(options), "weights": WEIGHTS,
        "statuses": {str(k): v for k, v in statuses_seen.items()},
        "reached": reached, "master_mb": master_mb,
        "after_warmup": {str(pid): v for pid, v in warm.items()},
        "at_end": {str(pid): v for pid, v in final.items()},
        "rounds": [{**r, "workers": {str(pid): v for pid, v in r["workers"].items()}} for r in rounds],
    })


if __name__ == "__main__":
    main()
