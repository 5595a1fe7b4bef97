"""Fan-out on write with N local followers (issue 6, benchmark 2), N = 0, 100, 1,000, 10,000,
and a variant where half of the 10,000 have not logged in for 40 days.

Two measures per N:
- `feed_push` called in this process: wall time, µs per follower, and CPU per follower
  (this process, plus the Redis server's own CPU from INFO);
- end to end as in production: `status_create` in this process enqueues on commit, a dramatiq
  worker on the `fanout` queue runs `distribute_status`; the time until the post is in the
  last active follower's home feed (polled every millisecond), then every feed is checked.
The floor, measured in the same run: one SELECT of the follower ids and one Redis pipeline of
one ZADD per follower feed, nothing else.

    .venv/bin/python -m bench.fanout [--followers 10000] [--posts 10]
"""

import argparse
import time
from datetime import timedelta

from bench import common, servers
from bench.seed import PASSWORD, POSTERS, arguments, prepare

FAN_PREFIX = "fan"
CELEBRITY = "poster_k10000"


def _redis_cpu(client) -> float:
    info = client.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def followers_ensure(count: int) -> dict:
    """`poster_k10000` and `count` local followers (fan00000 …), half of them (the even ones)
    last seen 40 days ago; bulk-inserted like the seed."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Account, Follow, User
    from tests.factories import FIXED_PRIVATE_KEY, FIXED_PUBLIC_KEY

    now = timezone.now()
    names = [CELEBRITY] + [f"{FAN_PREFIX}{i:05d}" for i in range(count)]
    existing = set(
        Account.objects.local().filter(username__in=names).values_list("username", flat=True)
    )
    missing = [n for n in names if n not in existing]
    if missing:
        common.log(f"creating {len(missing):,} fan-out accounts")
        password = make_password(PASSWORD)
        with transaction.atomic():
            users = User.objects.bulk_create(
                [
                    User(username=n, email=f"{n}@bench.example", password=password,
                         email_confirmed_at=now, approved=True)
                    for n in missing
                ],
                batch_size=5000,
            )
            Account.objects.bulk_create(
                [
                    Account(username=u.username, user=u, public_key=FIXED_PUBLIC_KEY,
                            private_key=FIXED_PRIVATE_KEY)
                    for u in users
                ],
                batch_size=5000,
            )
    celebrity = Account.objects.get(username=CELEBRITY, domain__isnull=True)
    fans = list(
        Account.objects.local().filter(username__startswith=FAN_PREFIX).order_by("username")
        .values_list("pk", "user_id")[:count]
    )
    Follow.objects.bulk_create(
        [Follow(account_id=pk, target_account=celebrity) for pk, _user in fans],
        batch_size=5000, ignore_conflicts=True,
    )
    # All active to begin with (N = 10,000 followers, every feed written); `fans_go_idle`
    # then makes half of them inactive for the variant.
    User.objects.filter(pk__in=[user for _pk, user in fans]).update(last_login=now - timedelta(hours=3))
    built = _feeds_build_missing([pk for pk, _user in fans])
    if built:
        common.log(f"built {built:,} missing fan-out home feeds")
    return {
        "celebrity": celebrity,
        "fans": [pk for pk, _user in fans],
        "active": [pk for i, (pk, _user) in enumerate(fans) if i % 2 == 1],
        "inactive": [pk for i, (pk, _user) in enumerate(fans) if i % 2 == 0],
    }


def _feeds_build_missing(account_ids: list[int]) -> int:
    from accounts.models import Account
    from statuses.feeds import feed_key, feed_rebuild, redis_client

    client = redis_client()
    with client.pipeline(transaction=False) as pipe:
        for account_id in account_ids:
            pipe.exists(feed_key(account_id))
        missing = [a for a, found in zip(account_ids, pipe.execute(), strict=True) if not found]
    for account in Account.objects.filter(pk__in=missing):
        feed_rebuild(account=account)
    return len(missing)


def fans_go_idle(inactive: list[int]) -> None:
    """What 40 days without a visit does: the last login is old and the home feed expired
    (statuses.feeds.FEED_IDLE_SECONDS), so fan-out skips them."""
    from django.utils import timezone

    from accounts.models import User
    from statuses.feeds import feed_key, redis_client

    User.objects.filter(account__pk__in=inactive).update(last_login=timezone.now() - timedelta(days=40))
    redis_client().delete(*[feed_key(account_id) for account_id in inactive])


def _followers(account) -> list[int]:
    from accounts.models import Follow

    return list(
        Follow.objects.filter(target_account=account, account__domain__isnull=True)
        .order_by("account_id").values_list("account_id", flat=True)
    )


def measure_in_process(poster, followers: list[int], posts: int) -> tuple[dict, dict]:
    """feed_push on fresh status rows, against the floor (one SELECT, one ZADD pipeline)."""
    from accounts.models import Follow
    from statuses.feeds import feed_key, feed_push, feed_remove, redis_client
    from statuses.models import Status

    client = redis_client()
    created = []
    floor_samples, push_samples = [], []
    push_cpu = push_redis_cpu = floor_cpu = floor_redis_cpu = 0.0
    try:
        for _ in range(posts):
            status = Status.objects.create(account=poster, text="fan-out", content="<p>fan-out</p>")
            created.append(status.pk)
            status = Status.objects.select_related("account").get(pk=status.pk)

            cpu, redis_cpu, start = common.cpu_seconds(), _redis_cpu(client), time.perf_counter()
            ids = list(Follow.objects.filter(target_account=poster).values_list("account_id", flat=True))
            with client.pipeline(transaction=False) as pipe:
                for account_id in ids:
                    pipe.zadd(feed_key(account_id), {status.pk: status.pk})
                pipe.execute()
            floor_samples.append(time.perf_counter() - start)
            floor_cpu += common.cpu_seconds() - cpu
            floor_redis_cpu += _redis_cpu(client) - redis_cpu

            cpu, redis_cpu, start = common.cpu_seconds(), _redis_cpu(client), time.perf_counter()
            feed_push(status=status)
            push_samples.append(time.perf_counter() - start)
            push_cpu += common.cpu_seconds() - cpu
            push_redis_cpu += _redis_cpu(client) - redis_cpu
    finally:
        for status_id in created:
            Status.objects.filter(pk=status_id).delete()
            feed_remove(status_id=status_id, author_id=poster.pk)
    n = max(1, len(followers))

    def per_follower(samples, cpu, redis_cpu):
        summary = common.summarize(samples)
        return {
            **summary,
            "us_per_follower_p50": round(summary["p50_ms"] * 1000 / n, 2) if followers else None,
            "cpu_us_per_follower": round(cpu / posts * 1e6 / n, 2) if followers else None,
            "redis_cpu_us_per_follower": round(redis_cpu / posts * 1e6 / n, 2) if followers else None,
        }

    return (
        per_follower(floor_samples, floor_cpu, floor_redis_cpu),
        per_follower(push_samples, push_cpu, push_redis_cpu),
    )


def measure_end_to_end(poster, watch: list[int], everyone: list[int], posts: int, timeout=60.0) -> dict:
    """status_create here, distribute_status in the dramatiq worker: time until the post is in
    the feed of `watch[-1]` (the last follower the fan-out writes); then all of `watch` and
    `everyone` are checked."""
    from statuses.feeds import feed_key, feed_remove, redis_client
    from statuses.models import Status
    from statuses.services import status_create

    client = redis_client()
    samples, created = [], []
    complete = True
    written_everyone = 0
    last_key = feed_key(watch[-1] if watch else poster.pk)
    try:
        for i in range(posts):
            start = time.perf_counter()
            status = status_create(author=poster, text=f"Fan-out end to end {i} #bench")
            created.append(status.pk)
            while client.zscore(last_key, status.pk) is None:
                if time.perf_counter() - start > timeout:
                    raise TimeoutError(f"post {status.pk} not in {last_key} after {timeout} s")
                time.sleep(0.001)
            samples.append(time.perf_counter() - start)
            with client.pipeline(transaction=False) as pipe:
                for account_id in watch:
                    pipe.zscore(feed_key(account_id), status.pk)
                complete = complete and all(score is not None for score in pipe.execute())
            with client.pipeline(transaction=False) as pipe:
                for account_id in everyone:
                    pipe.zscore(feed_key(account_id), status.pk)
                written_everyone = sum(score is not None for score in pipe.execute())
    finally:
        for status_id in created:
            Status.objects.filter(pk=status_id).delete()
            feed_remove(status_id=status_id, author_id=poster.pk)
    return {**common.summarize(samples), "all_watched_feeds_have_it": complete,
            "feeds_written_last_post": written_everyone}


def main() -> None:
    parser = arguments(argparse.ArgumentParser(description=__doc__.split("\n\n")[0]))
    parser.add_argument("--followers", type=int, default=10_000, help="followers of the celebrity")
    parser.add_argument("--posts", type=int, default=10, help="posts per N and per measure")
    parser.add_argument("--worker-threads", type=int, default=2, help="threads of the fan-out worker")
    options = parser.parse_args()
    # Tasks go through the Redis broker, as from a web process (seeding needs no task).
    prepare(options, tasks_inline=False)

    from accounts.models import Account

    fans = followers_ensure(options.followers)
    posters = [Account.objects.get(username=name, domain__isnull=True) for name in POSTERS]
    posters.append(fans["celebrity"])
    rows = []
    for poster in posters:
        followers = _followers(poster)
        floor, push = measure_in_process(poster, followers, options.posts)
        rows.append({"N": len(followers), "what": "floor: SELECT ids + ZADD pipeline", **floor})
        rows.append({
            "N": len(followers), "what": "feed_push (in process)", **push,
            "x_floor_p50": common.ratio(push["p50_ms"], floor["p50_ms"]),
        })
        common.log(f"N={len(followers)}: feed_push p50 {push['p50_ms']} ms, floor {floor['p50_ms']} ms")

    # End to end through the Redis broker and a fan-out worker, as in production.
    e2e = []
    with servers.dramatiq_workers(queues=["fanout"], threads=options.worker_threads):
        for poster in posters:
            followers = _followers(poster)
            result = measure_end_to_end(poster, followers, followers, options.posts)
            e2e.append({"N": len(followers), "what": "post → last follower's feed (worker)", **result})
            common.log(f"N={len(followers)} end to end p50 {result.get('p50_ms')} ms")
        celebrity = fans["celebrity"]
        fans_go_idle(fans["inactive"])
        result = measure_end_to_end(celebrity, fans["active"], fans["inactive"], options.posts)
        e2e.append({
            "N": len(_followers(celebrity)), "what": "same, half inactive 40 days: → last active feed",
            **result, "inactive_feeds_written": result["feeds_written_last_post"],
            "inactive": len(fans["inactive"]),
        })

    floor_by_n = {r["N"]: r for r in rows if r["what"].startswith("floor")}
    for row in e2e:
        floor = floor_by_n.get(row["N"])
        row["x_floor_p50"] = common.ratio(row.get("p50_ms"), floor and floor["p50_ms"])
        if row["N"] and row.get("p50_ms"):
            row["us_per_follower_p50"] = round(row["p50_ms"] * 1000 / row["N"], 2)

    print(f"\n$ {common.command_line()}")
    common.print_table(
        f"Fan-out with N local followers ({options.posts} posts per row)",
        ["what", "N", "p50 ms", "p95 ms", "µs/follower", "CPU µs/follower app+redis", "x floor p50"],
        [[r["what"], r["N"], r.get("p50_ms"), r.get("p95_ms"), r.get("us_per_follower_p50"),
          f"{r['cpu_us_per_follower']} + {r['redis_cpu_us_per_follower']}"
          if r.get("cpu_us_per_follower") else None,
          r.get("x_floor_p50")] for r in rows + e2e],
    )
    last = e2e[-1]
    print(f"inactive followers' feeds written by the last post: {last['inactive_feeds_written']:,} of "
          f"{last['inactive']:,} (0 when inactive followers are skipped)")
    common.write_results("fanout", {"options": vars(options), "in_process": rows, "end_to_end": e2e})


if __name__ == "__main__":
    main()
