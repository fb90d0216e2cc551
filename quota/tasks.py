"""Celery tasks of the nightly run: thin wrappers that pass the time in and decide retries."""

import logging
from datetime import datetime

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from common.dates import billing_day
from quota.services import (
    billing_chunk_process,
    billing_chunk_record_error,
    billing_run_open,
    billing_run_pending_chunks,
    billing_run_resume,
    billing_run_retry_isolated,
    deduction_days_due,
)
from quota.services.operators import operators_notify_beyond_catch_up
from quota.services.runs import deduction_days_beyond_catch_up

logger = logging.getLogger(__name__)


@shared_task(name="quota.deduction_nightly", expires=20 * 3600)
def deduction_nightly(pass_started: str | None = None) -> str:
    """One pass over the due days, oldest first: dispatch the chunks of the first day that has
    work; the last chunk of that day calls this again with the same pass.

    Accounts isolated before the pass started are retried once per pass; a day left partial by
    them does not hold back the days after it.
    """
    now = timezone.now()
    today = billing_day(now)
    if pass_started is None:
        pass_started = now.isoformat()
        beyond = deduction_days_beyond_catch_up(today=today)
        if beyond:
            operators_notify_beyond_catch_up(days=beyond)
    started = datetime.fromisoformat(pass_started)
    for day in deduction_days_due(today=today):
        run = billing_run_open(day=day, now=now)
        billing_run_resume(run=run)
        billing_run_retry_isolated(run=run, failed_before=started)
        pending = billing_run_pending_chunks(run=run)
        if pending:
            for chunk_id in pending:
                deduction_chunk.delay(chunk_id, pass_started)
            return f"{run.day}: {len(pending)} chunk(s) dispatched"
    return "nothing due"


@shared_task(
    name="quota.deduction_chunk",
    bind=True,
    acks_late=True,
    max_retries=5,
    expires=20 * 3600,
)
def deduction_chunk(self, chunk_id: int, pass_started: str | None = None) -> int:
    try:
        outcome = billing_chunk_process(chunk_id=chunk_id, now=timezone.now())
    except (OperationalError, InterfaceError) as error:  # a lost connection, a deadlock: again
        billing_chunk_record_error(
            chunk_id=chunk_id, error=f"retrying: {error}", now=timezone.now()
        )
        raise self.retry(exc=error, countdown=min(60, 5 * (self.request.retries + 1))) from error
    except Exception as error:
        billing_chunk_record_error(
            chunk_id=chunk_id, error=f"{type(error).__name__}: {error}", now=timezone.now()
        )
        logger.exception("billing chunk %s failed", chunk_id)
        raise
    if outcome.finished_run:
        deduction_nightly.delay(pass_started)  # the next day with work, oldest first
    return outcome.bills_written
