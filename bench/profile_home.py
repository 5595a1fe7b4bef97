"""The home page's own cost, on the seeded instance: p50 of GET /home (20 statuses, Redis
feeds) over many requests cycling through viewers, against the bare floor view measured in
the same run; URL reversals and translation lookups per request; optionally cProfile's top
functions; optionally the pages' HTML written out, to diff a change of the templates.

    .venv/bin/python -m bench.profile_home [--requests 300] [--viewers 30] [--profile]
                                           [--dump DIR]
"""

import argparse
import cProfile
import io
import pstats
import random
import re
import statistics
import time
from pathlib import Path

from bench import common


def _count_calls(counts: dict):
    """Wrap django.urls.reverse and the gettext functions to count their calls (the template
    tags look them up at call time through these modules)."""
    import django.urls
    import django.urls.base
    from django.template import defaulttags
    from django.utils import translation

    def counting(name, function):
        def wrapper(*args, **kwargs):
            counts[name] += 1
            return function(*args, **kwargs)
        return wrapper

    reverse = django.urls.base.reverse
    wrapped_reverse = counting("reverse", reverse)
    django.urls.reverse = django.urls.base.reverse = defaulttags.reverse = wrapped_reverse
    for name in ("gettext", "pgettext", "ngettext", "npgettext"):
        # django.utils.translation caches the backend's functions on its `_trans` object.
        setattr(translation._trans, name, counting("translation", getattr(translation._trans, name)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--viewers", type=int, default=30)
    parser.add_argument("--profile", action="store_true", help="cProfile 50 more requests")
    parser.add_argument("--dump", help="write each viewer's page 1 HTML into this folder")
    parser.add_argument("--top", type=int, default=40)
    options = parser.parse_args()
    common.setup()

    from django.test import Client, override_settings

    from accounts.models import Account

    population = list(Account.objects.local().filter(username__startswith="u").order_by("pk"))
    viewers = random.Random(7).sample(population, min(options.viewers, len(population)))
    clients = []
    for viewer in viewers:
        client = Client()
        client.force_login(viewer.user)
        clients.append((viewer, client))

    def series(path: str) -> list[float]:
        samples = []
        for i in range(options.requests + 10):
            _viewer, client = clients[i % len(clients)]
            started = time.perf_counter()
            response = client.get(path, {"account": _viewer.pk} if path == "/_bench/floor" else {})
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, response.status_code
            if i >= 10:
                samples.append(elapsed * 1000)
        return samples

    with override_settings(REDIS_URL=common.redis_url()):
        if options.dump:
            folder = Path(options.dump)
            folder.mkdir(parents=True, exist_ok=True)
            for viewer, client in clients:
                html = client.get("/home").content.decode()
                # The CSRF token changes with every request: not part of what is compared.
                html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken"', html)
                (folder / f"{viewer.username}.html").write_text(html)
        floor = series("/_bench/floor")
        home = series("/home")
        counts = {"reverse": 0, "translation": 0}
        _count_calls(counts)
        clients[0][1].get("/home")
        counts = dict(counts)
        if options.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for i in range(50):
                clients[i % len(clients)][1].get("/home")
            profiler.disable()

    def p(samples, q):
        return sorted(samples)[min(len(samples) - 1, int(q * len(samples)))]

    print(f"$ {common.command_line()}\n")
    print(f"{options.requests} requests each, {len(viewers)} viewers (test client, Redis feeds)")
    print(f"floor /_bench/floor  p50 {statistics.median(floor):7.2f} ms  p95 {p(floor, .95):7.2f} ms")
    print(f"GET /home            p50 {statistics.median(home):7.2f} ms  p95 {p(home, .95):7.2f} ms"
          f"  ({statistics.median(home) / statistics.median(floor):.1f} x floor)")
    print(f"per request: {counts['reverse']} URL reversals, {counts['translation']} translation calls")
    if options.profile:
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(options.top)
            print(out.getvalue())


if __name__ == "__main__":
    main()
