"""What every benchmark shares: the environment (its own PostgreSQL database and Redis
database), timing statistics, the printed table and the JSON written to bench/results/.

Call `setup()` before importing anything that touches Django models."""

import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/pouet_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)


def redis_url() -> str:
    return os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)


def bench_environ(*, tasks_inline: bool = True) -> dict[str, str]:
    """The environment of a benchmark process (and of the servers and workers it starts)."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=database_url(),
        REDIS_URL=redis_url(),
        TASKS_INLINE="true" if tasks_inline else "false",
        DEBUG="false",
        # Persistent connections, as a production deployment would configure them.
        DB_CONN_MAX_AGE=os.environ.get("DB_CONN_MAX_AGE", "600"),
        EMAIL_URL="dummymail://",
    )
    return env


def setup(*, tasks_inline: bool = True) -> None:
    """Point Django at the benchmark database and Redis, create the database if needed,
    migrate, collect static files (the manifest storage of production needs them)."""
    os.environ.update(bench_environ(tasks_inline=tasks_inline))
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    database_create()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)


def database_create() -> None:
    import psycopg

    url = database_url()
    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def database_drop() -> None:
    import psycopg

    url = database_url()
    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- measuring ------------------------------------------------------------------------------


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summarize(samples_s: list[float]) -> dict:
    """Milliseconds: n, p50, p95, p99, mean, min."""
    ms = [s * 1000 for s in samples_s]
    if not ms:
        return {"n": 0}
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 3),
        "p95_ms": round(percentile(ms, 95), 3),
        "p99_ms": round(percentile(ms, 99), 3),
        "mean_ms": round(statistics.fmean(ms), 3),
        "min_ms": round(min(ms), 3),
    }


def ratio(value: float | None, floor: float | None) -> float | None:
    if not value or not floor:
        return None
    return round(value / floor, 2)


@contextmanager
def count_queries():
    """Counts SQL statements run inside the block: `with count_queries() as n: …; n[0]`."""
    from django.db import connection

    counter = [0]

    def wrapper(execute, sql, params, many, context):
        counter[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield counter


def cpu_seconds() -> float:
    """CPU time of this process (user + system), to report CPU per unit of work."""
    return time.process_time()


# --- reporting ------------------------------------------------------------------------------


def command_line() -> str:
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    program = ["-m", spec.name] if spec else [os.path.relpath(sys.argv[0], ROOT)]
    args = [os.path.relpath(sys.executable, ROOT), *program, *sys.argv[1:]]
    return " ".join(shlex.quote(a) for a in args)


def machine() -> dict:
    def run(*args) -> str:
        try:
            return subprocess.run(args, capture_output=True, text=True, timeout=10).stdout.strip()
        except OSError:
            return ""

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    info = {
        "hostname": platform.node(),
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in load] if load else None,
        "git_commit": run("git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"),
    }
    try:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            info["postgresql"] = cursor.fetchone()[0]
        from statuses.feeds import redis_client

        client = redis_client()
        if client is not None:
            info["redis"] = client.info("server").get("redis_version")
    except Exception as error:  # noqa: BLE001 - machine info is best effort
        info["error"] = str(error)
    return info


def print_table(title: str, headers: list[str], rows: list[list]) -> None:
    def cell(value) -> str:
        if value is None:
            return "-"
        if isinstance(value, float):
            return f"{value:,.2f}" if value < 1000 else f"{value:,.0f}"
        if isinstance(value, int):
            return f"{value:,}"
        return str(value)

    text = [[cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in text)) if text else len(h) for i, h in enumerate(headers)]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    print("  ".join("-" * w for w in widths))
    for row_raw, row in zip(rows, text, strict=True):
        cells = zip(row, widths, strict=True)
        print("  ".join(v.ljust(w) if isinstance(raw, str) else v.rjust(w)
                        for raw, (v, w) in zip(row_raw, cells, strict=True)))


def write_results(name: str, data: dict) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"{name}-{stamp}.json"
    payload = {
        "benchmark": name,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command_line(),
        "machine": machine(),
        **data,
    }
    path.write_text(json.dumps(payload, indent=2, default=str))
    print(f"\nJSON: {os.path.relpath(path, ROOT)}")
    return path


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
