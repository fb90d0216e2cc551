"""The nightly run as the billing layer runs it: a chunk of accounts is billed by quota and its
bills are settled by the wallet, in the chunk's one transaction (quota's `billing_chunk_process`
takes the settlement as its `settle` step, so quota never imports the wallet).

Also the synchronous runs (the command, the tests, benchmarks): the same chunk code as the
Celery tasks; `workers` > 1 forks processes on this machine that claim the day's chunks with
SKIP LOCKED, so they never wait for each other.
"""

import logging
import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connections

from common.dates import billing_day
from quota.models import BillingRun
from quota.services.catchup import deduction_days_beyond_catch_up, deduction_days_due
from quota.services.operators import operators_notify_beyond_catch_up
from quota.services.rerate import RerateReport, day_rerate, late_usage_rerate_due
from quota.services.runs import (
    ChunkOutcome,
    billing_chunk_process,
    billing_run_claim_and_process,
    billing_run_open,
    billing_run_pending_chunks,
    billing_run_refresh_progress,
    billing_run_resume,
    billing_run_retry_isolated,
)
from wallet.services.adjustments import adjustments_settle
from wallet.services.settlement import bills_settle

logger = logging.getLogger(__name__)
PROGRESS_POLL_SECONDS = 0.5


def billing_chunk_run(*, chunk_id: int, now: datetime) -> ChunkOutcome:
    """Bill and settle one chunk in one transaction (a Celery task's unit of work)."""
    return billing_chunk_process(chunk_id=chunk_id, now=now, settle=bills_settle)


def billing_run_claim_and_run(*, run_id: int, now: datetime) -> ChunkOutcome | None:
    """Claim the next pending chunk of the run that no other worker holds, bill and settle it;
    None when there is none left."""
    return billing_run_claim_and_process(run_id=run_id, now=now, settle=bills_settle)


def _work_run(run_id: int, now: datetime) -> int:
    """Claim and bill chunks of the run until none is left; returns the chunks billed."""
    billed = 0
    while billing_run_claim_and_run(run_id=run_id, now=now) is not None:
        billed += 1
    return billed


def _worker_process(run_id: int, now: datetime, errors) -> None:
    connections.close_all()  # never share the parent's connection across fork
    try:
        _work_run(run_id, now)
    except Exception as error:
        errors.put(f"{type(error).__name__}: {error}")
    finally:
        connections.close_all()


def _work_in_processes(
    run: BillingRun, now: datetime, workers: int, on_progress: Callable[[int, int], None] | None
) -> None:
    connections.close_all()
    context = multiprocessing.get_context("fork")
    errors = context.Queue()
    processes = [
        context.Process(target=_worker_process, args=(run.pk, now, errors), daemon=True)
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    while any(process.is_alive() for process in processes):
        time.sleep(PROGRESS_POLL_SECONDS)
        if on_progress:
            run.refresh_from_db(fields=["done_chunks", "total_chunks"])
            on_progress(run.done_chunks, run.total_chunks)
    for process in processes:
        process.join()
    failures = []
    while not errors.empty():
        failures.append(errors.get())
    if failures:
        raise RuntimeError(f"{len(failures)} worker(s) failed: {failures[0]}")
    crashed = [process.exitcode for process in processes if process.exitcode]
    if crashed:
        raise RuntimeError(f"{len(crashed)} worker process(es) died (exit {crashed[0]})")


def deduction_run_day(
    *,
    day: date,
    now: datetime,
    on_progress: Callable[[int, int], None] | None = None,
    chunk_workspaces: int | None = None,
    workers: int = 1,
) -> BillingRun:
    """Bill one day synchronously: the same code as the tasks.

    Accounts isolated by an earlier attempt are retried once; an account that fails again
    stays isolated and the day is `partial`.
    """
    run = billing_run_open(day=day, now=now, chunk_workspaces=chunk_workspaces)
    billing_run_resume(run=run)
    billing_run_retry_isolated(run=run)
    billing_run_refresh_progress(run_id=run.pk)
    run.refresh_from_db()
    if on_progress:
        on_progress(run.done_chunks, run.total_chunks)
    if billing_run_pending_chunks(run=run):
        if workers > 1:
            _work_in_processes(run, now, workers, on_progress)
        else:
            while billing_run_claim_and_run(run_id=run.pk, now=now) is not None:
                if on_progress:
                    run.refresh_from_db(fields=["done_chunks", "total_chunks"])
                    on_progress(run.done_chunks, run.total_chunks)
    run.refresh_from_db()
    return run


@dataclass
class CatchUpReport:
    runs: list[BillingRun]
    beyond_catch_up: list[date]
    rerated: RerateReport | None = None


def late_usage_rerate(*, now: datetime) -> RerateReport:
    """Re-rate every account-day that received late usage, settling the differences in the
    wallet (SPEC 6.2): what the nightly pass does once every due day is billed."""
    return late_usage_rerate_due(now=now, settle=adjustments_settle)


def day_rerate_now(*, day: date, now: datetime, account_id: int | None = None) -> RerateReport:
    """`rerate_day`: re-rate a billed day by hand, for every account or one."""
    return day_rerate(day=day, now=now, settle=adjustments_settle, account_id=account_id)


def deduction_run_due(
    *,
    now: datetime,
    on_progress: Callable[[date, int, int], None] | None = None,
    chunk_workspaces: int | None = None,
    workers: int = 1,
) -> CatchUpReport:
    """Bill every due day, oldest first (what the nightly task does, synchronously)."""
    today = billing_day(now)
    runs = []
    for day in deduction_days_due(today=today):
        runs.append(
            deduction_run_day(
                day=day,
                now=now,
                on_progress=(lambda done, total, day=day: on_progress(day, done, total))
                if on_progress
                else None,
                chunk_workspaces=chunk_workspaces,
                workers=workers,
            )
        )
    beyond = deduction_days_beyond_catch_up(today=today)
    if beyond:
        operators_notify_beyond_catch_up(days=beyond)
    rerated = late_usage_rerate(now=now)
    return CatchUpReport(runs=runs, beyond_catch_up=beyond, rerated=rerated)
