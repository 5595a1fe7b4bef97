"""Pages over real HTTP, as in production: gunicorn (2 workers × 4 threads by default) on the seeded
instance, closed-loop clients on loopback (issue 6: home timeline, public pages, memory).

- Home timeline: the web page (20 items) and the API (20 and 40 items), first page and page 5,
  with 1 / 16 / 64 concurrent clients, each client a different logged-in viewer.
- Public pages for anonymous visitors: profile (`/@username`) and status page (`/@username/ID`).
- Memory: RSS and PSS of each web worker after warm-up and after every request of the run.
Every series is set against the floor measured the same way in the same run: the bare view
`/_bench/floor` (one Redis range read, one 20-row query) at the same concurrency.

    .venv/bin/python -m bench.pages_http [--seconds 6] [--clients 1,16,64] [--workers 2] [--threads 4]
"""

import argparse
import json
import random
from contextlib import contextmanager
from datetime import timedelta

from bench import common, load, servers
from bench.seed import arguments, feeds_ensure, prepare


def _sessions(viewers) -> dict[int, str]:
    """A logged-in session cookie per viewer, as the login view would store it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    cookies = {}
    for viewer in viewers:
        session = SessionStore()
        session[SESSION_KEY] = str(viewer.user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = viewer.user.get_session_auth_hash()
        session.create()
        cookies[viewer.pk] = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    return cookies


def _tokens(viewers):
    """An OAuth access token per viewer, as the token endpoint would make it; (the
    application they belong to, {account id: token})."""
    from django.utils import timezone
    from oauth2_provider.models import AccessToken
    from oauthlib.common import generate_token

    from accounts.api.apps import app_create

    application, _secret = app_create(
        name="bench", redirect_uris=["urn:ietf:wg:oauth:2.0:oob"], scopes=["read"], website="",
    )
    tokens = {}
    for viewer in viewers:
        token = AccessToken.objects.create(
            user=viewer.user, application=application, token=generate_token(), scope="read",
            expires=timezone.now() + timedelta(days=1),
        )
        tokens[viewer.pk] = token.token
    return application, tokens


@contextmanager
def logged_in(viewers):
    """Session cookies and API tokens for these viewers, deleted again afterwards: the
    benchmark database is shared, and a run leaves it as it found it."""
    from django.conf import settings
    from django.contrib.sessions.backends.cached_db import SessionStore

    cookies = _sessions(viewers)
    application, tokens = _tokens(viewers)
    try:
        yield cookies, tokens
    finally:
        prefix = f"{settings.SESSION_COOKIE_NAME}="
        for cookie in cookies.values():
            SessionStore(session_key=cookie.removeprefix(prefix)).delete()
        application.delete()  # and its tokens


def _targets(count: int):
    """Seeded viewers, profiles and public statuses the clients cycle through."""
    from django.db.models import Count
    from django.test import override_settings

    from accounts.models import Account
    from statuses.models import Status, Visibility
    from statuses.selectors import timeline_home

    rng = random.Random(5)
    population = list(Account.objects.local().filter(username__startswith="u").select_related("user"))
    viewers = rng.sample(population, min(count, len(population)))
    popular = list(
        Account.objects.local().filter(username__startswith="u")
        .annotate(n=Count("follower_set")).order_by("-n")[: count]
    )
    statuses = list(
        Status.objects.filter(
            visibility=Visibility.PUBLIC, reblog__isnull=True, in_reply_to__isnull=True,
            account__in=popular,
        ).select_related("account").order_by("-id")[: count * 4]
    )
    statuses = rng.sample(statuses, min(count, len(statuses)))
    page5 = {}
    with override_settings(REDIS_URL=common.redis_url()):
        for viewer in viewers:
            max_id = None
            for _ in range(4):
                page = timeline_home(viewer=viewer, max_id=max_id, limit=20)
                max_id = page[-1].id if page else max_id
            page5[viewer.pk] = max_id
    return viewers, popular, statuses, page5


def main() -> None:
    parser = arguments(argparse.ArgumentParser(description=__doc__.split("\n\n")[0]))
    parser.add_argument("--seconds", type=float, default=6, help="seconds per series")
    parser.add_argument("--clients", default="1,16,64", help="concurrent clients for the home timeline")
    parser.add_argument("--public-clients", type=int, default=4, help="concurrent clients for public pages")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (gthread; 1: sync)")
    parser.add_argument("--viewers", type=int, default=50)
    parser.add_argument("--only", default="", help="comma list: home, api, public (default all)")
    options = parser.parse_args()
    prepare(options)
    feeds_ensure()
    only = set(filter(None, options.only.split(","))) or {"home", "api", "public"}

    viewers, profiles, statuses, page5 = _targets(options.viewers)
    with logged_in(viewers) as (cookies, tokens):
        rows = []
        memory = {}

        def floor(client, seq):
            viewer = viewers[(client + seq) % len(viewers)]
            return load.Request(f"/_bench/floor?account={viewer.pk}")

        def home(page):
            def make(client, seq):
                viewer = viewers[(client * 7 + seq) % len(viewers)]
                path = "/home" if page == 1 else f"/home?max_id={page5[viewer.pk]}"
                return load.Request(path, headers={"Cookie": cookies[viewer.pk]})
            return make

        def api(page, limit):
            def make(client, seq):
                viewer = viewers[(client * 7 + seq) % len(viewers)]
                query = f"?limit={limit}" + (f"&max_id={page5[viewer.pk]}" if page != 1 else "")
                return load.Request(
                    f"/api/v1/timelines/home{query}",
                    headers={"Authorization": f"Bearer {tokens[viewer.pk]}"},
                )
            return make

        def profile(client, seq):
            return load.Request(f"/@{profiles[(client * 7 + seq) % len(profiles)].username}")

        def status_page(client, seq):
            status = statuses[(client * 7 + seq) % len(statuses)]
            return load.Request(f"/@{status.account.username}/{status.id}")

        with servers.gunicorn(workers=options.workers, threads=options.threads) as (base, process):
            workers = servers.children(process.pid)
            # Warm-up: every kind of page once per viewer, so each worker has loaded its code.
            for make in (floor, home(1), profile, status_page):
                load.run(base, make, concurrency=options.workers * 2, total=len(viewers))
            if "api" in only:
                load.run(base, api(1, 20), concurrency=options.workers * 2, total=len(viewers))
            memory["after_warmup_mb"] = {pid: round(servers.rss_mb(pid), 1) for pid in workers}
            memory["after_warmup_pss_mb"] = {pid: servers.pss_mb(pid) for pid in workers}
            served = 0

            def series(name, make, clients, floor_summary=None, **extra):
                nonlocal served
                database = servers.postgres_pids()
                web_cpu, database_cpu = servers.cpu_seconds(workers), servers.cpu_seconds(database)
                result = load.run(base, make, concurrency=clients, seconds=options.seconds).summary()
                served += result["requests"]
                # CPU per request in the web workers and in PostgreSQL (the whole server, so
                # anything else it serves meanwhile counts too).
                count = max(result["requests"], 1)
                result["web_cpu_ms"] = round((servers.cpu_seconds(workers) - web_cpu) * 1000 / count, 1)
                result["database_cpu_ms"] = round(
                    (servers.cpu_seconds(database) - database_cpu) * 1000 / count, 1)
                row = {"what": name, "clients": clients, **extra, **result}
                if floor_summary:
                    row["x_floor_rps"] = common.ratio(result["rps"], floor_summary["rps"])
                    row["x_floor_p99"] = common.ratio(result.get("p99_ms"), floor_summary.get("p99_ms"))
                rows.append(row)
                common.log(f"{name} ×{clients}: {result['rps']} rps, p99 {result.get('p99_ms')} ms, "
                           f"{result['errors']} errors")
                return result

            if "public" in only:
                public_floor = series("floor /_bench/floor (anonymous)", floor, options.public_clients)
                series("profile /@username (anonymous)", profile, options.public_clients, public_floor)
                series("status page /@username/ID (anonymous)", status_page, options.public_clients,
                       public_floor)
            for clients in [int(c) for c in options.clients.split(",")]:
                if not only & {"home", "api"}:
                    break
                home_floor = series("floor /_bench/floor", floor, clients)
                if "home" in only:
                    series("GET /home, 20 items, page 1", home(1), clients, home_floor)
                    series("GET /home, 20 items, page 5", home(5), clients, home_floor)
                if "api" in only:
                    series("API home, 20 items, page 1", api(1, 20), clients, home_floor)
                    series("API home, 20 items, page 5", api(5, 20), clients, home_floor)
                    series("API home, 40 items, page 1", api(1, 40), clients, home_floor)
            memory["after_run_mb"] = {pid: round(servers.rss_mb(pid), 1) for pid in workers}
            memory["after_run_pss_mb"] = {pid: servers.pss_mb(pid) for pid in workers}
            memory["requests_served"] = served
            memory["master_mb"] = round(servers.rss_mb(process.pid), 1)

    print(f"\n$ {common.command_line()}")
    common.print_table(
        f"Pages over HTTP: gunicorn {options.workers} workers × {options.threads} threads (preloaded), "
        f"{options.seconds:g} s per row, "
        f"{len(viewers)} viewers",
        ["what", "clients", "req/s", "p50 ms", "p99 ms", "errors", "x floor req/s", "x floor p99",
         "web CPU ms/req", "PostgreSQL CPU ms/req"],
        [[r["what"], r["clients"], r["rps"], r.get("p50_ms"), r.get("p99_ms"), r["errors"],
          r.get("x_floor_rps"), r.get("x_floor_p99"), r["web_cpu_ms"], r["database_cpu_ms"]]
         for r in rows],
    )
    common.print_table(
        f"Web worker memory (PSS counts shared pages once), {memory['requests_served']:,} requests served",
        ["worker pid", "RSS warm MB", "RSS after run MB", "PSS warm MB", "PSS after run MB"],
        [[str(pid), memory["after_warmup_mb"][pid], memory["after_run_mb"].get(pid),
          memory["after_warmup_pss_mb"][pid], memory["after_run_pss_mb"].get(pid)]
         for pid in memory["after_warmup_mb"]],
    )
    common.write_results("pages_http", {
        "options": vars(options), "rows": rows,
        "memory": json.loads(json.dumps(memory, default=str)),
    })


if __name__ == "__main__":
    main()
