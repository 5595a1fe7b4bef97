"""`make bench`: every benchmark in turn, each in its own process, on the benchmark
PostgreSQL database and Redis database; then one summary table of headline figures, each
with its ratio to the floor measured in the same run, and bench/results/suite-<date>.json.

    .venv/bin/python -m bench.run_all [--quick]
        [--only timeline_and_post,fanout,signup,pages_http,memory,inbox,delivery,loadtest]
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from bench import common

BENCHMARKS = {
    # name: (arguments, quick arguments)
    "seed": ([], []),
    "timeline_and_post": (["--requests", "200", "--posts", "50"], ["--requests", "40", "--posts", "10"]),
    "fanout": (["--posts", "10"], ["--posts", "3"]),
    "signup": ([], ["--rates", "2,5", "--step-seconds", "4", "--burst", "100"]),
    "pages_http": (["--seconds", "6"], ["--seconds", "3", "--clients", "1,16"]),
    "memory": ([], ["--requests", "2000"]),
    "inbox": ([], ["--count", "500", "--seconds", "5"]),
    "delivery": ([], ["--domains", "300"]),
    "loadtest": ([], ["--minutes", "1"]),
}


def run(name: str, args: list[str]) -> tuple[dict | None, float]:
    command = [sys.executable, "-m", f"bench.{name}", *args]
    common.log("$ " + " ".join(["python", "-m", f"bench.{name}", *args]))
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=common.ROOT, stdout=subprocess.PIPE, text=True)
    path = None
    for line in process.stdout:
        print(line, end="", flush=True)
        if line.startswith("JSON: "):
            path = common.ROOT / line[6:].strip()
    process.wait()
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        common.log(f"bench.{name} failed ({process.returncode})")
        return None, elapsed
    return (json.loads(Path(path).read_text()) if path else None), elapsed


def _verdict(met: bool | None) -> str:
    return "-" if met is None else ("met" if met else "MISSED")


def headline(results: dict) -> list[list]:
    """[benchmark, figure, value, unit, ratio to floor, what the ratio is, issue 6's target,
    met or missed]."""
    rows = []

    def add(bench, figure, value, unit, ratio=None, meaning="", target="", met=None):
        rows.append([bench, figure, value, unit, ratio, meaning, target, _verdict(met)])

    tp = results.get("timeline_and_post")
    if tp:
        for row in tp["timelines"]:
            if row["what"].startswith(("GET /home", "timeline_home")) and row["page"] == "1":
                add("timeline_and_post", f"{row['what']} p50 ({row['mode']})", row["p50_ms"], "ms",
                    row.get("ratio_p50"), "x floor p50 (lower is better)")
        for row in tp["posts"]:
            if row["what"].startswith("status_create") and row["mode"] == "redis":
                add("timeline_and_post", f"post, K={row['K']} p50", row["p50_ms"], "ms",
                    row.get("ratio_p50"), "x floor p50")
    fan = results.get("fanout")
    if fan:
        for row in fan["in_process"]:
            if row["what"].startswith("feed_push") and row["N"] >= 10_000:
                add("fanout", f"feed_push N={row['N']:,} µs/follower", row["us_per_follower_p50"], "µs",
                    row.get("x_floor_p50"), "x floor p50", "≤ 100 µs",
                    row["us_per_follower_p50"] is not None and row["us_per_follower_p50"] <= 100)
        for row in fan["end_to_end"]:
            if row["N"] >= 10_000:
                add("fanout", f"{row['what']} N={row['N']:,}", row.get("p50_ms"), "ms",
                    row.get("x_floor_p50"), "x floor p50", "< 1,000 ms",
                    row.get("p50_ms") is not None and row["p50_ms"] < 1000)
    signup = results.get("signup")
    if signup:
        web = [r for r in signup["rows"] if r["what"] == "web sign-up"]
        if web:
            best = max(web, key=lambda r: r["accepted_per_s"])
            add("signup", f"accepted/s at {best['offered_per_s']:g}/s offered", best["accepted_per_s"], "/s",
                best.get("x_floor_accepted_per_s"), "x floor (higher is better)", "≥ 20/s",
                best["accepted_per_s"] >= 20)
        for row in signup["rows"]:
            if row["what"].startswith("burst"):
                add("signup", f"{row['what']}: errors / p99", f"{row['errors']} / {row.get('p99_ms')}",
                    "n / ms", row.get("x_floor_accepted_per_s"), "x floor accepted/s", "no 5xx",
                    row.get("server_errors", row["errors"]) == 0)
    pages = results.get("pages_http")
    if pages:
        for row in pages["rows"]:
            what = row["what"]
            if what.startswith("floor") or "page 5" in what or "40 items" in what:
                continue
            if what.startswith(("GET /home", "API home")) and row["clients"] != 16:
                continue
            home = what.startswith(("GET /home", "API home"))
            add("pages_http", f"{what} ×{row['clients']}", row["rps"], "req/s",
                row.get("x_floor_rps"), "x floor req/s (higher is better)",
                "≥ 0.5 x floor" if home else "", (row.get("x_floor_rps") or 0) >= 0.5 if home else None)
            if row["clients"] == 16:
                add("pages_http", f"{what} ×16 p99", row.get("p99_ms"), "ms",
                    row.get("x_floor_p99"), "x floor p99", "< 100 ms",
                    row.get("p99_ms") is not None and row["p99_ms"] < 100)
        memory = pages["memory"]
        if memory.get("after_run_mb"):
            most = max(memory["after_run_mb"].values())
            add("pages_http", f"web worker RSS after {memory['requests_served']:,} requests (max)",
                most, "MB", target="< 100 MB", met=most < 100)
    memory = results.get("memory")
    if memory:
        served = min(worker["requests"] for worker in memory["at_end"].values())
        moments = (("after_warmup", "after warm-up"), ("at_end", f"after {served:,} requests each"))
        for moment, label in moments:
            workers = memory[moment].values()
            most = max(w["rss_mb"] for w in workers)
            add("memory", f"web worker RSS / PSS {label} (max)",
                f"{most} / {max(w['pss_mb'] for w in workers)}", "MB", target="< 100 MB RSS",
                met=most < 100)
    inbox = results.get("inbox")
    if inbox:
        add("inbox", "accepted/s (signed, 202)", inbox["accepted_per_s"], "/s", inbox.get("x_floor_accepted"),
            "x floor accepted/s (higher is better)", "≥ 500/s", inbox["accepted_per_s"] >= 500)
        add("inbox", "processed/s (ingress workers, backlog)", inbox["processed_per_s"], "/s")
        sustained = inbox["sustained"]
        rate = inbox["options"]["rate"]
        accepted = inbox.get("sustained_accepted_per_s") or 0
        # Keeping up (as bench.inbox says it): all offered accepted, and what is left when
        # sending stops is at most 2 s of arrivals.
        add("inbox", f"sustained {rate:g}/s offered: accepted/s / backlog",
            f"{accepted} / {sustained['backlog_at_end']}", "/s / rows",
            target=f"{rate:g}/s kept up with",
            met=accepted >= 0.95 * rate and sustained["backlog_at_end"] <= 2 * rate)
    delivery = results.get("delivery")
    if delivery:
        for row in delivery["rows"][1:]:
            add("delivery", f"{row['what']}: signed/s", row["per_s"], "/s", row["x_floor"],
                "x floor unsigned POSTs/s", "≥ 1,000/s", row["per_s"] >= 1000)
        add("delivery", "exactly one POST per shared inbox", "yes" if delivery["exactly_one_post"] else "no",
            "", target="yes", met=delivery["exactly_one_post"])
        # "Dead servers not slowing the others": within a quarter of the healthy run.
        add("delivery", "time to last good delivery, with bad ÷ without", delivery["slowdown_with_bad"], "x",
            target="≤ 1.25 x", met=delivery["slowdown_with_bad"] <= 1.25)
    loadtest = results.get("loadtest")
    if loadtest:
        minutes = loadtest["options"]["minutes"]
        add("loadtest", f"mixed load {minutes:g} min: requests/s", loadtest["per_s"], "/s")
        add("loadtest", "mixed load: 5xx", loadtest["server_errors"], "n", target="0",
            met=loadtest["server_errors"] == 0)
        for kind in ("web home", "API home timeline", "inbox (signed)", "web sign-up"):
            row = loadtest["rows"].get(kind)
            if row and row.get("p99_ms") is not None:
                add("loadtest", f"mixed load: {kind} p50 / p99", f"{row['p50_ms']} / {row['p99_ms']}", "ms")
        memory = loadtest["memory"]
        most = max(memory["web_at_end_mb"])
        add("loadtest", "web worker RSS at end (max)", most, "MB", target="< 100 MB", met=most < 100)
        add("loadtest", "task worker RSS at end (max, any queue)",
            max(max(v) for v in memory["tasks_at_end_mb"].values()), "MB")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests and shorter steps")
    parser.add_argument("--only", default="", help="comma list of benchmarks")
    options = parser.parse_args()
    chosen = [n for n in BENCHMARKS if not options.only or n in options.only.split(",") or n == "seed"]
    results, durations = {}, {}
    for name in chosen:
        full, quick = BENCHMARKS[name]
        results[name], durations[name] = run(name, quick if options.quick else full)
    common.setup()
    rows = headline(results)
    print(f"\n$ {common.command_line()}")
    common.print_table(
        "Pouet benchmark suite — headline figures (details and commands above; ratios to floors "
        "measured in the same run)",
        ["benchmark", "figure", "value", "unit", "ratio", "ratio is", "target", "verdict"], rows,
    )
    failed = [n for n in chosen if results.get(n) is None and n != "seed"]
    if failed:
        print(f"FAILED: {', '.join(failed)}")
    common.write_results("suite", {
        "options": vars(options), "headline": rows, "failed": failed,
        "durations_s": {k: round(v) for k, v in durations.items()},
        "results": {k: v for k, v in results.items() if v},
    })
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
