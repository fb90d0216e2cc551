"""Celery tasks of the billing layer: the nightly run (bill in quota, settle in the wallet) and
the monthly statements. Thin wrappers that pass the time in and decide retries.

Registered names stay those of the apps the tasks came from ("quota.deduction_chunk",
"orders.statements_monthly", …): beat schedules stored in the database and tasks already queued
name them.
"""

import logging
from datetime import datetime

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from billing.selectors import month_bounds
from billing.services.nightly import billing_chunk_run, late_usage_rerate
from billing.services.statements import statements_generate
from common.dates import billing_day
from quota.services import billing_watchdog, deduction_pass_next

logger = logging.getLogger(__name__)


@shared_task(name="quota.deduction_nightly", expires=20 * 3600)
def deduction_nightly(pass_started: str | None = None) -> str:
    """One step of a nightly pass: send the chunks of the oldest due day that has work; the
    chunk that finishes that day calls this again with the same pass."""
    now = timezone.now()
    first = pass_started is None
    pass_started = pass_started or now.isoformat()
    run, pending = deduction_pass_next(
        now=now, pass_started=datetime.fromisoformat(pass_started), first=first
    )
    for chunk_id in pending:
        deduction_chunk.delay(chunk_id, pass_started)
    if run is None:  # every due day is billed: re-rate the days that received late usage
        late_usage_rerate_task.delay()
        return "nothing due; late usage re-rating sent"
    return f"{run.day}: {len(pending)} chunk(s) dispatched"


@shared_task(name="billing.late_usage_rerate", expires=20 * 3600)
def late_usage_rerate_task() -> str:
    """Re-rate the account-days with late usage (SPEC 6.2); each commits on its own."""
    report = late_usage_rerate(now=timezone.now())
    return (
        f"{report.account_days} account-day(s) re-rated, {len(report.adjustments)} "
        f"adjustment(s), {len(report.skipped)} not billed yet"
    )


@shared_task(
    name="quota.deduction_chunk",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,  # a pool child killed mid-chunk: the task goes back to the queue
    max_retries=5,
    expires=20 * 3600,
)
def deduction_chunk(self, chunk_id: int, pass_started: str | None = None) -> int:
    """Bill one chunk. The service records a failure (on a fresh connection) before raising;
    a lost connection or a deadlock is retried here, and the watchdog sends the chunk again if
    every retry is used up."""
    try:
        outcome = billing_chunk_run(chunk_id=chunk_id, now=timezone.now())
    except (OperationalError, InterfaceError) as error:
        raise self.retry(exc=error, countdown=min(60, 5 * (self.request.retries + 1))) from error
    except Exception:
        logger.exception("billing chunk %s failed", chunk_id)
        raise
    if outcome.finished_run:
        deduction_nightly.delay(pass_started)  # the next day with work, oldest first
    return outcome.bills_written


@shared_task(name="quota.billing_watchdog", expires=600)
def billing_watchdog_task() -> str:
    """Every few minutes: work of the nightly run that nobody does is sent again."""
    report = billing_watchdog(
        now=timezone.now(),
        dispatch=lambda chunk_id: deduction_chunk.delay(chunk_id),
        start_pass=lambda: deduction_nightly.delay(),
    )
    return (
        f"{len(report.redispatched)} chunk(s) sent again, {len(report.busy)} busy, "
        f"{len(report.finished_runs)} run(s) finished, {len(report.stalled_runs)} stalled"
        + (", nightly pass started" if report.started_pass else "")
    )


@shared_task(name="orders.statements_monthly", expires=20 * 3600)
def statements_monthly() -> str:
    today = billing_day(timezone.now())
    first_of_this_month, _ = month_bounds(today)
    previous = (first_of_this_month.replace(day=1) - timezone.timedelta(days=1)).replace(day=1)
    written = statements_generate(month=previous, now=timezone.now())
    return f"{written} statement(s) for {previous:%Y-%m}"
