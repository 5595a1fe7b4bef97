"""Profile one page of the seeded benchmark instance: cProfile's top functions, and each SQL
statement with its time, for a page fetched through the test client.

    .venv/bin/python -m bench.profile_page /home --user u00500 [--no-redis] [--repeat 20]
    .venv/bin/python -m bench.profile_page /api/v1/timelines/home --user u00500 --token
"""

import argparse
import cProfile
import io
import pstats
import time

from bench import common


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path")
    parser.add_argument("--user", help="log in as this seeded username (anonymous if absent)")
    parser.add_argument("--token", action="store_true",
                        help="for an API path: an OAuth bearer token of --user instead of a session")
    parser.add_argument("--no-redis", action="store_true", help="database home feeds")
    parser.add_argument("--repeat", type=int, default=20, help="requests profiled (after 3 warm-up)")
    parser.add_argument("--top", type=int, default=35)
    options = parser.parse_args()
    common.setup()

    from django.db import connection
    from django.test import Client, override_settings

    from accounts.models import Account
    from bench.pages_http import logged_in

    client = Client()
    viewers = []
    if options.user:
        viewer = Account.objects.get(username=options.user, domain__isnull=True)
        if options.token:
            viewers = [viewer]
        else:
            client.force_login(viewer.user)
    with (override_settings(REDIS_URL="" if options.no_redis else common.redis_url()),
          logged_in(viewers) as (_cookies, tokens)):
        if options.token:
            client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {tokens[viewers[0].pk]}"
        for _ in range(3):
            assert client.get(options.path).status_code == 200
        queries = []

        def record(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                queries.append((time.perf_counter() - started, sql))

        # An execute wrapper, not CaptureQueriesContext: each request resets Django's query log.
        with connection.execute_wrapper(record):
            started = time.perf_counter()
            client.get(options.path)
            elapsed = time.perf_counter() - started
        # CPU time, not wall time: what another process does on the shared cores meanwhile
        # does not land on whichever function was running.
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for _ in range(options.repeat):
            client.get(options.path)
        profiler.disable()

    print(f"$ {common.command_line()}\n")
    print(f"one request: {elapsed * 1000:.1f} ms, {len(queries)} SQL statements, "
          f"{sum(t for t, _sql in queries) * 1000:.1f} ms waiting for SQL")
    for seconds, sql in queries:
        print(f"  {seconds * 1000:7.1f} ms  {sql[:160]}")
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(options.top)
        print(out.getvalue())


if __name__ == "__main__":
    main()
