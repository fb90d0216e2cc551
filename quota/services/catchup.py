"""Which days to bill, and billing them synchronously (the command, the tests, benchmarks).

The same chunk code as the Celery tasks; `workers` > 1 forks processes on this machine that
claim the day's chunks with SKIP LOCKED, so they never wait for each other.
"""

import logging
import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connections

from common.dates import ONE_DAY, billing_day
from quota.models import BillingRun, RunStatus, UsageDay
from quota.services.operators import operators_notify_beyond_catch_up
from quota.services.runs import (
    billing_chunks_mark_dispatched,
    billing_run_claim_and_process,
    billing_run_open,
    billing_run_pending_chunks,
    billing_run_refresh_progress,
    billing_run_resume,
    billing_run_retry_isolated,
)

logger = logging.getLogger(__name__)
PROGRESS_POLL_SECONDS = 0.5


def _work_run(run_id: int, now: datetime) -> int:
    """Claim and bill chunks of the run until none is left; returns the chunks billed."""
    billed = 0
    while billing_run_claim_and_process(run_id=run_id, now=now) is not None:
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
            while billing_run_claim_and_process(run_id=run.pk, now=now) is not None:
                if on_progress:
                    run.refresh_from_db(fields=["done_chunks", "total_chunks"])
                    on_progress(run.done_chunks, run.total_chunks)
    run.refresh_from_db()
    return run


def deduction_days_due(*, today: date) -> list[date]:
    """Days to bill, oldest first: yesterday, unfinished runs, unbilled days with usage."""
    horizon = today - timedelta(days=settings.USAGE_MAX_AGE_DAYS + 1)
    finished = set(
        BillingRun.objects.filter(status=RunStatus.DONE, day__gte=horizon).values_list(
            "day", flat=True
        )
    )
    with_usage = set(
        UsageDay.objects.filter(day__gte=horizon, day__lt=today)
        .values_list("day", flat=True)
        .distinct()
    )
    unfinished = set(
        BillingRun.objects.exclude(status=RunStatus.DONE).values_list("day", flat=True)
    )
    due = (with_usage - finished) | unfinished | ({today - ONE_DAY} - finished)
    return sorted(due)


def deduction_days_beyond_catch_up(*, today: date) -> list[date]:
    """Unbilled days with usage older than catch-up looks (operators bill them by hand)."""
    horizon = today - timedelta(days=settings.USAGE_MAX_AGE_DAYS + 1)
    with_usage = set(
        UsageDay.objects.filter(day__lt=horizon).values_list("day", flat=True).distinct()
    )
    with_run = set(BillingRun.objects.filter(day__lt=horizon).values_list("day", flat=True))
    return sorted(with_usage - with_run)


@dataclass
class CatchUpReport:
    runs: list[BillingRun]
    beyond_catch_up: list[date]


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
    return CatchUpReport(runs=runs, beyond_catch_up=beyond)


def deduction_pass_next(
    *, now: datetime, pass_started: datetime, first: bool
) -> tuple[BillingRun | None, list[int]]:
    """The next work of a nightly pass: the oldest due day that has pending chunks, opened and
    its chunks marked as sent (the caller sends them). (None, []) when the pass is over.

    Accounts isolated before the pass started are retried once per pass; a day left partial by
    them does not hold back the days after it. The first step of a pass also names the unbilled
    days older than catch-up to operators.
    """
    today = billing_day(now)
    if first:
        beyond = deduction_days_beyond_catch_up(today=today)
        if beyond:
            operators_notify_beyond_catch_up(days=beyond)
    for day in deduction_days_due(today=today):
        run = billing_run_open(day=day, now=now)
        billing_run_resume(run=run)
        billing_run_retry_isolated(run=run, failed_before=pass_started)
        pending = billing_run_pending_chunks(run=run)
        if pending:
            billing_chunks_mark_dispatched(chunk_ids=pending, now=now)
            return run, pending
    return None, []
