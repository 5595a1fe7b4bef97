"""Sign-up surge through the real web flow (issue 6, benchmark 1): gunicorn workers serve
/auth/sign_up; each client loads the form once (CSRF cookie and token), then POSTs new
sign-ups (username, e-mail, password, rules accepted). Key generation and the confirmation
mail are tasks: dramatiq workers on the `default` and `mail` queues run beside the web workers,
as in production (their CPU competes for the same cores, as it would there).

Open loop, so queueing in front of the server shows in latency (counted from the moment a
sign-up was due): rising rates for a few seconds each, then a burst of 500 in 10 seconds.
Reported: accepted sign-ups per second, p50/p99, errors (any 5xx, exception or form error).
The floor, measured the same way in the same run: a bare view that hashes the password with
the configured hasher and inserts one row.

    .venv/bin/python -m bench.signup [--rates 2,5,10,20] [--step-seconds 5] [--burst 500]
"""

import argparse
import re
import threading
import time
import uuid
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from bench import common, load, servers
from bench.seed import PASSWORD, arguments, prepare

PREFIX = "s_"
FLOOR_PREFIX = "fl_"


class Form:
    """One browser's CSRF cookie and form token, fetched once from the sign-up page."""

    def __init__(self, base: str):
        status, body, headers = load.send(base, load.Request("/auth/sign_up"))
        if status != 200:
            raise RuntimeError(f"GET /auth/sign_up answered {status}")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
        cookies = SimpleCookie()
        for header in headers.get_all("Set-Cookie") or []:
            cookies.load(header)
        self.cookie = f"csrftoken={cookies['csrftoken'].value}"
        self.token = token

    def request(self, username: str) -> load.Request:
        body = urlencode({
            "csrfmiddlewaretoken": self.token, "username": username,
            "email": f"{username}@bench.example", "password": PASSWORD, "agreement": "on",
        }).encode()
        return load.Request(
            "/auth/sign_up", method="POST", body=body,
            headers={"Cookie": self.cookie, "Content-Type": "application/x-www-form-urlencoded",
                     "Referer": "http://127.0.0.1/auth/sign_up"},
        )


