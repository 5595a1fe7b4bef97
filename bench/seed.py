"""Seed the benchmark database with a realistic instance, fast (bulk inserts), with rows as the
services would make them: each Account has its User (one shared password hash: hashing a
thousand passwords would only measure PBKDF2) and the fixed test key pair (never generate a
thousand RSA keys); statuses get time-sortable ids from config.ids and HTML rendered by
`render_status_text`; replies mention their parent's author; follows notify. Then every home
feed is rebuilt in Redis with `feed_rebuild`.

The follow graph and activity are skewed as on a real server: how many accounts someone
follows is log-normal (median 40), whom they follow and who posts are Zipf-distributed.
Three extra "poster" accounts have exactly 0, 100 and 1,000 local followers (the last is
followed by every seeded account), for the posting benchmark.

    .venv/bin/python -m bench.seed [--accounts 1000] [--statuses 100000] [--reset]
"""

import argparse
import math
import random
import time
from datetime import timedelta

POSTERS = {"poster_k0": 0, "poster_k100": 100, "poster_k1000": 1000}
PASSWORD = "correct horse battery staple"
TAGS = [
    "fediverse", "photography", "cats", "python", "django", "music", "gardening", "cycling",
    "books", "coffee", "introductions", "art", "climate", "linux", "cooking", "running",
    "birds", "film", "opensource", "travel",
]
WORDS = (
    "the a to of and in is it you that was for on are with as I his they be at one have this "
    "from or had by hot word but what some we can out other were all there when up use your how "
    "said an each she which do their time if will way about many then them write would like so "
    "these her long make thing see him two has look more day could go come did number sound no "
    "most people my over know water than call first who may down side been now find any new work "
    "part take get place made live where after back little only round man year came show every "
    "good me give our under name very through just form sentence great think say help low line "
    "differ turn cause much mean before move right boy old too same tell does set three want air "
    "well also play small end put home read hand port large spell add even land here must big "
    "high such follow act why ask men change went light kind off need house picture try us again "
    "animal point mother world near build self earth father head stand own page should country"
).split()
BATCH = 5000


def _account_username(index: int) -> str:
    return f"u{index:05d}"


def _weighted_sample(rng: random.Random, items: list[int], weights: list[float], k: int) -> list[int]:
    """k distinct items, each drawn with probability proportional to its weight
    (Efraimidis–Spirakis)."""
    keyed = [(rng.random() ** (1.0 / w), item) for item, w in zip(items, weights, strict=True)]
    keyed.sort(reverse=True)
    return [item for _key, item in keyed[:k]]


def _sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(5, 40))
    words[0] = words[0].capitalize()
    return " ".join(words) + rng.choice([".", ".", ".", "!", "?"])


def _body(rng: random.Random) -> str:
    text = _sentence(rng)
    if rng.random() < 0.3:
        text += " " + _sentence(rng)
    if rng.random() < 0.15:
        text += f" #{rng.choice(TAGS)}"
    if rng.random() < 0.10:
        text += f" https://example.com/articles/{rng.randint(1, 10**6)}"
    return text


def dataset_counts() -> dict:
    from accounts.models import Account, Follow
    from statuses.models import Status

    return {
        "accounts": Account.objects.local().filter(username__startswith="u").count(),
        "posters": Account.objects.local().filter(username__in=POSTERS).count(),
        "statuses": Status.objects.count(),
        "follows": Follow.objects.count(),
    }


def is_seeded(*, accounts: int, statuses: int) -> bool:
    counts = dataset_counts()
    return (
        counts["accounts"] == accounts
        and counts["posters"] == len(POSTERS)
        and statuses <= counts["statuses"] <= statuses * 1.02 + 100
    )


