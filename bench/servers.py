"""Processes as in production, started and stopped by a benchmark: gunicorn web workers and
dramatiq workers by queue, on the benchmark database and Redis. Each is stopped by its own
process id when the benchmark ends."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from bench import common

PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(process: subprocess.Popen, timeout: float = 15) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def log_path(name: str) -> Path:
    common.RESULTS_DIR.mkdir(exist_ok=True)
    return common.RESULTS_DIR / f"{name}.log"


@contextmanager
def gunicorn(*, workers: int = 2, threads: int = 1, tasks_inline: bool = False, preload: bool = True):
    """Serve bench.wsgi on a free loopback port; yields the base URL. `preload`: the
    application is imported once in the master and the workers share those pages
    copy-on-write, as the README's production layout runs it."""
    port = free_port()
    log = log_path("gunicorn").open("w")
    env = common.bench_environ(tasks_inline=tasks_inline)
    # As the README's production environment: without it glibc keeps each thread's Argon2
    # buffers (19 MiB a sign-up) in the heap, and a gthread worker grows by tens of MB.
    env.setdefault("MALLOC_MMAP_THRESHOLD_", "1048576")
    # Two malloc arenas instead of one per thread (glibc: up to 8 per core): each arena keeps
    # its own free space, and 4 threads' arenas held about 2 MB more per worker (bench.memory).
    env.setdefault("MALLOC_ARENA_MAX", "2")
    process = subprocess.Popen(
        [
            PYTHON, "-m", "gunicorn", "bench.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--threads", str(threads), "--access-logfile", "-",
            "--access-logformat", '%(p)s %(s)s %(m)s %(U)s %(M)sms', "--log-level", "warning",
            "--timeout", "120", "--backlog", "2048", *(["--preload"] if preload else []),
        ],
        cwd=common.ROOT, env=env,
        stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({process.returncode}); see {log.name}")
            try:
                urllib.request.urlopen(f"{base}/_bench/floor", timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        common.log(f"gunicorn pid {process.pid}, {workers} workers × {threads} threads at {base}")
        yield base, process
    finally:
        _stop(process)
        log.close()


# As the README's production layout: the `default` queue (new accounts' key pairs, 84 ms of
# CPU each, scheduled posts, housekeeping) runs at a lower CPU priority, so that in a sign-up
# surge the web workers get the cores and the keys are made when they are free.
LOW_PRIORITY_QUEUES = {"default"}
LOW_PRIORITY_NICE = 10


@contextmanager
def dramatiq_workers(*, queues: list[str], processes: int = 1, threads: int = 4):
    """`manage.py rundramatiq` for these queues, as a production worker would run."""
    log = log_path("dramatiq-" + "-".join(queues)).open("w")
    nice = ["nice", "-n", str(LOW_PRIORITY_NICE)] if set(queues) <= LOW_PRIORITY_QUEUES else []
    process = subprocess.Popen(
        [
            *nice, PYTHON, "manage.py", "rundramatiq", "--processes", str(processes),
            "--threads", str(threads), "--queues", *queues,
        ],
        cwd=common.ROOT, env=common.bench_environ(tasks_inline=False),
        stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,  # its worker processes are stopped with it
    )
    try:
        time.sleep(3)  # imports, broker connection
        if process.poll() is not None:
            raise RuntimeError(f"dramatiq exited ({process.returncode}); see {log.name}")
        common.log(f"dramatiq pid {process.pid}: queues {', '.join(queues)}, {processes}×{threads}")
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()


def rss_mb(pid: int) -> float:
    """Resident memory of one process, in MB (pages shared with other processes included)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pss_mb(pid: int) -> float | None:
    """Proportional set size, in MB: each page shared by n processes counts 1/n, so the
    workers' PSS add up to what they really take (RSS counts preloaded pages in each)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time these processes have used so far (all their threads)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def postgres_pids() -> list[int]:
    """This machine's PostgreSQL server processes (the backends serving the benchmark too)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in ("postgres", "postmaster"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids
