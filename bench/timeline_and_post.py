"""Home timeline and posting, on the seeded instance (issue 2's benchmark).

Prints, with Redis feeds and without Redis (the database fallback), p50/p95 of:
- the home timeline, 20 items, first page and page 5: the selector (`timeline_home`) and the
  whole web page `/home` through Django's test client (every middleware, session, template);
- posting with K = 0, 100, 1,000 local followers: `status_create` plus its fan-out, which runs
  in-process on commit here (TASKS_INLINE), so the time is until the post is in every feed.
Each series is set against its floor measured in the same run: one Redis range read and one
20-row query (a bare view, `/_bench/floor`, for the web page), and for posting one INSERT
plus one Redis pipeline writing K+1 feeds.

    .venv/bin/python -m bench.timeline_and_post [--accounts 1000] [--statuses 100000] [--requests 200]
"""

import argparse
import random
import time

from bench import common
from bench.seed import POSTERS, arguments, feeds_ensure, prepare

PAGE = 20


def _feeds_missing() -> int:
    """Seeded accounts (who all follow someone, so never have an empty feed) whose feed is gone."""
    from accounts.models import Account
    from statuses.feeds import feed_key, redis_client

    accounts = list(Account.objects.local().filter(username__startswith="u").values_list("pk", flat=True))
    with redis_client().pipeline(transaction=False) as pipe:
        for pk in accounts:
            pipe.exists(feed_key(pk))
        return len(accounts) - sum(pipe.execute())


def _viewers(count: int) -> list:
    from accounts.models import Account

    population = list(Account.objects.local().filter(username__startswith="u").order_by("pk"))
    return random.Random(7).sample(population, min(count, len(population)))


def _page5_max_id(viewer) -> int | None:
    """The max_id a reader clicking "older posts" four times sends for page 5."""
    from statuses.selectors import timeline_home

    max_id = None
    for _ in range(4):
        page = timeline_home(viewer=viewer, max_id=max_id, limit=PAGE)
        if not page:
            return max_id
        max_id = page[-1].id
    return max_id


def _series(call, args_cycle: list, requests: int, warmup: int = 10) -> dict:
    """Time `call(*args)` over `requests` calls, cycling through argument tuples; SQL statements
    are counted on the first measured call."""
    for i in range(min(warmup, requests)):
        call(*args_cycle[i % len(args_cycle)])
    samples = []
    with common.count_queries() as queries:
        call(*args_cycle[0])
    sql = queries[0]
    cpu = common.cpu_seconds()
    for i in range(requests):
        args = args_cycle[i % len(args_cycle)]
        start = time.perf_counter()
        call(*args)
        samples.append(time.perf_counter() - start)
    cpu = common.cpu_seconds() - cpu
    return {**common.summarize(samples), "sql": sql, "cpu_ms_mean": round(cpu / requests * 1000, 3)}


def measure_timelines(*, viewers: list, requests: int, mode: str) -> list[dict]:
    from django.test import Client

    from bench.urls import floor_read
    from statuses.selectors import timeline_home

    max5 = {v.pk: _page5_max_id(v) for v in viewers}
    clients = {}
    for viewer in viewers:
        client = Client()
        client.force_login(viewer.user)
        clients[viewer.pk] = client

    def selector(viewer, max_id):
        page = timeline_home(viewer=viewer, max_id=max_id, limit=PAGE)
        assert len(page) == PAGE, f"short page for {viewer}: {len(page)}"

    def web(viewer, max_id):
        response = clients[viewer.pk].get("/home", {"max_id": max_id} if max_id else {})
        assert response.status_code == 200, response.status_code

    def floor_web(viewer, _max_id):
        response = clients[viewer.pk].get("/_bench/floor", {"account": viewer.pk})
        assert response.status_code == 200, response.status_code

    def floor_selector(viewer, _max_id):
        floor_read(viewer.pk)

    first = [(v, None) for v in viewers]
    fifth = [(v, max5[v.pk]) for v in viewers]
    rows = []
    floor = _series(floor_selector, first, requests)
    rows.append({"mode": mode, "what": "floor: 1 range read + 20-row query", "page": "-", **floor})
    for page_name, cycle in (("1", first), ("5", fifth)):
        result = _series(selector, cycle, requests)
        rows.append({
            "mode": mode, "what": "timeline_home (selector)", "page": page_name, **result,
            "ratio_p50": common.ratio(result["p50_ms"], floor["p50_ms"]),
        })
    web_floor = _series(floor_web, first, requests)
    rows.append({"mode": mode, "what": "floor view /_bench/floor (client)", "page": "-", **web_floor})
    rendered = _items_rendered(clients[viewers[0].pk], viewers[0])
    for page_name, cycle in (("1", first), ("5", fifth)):
        result = _series(web, cycle, requests)
        rows.append({
            "mode": mode, "what": "GET /home (test client)", "page": page_name, **result,
            "ratio_p50": common.ratio(result["p50_ms"], web_floor["p50_ms"]),
            "statuses_in_html": rendered,
        })
    return rows


def _items_rendered(client, viewer) -> int:
    """How many of the page's 20 status ids appear in the /home HTML: says whether the page
    really renders the timeline (a page that does not would be measured as fast)."""
    from statuses.selectors import timeline_home

    html = client.get("/home").content.decode()
    return sum(1 for status in timeline_home(viewer=viewer, limit=PAGE) if str(status.id) in html)


def _post_text(rng: random.Random) -> str:
    from bench.seed import _body

    return _body(rng)


