"""Benchmark of the nightly run: N workspaces, one day, 1 and 2 worker processes, and the SQL floor.

.venv/bin/python scripts/stack.py bench nightly [--workspaces 10000,30000,100000] [--workers 1,2]
"""

import argparse
import multiprocessing
import platform
import statistics
import time

from dataset import BENCH_DAY, build, log, reset_bills
from django.db import connection, connections
from django.utils import timezone

from billing.services.nightly import billing_chunk_run, deduction_run_day
from common.dates import ONE_DAY, day_start
from quota.models import BillingRun, DailyBill, DailyBillLine, UsageSample
from quota.services import billing_run_open

NOW = day_start(BENCH_DAY + ONE_DAY) + timezone.timedelta(minutes=10)


def _work(chunk_ids: list[int]) -> int:
    connections.close_all()
    return sum(
        billing_chunk_run(chunk_id=chunk_id, now=NOW).bills_written for chunk_id in chunk_ids
    )


def run_with(workers: int) -> float:
    with connection.cursor() as cursor:
        reset_bills(cursor)
    started = time.perf_counter()
    if workers == 1:
        run = deduction_run_day(day=BENCH_DAY, now=NOW)
    else:
        run = billing_run_open(day=BENCH_DAY, now=NOW)
        chunk_ids = list(run.chunks.order_by("index").values_list("pk", flat=True))
        connections.close_all()
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pool.map(_work, [chunk_ids[index::workers] for index in range(workers)])
        run = BillingRun.objects.get(pk=run.pk)
    elapsed = time.perf_counter() - started
    assert run.status == "done", run.status
    return elapsed


def sql_floor() -> float:
    """The same bills and lines written by one INSERT … SELECT each, aggregating the samples in SQL."""
    with connection.cursor() as cursor:
        reset_bills(cursor)
        run = billing_run_open(day=BENCH_DAY + 2 * ONE_DAY, now=NOW + 3 * ONE_DAY)
        started = time.perf_counter()
        cursor.execute(
            """
            INSERT INTO quota_dailybill (workspace_id, account_id, day, subscription_id, total,
                                         run_id, created_at)
            SELECT w.id, w.account_id, u.day, NULL, 0, %s, now()
            FROM quota_usageday u JOIN workspaces_workspace w ON w.id = u.workspace_id
            WHERE u.day = %s
            """,
            [run.pk, BENCH_DAY],
        )
        cursor.execute(
            """
            INSERT INTO quota_dailybillline (bill_id, item_id, retention_days, quantity, converted_quantity,
                plan_covered, traffic_covered, traffic_by_pack, payg_quantity, unit_price, amount, reason)
            SELECT b.id, s.item_id, s.retention_days, SUM(s.quantity), SUM(s.quantity), 0, 0, '{}',
                   SUM(s.quantity), 1, 0, ''
            FROM quota_usagesample s JOIN quota_dailybill b ON b.workspace_id = s.workspace_id
            WHERE s.day = %s
            GROUP BY b.id, s.item_id, s.retention_days
            """,
            [BENCH_DAY],
        )
        elapsed = time.perf_counter() - started
        reset_bills(cursor)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workspaces", default="10000,30000,100000")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--hours", type=int, default=24)
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each; the table shows medians"
    )
    parser.add_argument(
        "--profile", action="store_true", help="profile one 1-worker run of the first size"
    )
    parser.add_argument(
        "--sql-profile", action="store_true", help="time each SQL statement of a 1-worker run"
    )
    parser.add_argument("--sort", default="cumulative", help="profile order (cumulative, tottime)")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the data already in the database"
    )
    args = parser.parse_args()
    if args.sql_profile:
        import collections
        import re

        spent = collections.Counter()
        calls = collections.Counter()

        def timed(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                text = sql if isinstance(sql, str) else sql.decode()
                shape = re.sub(r"\s+", " ", text)[:110]
                spent[shape] += time.perf_counter() - started
                calls[shape] += 1

        with connection.execute_wrapper(timed):
            run_with(1)
        for shape, seconds in spent.most_common(15):
            log(f"{seconds:7.2f} s {calls[shape]:6d}×  {shape}")
        return
    if args.profile:
        import cProfile
        import pstats

        if not args.reuse:
            build(int(args.workspaces.split(",")[0]), hours=args.hours)
        profiler = cProfile.Profile()
        profiler.runcall(run_with, 1)
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(45)
        return
    log(
        f"machine: {platform.processor() or platform.machine()}, {multiprocessing.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    results = []
    for size in [int(value) for value in args.workspaces.split(",")]:
        if args.reuse:
            data = {"samples": UsageSample.objects.filter(day=BENCH_DAY).count()}
        else:
            log(f"building {size:,} workspaces …")
            data = build(size, hours=args.hours)
        row = {"workspaces": size, "samples": data["samples"]}
        for workers in [int(value) for value in args.workers.split(",")]:
            timings = []
            for _ in range(args.repeat):
                timings.append(run_with(workers))
                log(
                    f"  run with {workers} worker(s): {timings[-1]:.1f} s "
                    f"({DailyBill.objects.count():,} bills, {DailyBillLine.objects.count():,} lines)"
                )
            row[f"{workers}w"] = statistics.median(timings)
        floors = []
        for _ in range(args.repeat):
            floors.append(sql_floor())
            log(f"  SQL floor (INSERT … SELECT with aggregation): {floors[-1]:.1f} s")
        row["floor"] = statistics.median(floors)
        results.append(row)
    log("")
    log(f"(medians of {args.repeat} run(s) each)")
    log(
        "| workspaces | samples | "
        + " | ".join(f"{w} worker(s)" for w in args.workers.split(","))
        + " | SQL floor | ratio (1 worker / floor) |"
    )
    log("|---|---|" + "---|" * len(args.workers.split(",")) + "---|---|")
    for row in results:
        timings = " | ".join(f"{row[f'{w}w']:.1f} s" for w in args.workers.split(","))
        log(
            f"| {row['workspaces']:,} | {row['samples']:,} | {timings} | {row['floor']:.1f} s | "
            f"{row['1w'] / row['floor']:.1f}× |"
        )


if __name__ == "__main__":
    main()
