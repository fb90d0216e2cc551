"""Benchmark: does history slow the usage store? Ingestion and the nightly run, with an empty
store and with 60 days of samples already stored.

    .venv/bin/python scripts/stack.py bench history [--workspaces 5000] [--days 60]

Builds N workspaces and one day of samples (bench/dataset.py), adds `--days` days of history
before it (each as large as the bench day), and measures (a) ingestion: `usage_ingest` of 30
batches of 10,000 distinct samples into a new day, and (b) the 1-worker nightly run of the bench
day; then drops the history partitions and measures both again on the empty store. Also prints
the bytes per stored sample.
"""

import argparse
import json
import statistics
import time

from dataset import BENCH_DAY, build, insert_samples, log, reset_bills
from django.db import connection
from ingest import batches

from billing.services.nightly import deduction_run_day
from common.dates import ONE_DAY, day_start
from quota.partitions import drop_partition, partition_name, partition_sizes
from quota.services import usage_ingest

NOW = day_start(BENCH_DAY + 30 * ONE_DAY)


def ingest(day, workspaces: int, count: int = 30) -> float:
    """Samples per second through the ingestion service, 10,000-sample batches, a fresh day."""
    bodies = batches(count, workspaces, day)  # the bodies of the HTTP benchmark
    started = time.perf_counter()
    sent = 0
    for body in bodies:
        samples = json.loads(body)["samples"]  # parsed per batch, as the API would
        sent += usage_ingest(samples=samples, now=NOW, operator_import=True).accepted
    return sent / (time.perf_counter() - started)


def nightly() -> float:
    with connection.cursor() as cursor:
        reset_bills(cursor)
    started = time.perf_counter()
    run = deduction_run_day(day=BENCH_DAY, now=day_start(BENCH_DAY + ONE_DAY))
    assert run.status == "done", run.status
    return time.perf_counter() - started


def measure(label: str, workspaces: int, ingest_days, repeat: int) -> tuple[float, float]:
    """Medians of `repeat` rounds, after one warm-up round (caches, hint bits)."""
    nightly()
    rates = [ingest(day, workspaces) for day in ingest_days[:repeat]]
    seconds = [nightly() for _ in range(repeat)]
    rate, night = statistics.median(rates), statistics.median(seconds)
    log(
        f"  {label}: ingestion {rate:,.0f} samples/s ({', '.join(f'{r:,.0f}' for r in rates)}), "
        f"nightly run {night:.2f} s ({', '.join(f'{s:.2f}' for s in seconds)})"
    )
    return rate, night


def history_days(days: int) -> list:
    return [BENCH_DAY - back * ONE_DAY for back in range(1, days + 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workspaces", type=int, default=5000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the bench day and history already stored"
    )
    args = parser.parse_args()
    if not args.reuse:
        log(f"building {args.workspaces:,} workspaces …")
        build(args.workspaces)
    with connection.cursor() as cursor:
        present = {day for day, _, _ in partition_sizes()}
        missing = [day for day in history_days(args.days) if day not in present]
        started = time.perf_counter()
        cursor.execute("SET session_replication_role = replica")  # history rows: no FK checks
        stored = sum(insert_samples(cursor, day) for day in missing)
        cursor.execute("SET session_replication_role = origin")
        log(f"  {stored:,} history samples added in {time.perf_counter() - started:.0f} s")
        cursor.execute("VACUUM ANALYZE quota_usagesample")  # nothing left for autovacuum to do
    sizes = {day: (rows, size) for day, rows, size in partition_sizes()}
    history_rows = sum(sizes[day][0] for day in history_days(args.days))
    future = [BENCH_DAY + offset * ONE_DAY for offset in range(1, 2 * args.repeat + 1)]
    full = measure(f"{args.days} days stored", args.workspaces, future[: args.repeat], args.repeat)
    with connection.cursor() as cursor:
        for day in history_days(args.days) + future:
            drop_partition(cursor, day)
        cursor.execute("ANALYZE quota_usagesample")
    empty = measure("empty store", args.workspaces, future, args.repeat)
    rows, size = sizes[BENCH_DAY]
    total = sum(size for _, size in sizes.values())
    log("")
    log(f"(medians of {args.repeat} rounds after a warm-up round)")
    log(f"| store | ingestion (samples/s) | nightly run, {args.workspaces:,} workspaces |")
    log("|---|---|---|")
    log(f"| empty | {empty[0]:,.0f} | {empty[1]:.2f} s |")
    log(f"| {args.days} days ({history_rows:,} samples) | {full[0]:,.0f} | {full[1]:.2f} s |")
    log(
        f"| change | {100 * (full[0] / empty[0] - 1):+.1f} % | "
        f"{100 * (full[1] / empty[1] - 1):+.1f} % |"
    )
    log("")
    log(
        f"{partition_name(BENCH_DAY)}: {rows:,} samples, {size / 1e6:.1f} MB with its indexes = "
        f"{size / max(rows, 1):.0f} bytes a sample; all partitions {total / 1e9:.2f} GB"
    )


if __name__ == "__main__":
    main()