def _floor_request(username: str) -> load.Request:
    body = urlencode({"username": username, "email": f"{username}@bench.example", "password": PASSWORD})
    return load.Request(
        "/_bench/floor_signup", method="POST", body=body.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


def _cleanup() -> int:
    """Remove the benchmark's sign-ups (they never count as seeded accounts, so rows left
    behind by a failed clean-up do no harm)."""
    from django.db import DatabaseError

    from accounts.models import User

    try:
        deleted, _rows = User.objects.filter(username__startswith=PREFIX).delete()
        User.objects.filter(username__startswith=FLOOR_PREFIX).delete()
    except DatabaseError as error:  # e.g. a model whose migration is not written yet
        common.log(f"could not remove the benchmark sign-ups: {error}".splitlines()[0])
        return 0
    return deleted


def main() -> None:
    parser = arguments(argparse.ArgumentParser(description=__doc__.split("\n\n")[0]))
    parser.add_argument("--rates", default="2,5,10,20", help="sign-ups per second, rising")
    parser.add_argument("--step-seconds", type=float, default=5)
    parser.add_argument("--burst", type=int, default=500, help="sign-ups in the burst (0: none)")
    parser.add_argument("--burst-seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--max-seconds", type=float, default=240, help="bound on any one step")
    options = parser.parse_args()
    prepare(options, tasks_inline=False)
    _cleanup()

    from django.contrib.auth.hashers import get_hasher

    from accounts.models import Account, RegistrationMode, SiteSettings, User

    site = SiteSettings.current()
    if site.registration_mode != RegistrationMode.OPEN:
        site.registration_mode = RegistrationMode.OPEN
        site.save(update_fields=["registration_mode"])
    hasher = get_hasher()
    started = time.process_time()
    hasher.encode(PASSWORD, hasher.salt())
    hash_cpu_ms = (time.process_time() - started) * 1000
    run = uuid.uuid4().hex[:6]
    counter = iter(range(10**9))
    counter_lock = threading.Lock()

    def name(prefix: str) -> str:
        with counter_lock:
            return f"{prefix}{run}_{next(counter)}"

    rows = []
    with servers.dramatiq_workers(queues=["default", "mail"], threads=2), \
            servers.gunicorn(workers=options.workers) as (base, _process):
        forms = [Form(base) for _ in range(64)]

        def step(label: str, make, rate: float, count: int, floor_row=None) -> dict:
            result = load.paced(base, make, rate=rate, count=count, max_seconds=options.max_seconds)
            summary = result.summary()
            unfinished = count - summary["requests"]
            accepted = summary["statuses"].get("302", 0) + summary["statuses"].get("201", 0)
            row = {
                "what": label, "offered_per_s": rate, "offered": count, **summary,
                "accepted": accepted, "accepted_per_s": round(accepted / result.elapsed, 2),
                "not_sent_in_time": unfinished,
            }
            if floor_row:
                row["x_floor_accepted_per_s"] = common.ratio(
                    row["accepted_per_s"], floor_row["accepted_per_s"],
                )
            rows.append(row)
            common.log(f"{label} @ {rate}/s: {accepted}/{count} accepted in {result.elapsed:.1f} s, "
                       f"p99 {summary.get('p99_ms')} ms, statuses {summary['statuses']}")
            return row

        top_rate = max(float(r) for r in options.rates.split(","))
        floor_row = step(
            "floor: hash + INSERT", lambda i: _floor_request(name(FLOOR_PREFIX)),
            top_rate, int(top_rate * options.step_seconds),
        )
        for rate in [float(r) for r in options.rates.split(",")]:
            step("web sign-up", lambda i: forms[i % len(forms)].request(name(PREFIX)), rate,
                 int(rate * options.step_seconds), floor_row)
        if options.burst:
            step(f"burst {options.burst} in {options.burst_seconds:g} s",
                 lambda i: forms[i % len(forms)].request(name(PREFIX)),
                 options.burst / options.burst_seconds, options.burst, floor_row)
        # Tasks still queued when the surge ends (keys, mails), and how long they take to drain.
        drain_started = time.perf_counter()
        created = Account.objects.filter(username__startswith=PREFIX + run)
        while created.filter(private_key="").exists() and time.perf_counter() - drain_started < 120:
            time.sleep(0.5)
        keys_done = created.exclude(private_key="").count()
        drain = {
            "accounts_created": created.count(),
            "with_keys_after_drain": keys_done,
            "drain_seconds": round(time.perf_counter() - drain_started, 1),
            "unconfirmed_users": User.objects.filter(username__startswith=PREFIX + run,
                                                     email_confirmed_at__isnull=True).count(),
        }
    deleted = _cleanup()

    print(f"\n$ {common.command_line()}")
    common.print_table(
        f"Sign-up surge through /auth/sign_up: gunicorn {options.workers} workers; hasher "
        f"{hasher.algorithm} ({getattr(hasher, 'iterations', '')}), {hash_cpu_ms:.0f} ms CPU per hash",
        ["what", "offered/s", "offered", "accepted/s", "p50 ms", "p99 ms", "errors", "not sent",
         "x floor accepted/s"],
        [[r["what"], r["offered_per_s"], r["offered"], r["accepted_per_s"], r.get("p50_ms"),
          r.get("p99_ms"), r["errors"], r["not_sent_in_time"], r.get("x_floor_accepted_per_s")]
         for r in rows],
    )
    print(f"after the surge: {drain['with_keys_after_drain']:,} of {drain['accounts_created']:,} "
          f"accounts had their key pair {drain['drain_seconds']} s later (task worker); "
          f"{deleted:,} benchmark rows removed")
    common.write_results("signup", {
        "options": vars(options), "hasher": hasher.algorithm, "hash_cpu_ms": round(hash_cpu_ms, 1),
        "rows": rows, "tasks_after_surge": drain,
    })


if __name__ == "__main__":
    main()