def measure_posts(*, posts: int, mode: str) -> list[dict]:
    """status_create + fan-out for each poster; the posts are deleted afterwards so the
    dataset stays the seeded one."""
    from django.db import transaction

    from accounts.models import Account, Follow
    from statuses.feeds import FEED_MAX_ITEMS, feed_key, feed_remove, redis_client
    from statuses.models import Status
    from statuses.services import status_create

    rng = random.Random(11)
    client = redis_client()
    rows = []
    for name in POSTERS:
        poster = Account.objects.get(username=name, domain__isnull=True)
        followers = list(
            Follow.objects.filter(target_account=poster, account__domain__isnull=True)
            .order_by("account_id").values_list("account_id", flat=True)
        )
        created: list[int] = []

        def floor_post(poster=poster, followers=followers, created=created):
            with transaction.atomic():
                status = Status.objects.create(account=poster, text="floor", content="<p>floor</p>")
            created.append(status.id)
            if client is not None:
                with client.pipeline(transaction=False) as pipe:
                    for account_id in [*followers, poster.pk]:
                        pipe.zadd(feed_key(account_id), {status.id: status.id})
                        pipe.zremrangebyrank(feed_key(account_id), 0, -FEED_MAX_ITEMS - 1)
                    pipe.execute()

        def post(poster=poster, created=created):
            created.append(status_create(author=poster, text=_post_text(rng)).id)

        try:
            floor = _series(floor_post, [()], posts, warmup=3)
            result = _series(post, [()], posts, warmup=3)
            in_last_feed = None
            if client is not None and followers:
                in_last_feed = client.zscore(feed_key(followers[-1]), created[-1]) is not None
        finally:
            for status in Status.objects.filter(id__in=created):
                status_id = status.id
                status.delete()
                feed_remove(status_id=status_id, author_id=poster.pk)
        rows.append({
            "mode": mode, "what": f"floor: INSERT + {'pipeline to K+1 feeds' if client else 'no feeds'}",
            "K": len(followers), **floor,
        })
        rows.append({
            "mode": mode, "what": "status_create + fan-out", "K": len(followers), **result,
            "ratio_p50": common.ratio(result["p50_ms"], floor["p50_ms"]),
            "in_last_follower_feed": in_last_feed,
            "us_per_follower": round(result["p50_ms"] * 1000 / len(followers), 1) if followers else None,
        })
    base = next((r for r in rows if r["what"] == "status_create + fan-out" and r["K"] == 0), None)
    for row in rows:
        # Below 1,000 followers the difference drowns in the noise of the fixed cost.
        if base and row["what"] == "status_create + fan-out" and row["K"] >= 1000:
            row["marginal_us_per_follower"] = round((row["p50_ms"] - base["p50_ms"]) * 1000 / row["K"], 1)
    return rows


def main() -> None:
    parser = arguments(argparse.ArgumentParser(description=__doc__.split("\n\n")[0]))
    parser.add_argument("--requests", type=int, default=200, help="requests per timeline series")
    parser.add_argument("--posts", type=int, default=50, help="posts per K")
    parser.add_argument("--viewers", type=int, default=50, help="distinct viewers the requests cycle through")
    parser.add_argument("--modes", default="redis,database", help="redis, database or both")
    options = parser.parse_args()
    seed_report = prepare(options)

    from django.test import override_settings

    from accounts.models import Follow

    viewers = _viewers(options.viewers)
    following = sorted(Follow.objects.filter(account=v).count() for v in viewers)
    common.log(f"{len(viewers)} viewers, following median {following[len(following) // 2]}")
    timeline_rows, post_rows, warnings = [], [], []
    for mode in options.modes.split(","):
        redis_url = common.redis_url() if mode == "redis" else ""
        with override_settings(REDIS_URL=redis_url):
            if mode == "redis":
                feeds_ensure()
            common.log(f"{mode}: timelines …")
            timeline_rows += measure_timelines(viewers=viewers, requests=options.requests, mode=mode)
            common.log(f"{mode}: posts …")
            post_rows += measure_posts(posts=options.posts, mode=mode)
            if mode == "redis" and (missing := _feeds_missing()):
                # Someone flushed our Redis database mid-run: pages rebuilt feeds on the fly.
                warnings.append(f"{missing} home feeds vanished from Redis during the run")

    print(f"\n$ {common.command_line()}")
    common.print_table(
        f"Home timeline, {PAGE} items ({len(viewers)} viewers, median following "
        f"{following[len(following) // 2]}; {options.requests} requests per row)",
        ["mode", "what", "page", "p50 ms", "p95 ms", "SQL", "x floor p50"],
        [[r["mode"], r["what"], r["page"], r["p50_ms"], r["p95_ms"], r["sql"], r.get("ratio_p50")]
         for r in timeline_rows],
    )
    common.print_table(
        f"Posting with K local followers ({options.posts} posts per row; on-commit tasks in-process: "
        "fan-out, federation publish)",
        ["mode", "what", "K", "p50 ms", "p95 ms", "SQL", "µs/follower", "marginal µs/follower",
         "x floor p50"],
        [[r["mode"], r["what"], r["K"], r["p50_ms"], r["p95_ms"], r["sql"], r.get("us_per_follower"),
          r.get("marginal_us_per_follower"), r.get("ratio_p50")] for r in post_rows],
    )
    for warning in warnings:
        print(f"WARNING: {warning}; the Redis figures include feed rebuilds")
    common.write_results("timeline_and_post", {
        "warnings": warnings,
        "options": vars(options), "seed": seed_report,
        "viewers_following_median": following[len(following) // 2],
        "timelines": timeline_rows, "posts": post_rows,
    })


if __name__ == "__main__":
    main()