def seed(*, accounts: int = 1000, statuses: int = 100_000, random_seed: int = 42, days: int = 90) -> dict:
    """Insert the dataset into an empty database; returns what was inserted and how long it took."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.db.models import Max, OuterRef, Subquery
    from django.utils import timezone

    from accounts.models import Account, Follow, Notification, NotificationType, User
    from config.ids import id_from_time
    from statuses.models import Mention, Status, Tag, Visibility
    from statuses.rendering import render_status_text
    from tests.factories import FIXED_PRIVATE_KEY, FIXED_PUBLIC_KEY

    rng = random.Random(random_seed)
    started = time.perf_counter()
    now = timezone.now()
    timings = {}

    # Accounts: the seeded population, then the posters.
    t = time.perf_counter()
    password_hash = make_password(PASSWORD)
    names = [_account_username(i) for i in range(accounts)] + list(POSTERS)
    with transaction.atomic():
        users = User.objects.bulk_create(
            [
                User(
                    username=name, email=f"{name}@bench.example", password=password_hash,
                    email_confirmed_at=now - timedelta(days=days + 10), approved=True,
                    date_joined=now - timedelta(days=days + 10),
                )
                for name in names
            ],
            batch_size=BATCH,
        )
        bio = render_status_text("Benchmark account. I like #python and https://example.com")[0]
        account_rows = Account.objects.bulk_create(
            [
                Account(
                    username=user.username, user=user, display_name=user.username.title(),
                    note="Benchmark account. I like #python and https://example.com", note_html=bio,
                    public_key=FIXED_PUBLIC_KEY, private_key=FIXED_PRIVATE_KEY,
                    created_at=user.date_joined,
                )
                for user in users
            ],
            batch_size=BATCH,
        )
    population = [a.pk for a in account_rows[:accounts]]
    posters = {a.username: a.pk for a in account_rows[accounts:]}
    by_id = {a.pk: a for a in account_rows}
    timings["accounts_s"] = time.perf_counter() - t

    # Follow graph: log-normal out-degree, Zipf popularity.
    t = time.perf_counter()
    popularity = population[:]
    rng.shuffle(popularity)
    popularity_weight = {pk: 1.0 / (rank + 1) ** 0.9 for rank, pk in enumerate(popularity)}
    follows: list[tuple[int, int]] = []
    for pk in population:
        degree = max(1, min(len(population) - 1, 500, int(rng.lognormvariate(math.log(40), 0.9))))
        candidates = [c for c in population if c != pk]
        targets = _weighted_sample(rng, candidates, [popularity_weight[c] for c in candidates], degree)
        follows.extend((pk, target) for target in targets)
    for name, k in POSTERS.items():
        for follower in rng.sample(population, min(k, len(population))):
            follows.append((follower, posters[name]))
    following: dict[int, list[int]] = {}
    for follower, target in follows:
        following.setdefault(follower, []).append(target)
    with transaction.atomic():
        follow_times = [now - timedelta(seconds=rng.uniform(0, days * 86400)) for _ in follows]
        Follow.objects.bulk_create(
            [
                Follow(account_id=a, target_account_id=b, created_at=when)
                for (a, b), when in zip(follows, follow_times, strict=True)
            ],
            batch_size=BATCH,
        )
        Notification.objects.bulk_create(
            [
                Notification(
                    id=id_from_time(when), account_id=b, from_account_id=a,
                    type=NotificationType.FOLLOW, created_at=when,
                )
                for (a, b), when in zip(follows, follow_times, strict=True)
            ],
            batch_size=BATCH, ignore_conflicts=True,
        )
    timings["follows_s"] = time.perf_counter() - t

    # Statuses, oldest first so replies and boosts point back in time.
    t = time.perf_counter()
    activity = population[:]
    rng.shuffle(activity)
    activity_weight = [1.0 / (rank + 5) ** 0.8 for rank in range(len(activity))]
    authors = rng.choices(activity, weights=activity_weight, k=statuses)
    moments = sorted(now - timedelta(seconds=rng.uniform(60, days * 86400)) for _ in range(statuses))
    tags = {name: Tag.objects.get_or_create(name=name)[0] for name in TAGS}
    rows: list[Status] = []
    mentions: list[tuple[int, int]] = []  # (status index, account id)
    status_tags: list[tuple[int, int]] = []
    boosted: set[tuple[int, int]] = set()
    shareable: list[int] = []  # indexes of public/unlisted originals, for replies and boosts
    for index, (author, moment) in enumerate(zip(authors, moments, strict=True)):
        roll = rng.random()
        status = Status(id=id_from_time(moment), account_id=author, created_at=moment, language="en")
        if roll < 0.05 and shareable:
            target_index = shareable[-rng.randint(1, min(len(shareable), 5000))]
            target = rows[target_index]
            if target.account_id != author and (author, target_index) not in boosted:
                boosted.add((author, target_index))
                status.reblog_id = target.id
                status.visibility = target.visibility
                rows.append(status)
                continue
        text = _body(rng)
        mentioned = None
        if roll < 0.20 and shareable:
            parent = rows[shareable[-rng.randint(1, min(len(shareable), 2000))]]
            status.in_reply_to_id = parent.id
            status.in_reply_to_account_id = parent.account_id
            status.visibility = parent.visibility
            if parent.account_id != author:
                mentioned = parent.account_id
                text = f"@{by_id[mentioned].username} {text}"
        else:
            visibility_roll = rng.random()
            if visibility_roll < 0.80:
                status.visibility = Visibility.PUBLIC
            elif visibility_roll < 0.90:
                status.visibility = Visibility.UNLISTED
            elif visibility_roll < 0.98:
                status.visibility = Visibility.PRIVATE
            else:
                status.visibility = Visibility.DIRECT
                mentioned = rng.choice(following.get(author) or population)
                text = f"@{by_id[mentioned].username} {text}"
        if rng.random() < 0.03:
            status.spoiler_text = "spoilers"
            status.sensitive = True
        status.text = text
        status.content, _accounts = render_status_text(text)
        if mentioned and mentioned != author:
            mentions.append((index, mentioned))
        for name in TAGS:
            if f"#{name}" in text:
                status_tags.append((index, tags[name].pk))
        if status.visibility in (Visibility.PUBLIC, Visibility.UNLISTED) and not status.in_reply_to_id:
            shareable.append(index)
        rows.append(status)
    timings["render_s"] = time.perf_counter() - t

    t = time.perf_counter()
    with transaction.atomic():
        Status.objects.bulk_create(rows, batch_size=BATCH)
        Mention.objects.bulk_create(
            [Mention(status_id=rows[i].id, account_id=a) for i, a in mentions], batch_size=BATCH,
        )
        Status.tags.through.objects.bulk_create(
            [Status.tags.through(status_id=rows[i].id, tag_id=tag) for i, tag in status_tags],
            batch_size=BATCH,
        )
        Notification.objects.bulk_create(
            [
                Notification(
                    id=id_from_time(rows[i].created_at), account_id=a,
                    from_account_id=rows[i].account_id, type=NotificationType.MENTION,
                    status_id=rows[i].id, created_at=rows[i].created_at,
                )
                for i, a in mentions
            ],
            batch_size=BATCH, ignore_conflicts=True,
        )
        latest = Status.objects.filter(account=OuterRef("pk")).values("account").annotate(
            latest=Max("created_at")
        ).values("latest")
        Account.objects.local().update(last_status_at=Subquery(latest))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings["insert_s"] = time.perf_counter() - t

    t = time.perf_counter()
    feeds = feeds_rebuild()
    timings["feeds_rebuild_s"] = time.perf_counter() - t
    timings["total_s"] = time.perf_counter() - started
    return {
        "accounts": len(population),
        "posters": {
            name: {"id": posters[name], "followers": min(k, len(population))} for name, k in POSTERS.items()
        },
        "follows": len(follows),
        "statuses": len(rows),
        "replies": sum(1 for r in rows if r.in_reply_to_id),
        "boosts": sum(1 for r in rows if r.reblog_id),
        "mentions": len(mentions),
        "feeds": feeds,
        "timings": {k: round(v, 2) for k, v in timings.items()},
    }


def feeds_rebuild() -> dict:
    """Rebuild every local home feed in Redis, as `manage.py feeds build` does."""
    from accounts.models import Account
    from statuses.feeds import feed_rebuild, redis_client

    client = redis_client()
    if client is None:
        return {"built": 0}
    built = entries = 0
    for account in Account.objects.local().iterator():
        entries += feed_rebuild(account=account)
        built += 1
    return {"built": built, "entries": entries}


def feeds_ensure() -> dict | None:
    """Rebuild the Redis feeds of the seeded accounts and posters that are missing (a flushed
    Redis database); None if they are all there."""
    from bench.common import log
    from statuses.feeds import feed_key, feed_rebuild, redis_client

    client = redis_client()
    if client is None:
        return None
    accounts = list(seeded_accounts())
    with client.pipeline(transaction=False) as pipe:
        for account in accounts:
            pipe.exists(feed_key(account.pk))
        present = pipe.execute()
    missing = [a for a, exists in zip(accounts, present, strict=True) if not exists]
    if not missing:
        return None
    log(f"{len(missing)} of {len(accounts)} home feeds missing in Redis: rebuilding them")
    started = time.perf_counter()
    entries = sum(feed_rebuild(account=account) for account in missing)
    return {"built": len(missing), "entries": entries, "seconds": round(time.perf_counter() - started, 2)}


def registrations_open() -> None:
    """Sign-ups open without approval, as the benchmarks that sign people up need."""
    from accounts.models import RegistrationMode, SiteSettings

    site = SiteSettings.current()
    if site.registration_mode != RegistrationMode.OPEN:
        site.registration_mode = RegistrationMode.OPEN
        site.save(update_fields=["registration_mode"])


def seeded_accounts():
    """The seeded population and the posters (not the accounts other benchmarks add)."""
    from django.db.models import Q

    from accounts.models import Account

    return Account.objects.local().filter(Q(username__startswith="u") | Q(username__in=POSTERS))


def reset() -> None:
    """Drop the benchmark database and empty the benchmark Redis database (both ours alone)."""
    import redis

    from bench.common import database_drop, redis_url

    database_drop()
    redis.Redis.from_url(redis_url()).flushdb()


def ensure_seeded(*, accounts: int, statuses: int, force: bool = False) -> dict | None:
    """Seed unless the database already holds this dataset; returns the seed report or None.
    Call before `bench.common.setup()` only through `main`; afterwards Django is set up."""
    from bench.common import log

    if not force and is_seeded(accounts=accounts, statuses=statuses):
        log(f"dataset present: {dataset_counts()}")
        rebuilt = feeds_ensure()
        return {"feeds_rebuilt": rebuilt} if rebuilt else None
    log(f"seeding {accounts:,} accounts and {statuses:,} statuses …")
    report = seed(accounts=accounts, statuses=statuses)
    log(f"seeded: {report}")
    return report


def arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--accounts", type=int, default=1000, help="seeded local accounts (default 1000)")
    parser.add_argument("--statuses", type=int, default=100_000, help="seeded statuses (default 100000)")
    parser.add_argument("--reset", action="store_true", help="drop the benchmark database and Redis db first")
    return parser


def prepare(options, *, tasks_inline: bool = True) -> dict | None:
    """Reset if asked, set Django up on the benchmark database, seed if needed."""
    from bench import common

    if options.reset:
        reset()
    common.setup(tasks_inline=tasks_inline)
    if options.reset:
        return ensure_seeded(accounts=options.accounts, statuses=options.statuses, force=True)
    counts = dataset_counts()
    if any(counts.values()) and not is_seeded(accounts=options.accounts, statuses=options.statuses):
        # Never dropped unasked: the database is shared, and another benchmark's posts alone
        # can push the count past the tolerance (a silent reset here once wiped the dataset
        # in the middle of other engineers' runs).
        raise SystemExit(
            f"The benchmark database holds another dataset {counts}. If nobody else is using "
            "it, seed again with --reset (or point BENCH_DATABASE_URL at another database)."
        )
    return ensure_seeded(accounts=options.accounts, statuses=options.statuses)


def main() -> None:
    options = arguments(argparse.ArgumentParser(description=__doc__.split("\n\n")[0])).parse_args()
    from bench import common

    report = prepare(options)
    if report is None or "feeds_rebuilt" in report:
        print(f"Dataset already present ({report or 'feeds present'}); use --reset to seed again.")
        return
    common.print_table(
        "Seed", ["what", "count", "seconds"],
        [
            ["accounts (+3 posters)", report["accounts"], report["timings"]["accounts_s"]],
            ["follows", report["follows"], report["timings"]["follows_s"]],
            ["statuses (rendered)", report["statuses"], report["timings"]["render_s"]],
            ["bulk insert + ANALYZE", report["statuses"], report["timings"]["insert_s"]],
            ["home feeds rebuilt", report["feeds"].get("built", 0), report["timings"]["feeds_rebuild_s"]],
            ["total", None, report["timings"]["total_s"]],
        ],
    )
    common.write_results("seed", {"seed": report})


if __name__ == "__main__":
    main()
