"""Celery tasks of the nightly run: thin wrappers that pass the time in and decide retries."""

import logging

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from common.dates import billing_day
from quota.models import BillingRun, RunStatus
from quota.services import (
    billing_chunk_process,
    billing_chunk_record_error,
    billing_run_open,
    billing_run_pending_chunks,
    billing_run_resume,
    deduction_days_due,
)

logger = logging.getLogger(__name__)


@shared_task(name="quota.deduction_nightly", expires=20 * 3600)
def deduction_nightly() -> str:
    """Bill the oldest unbilled day: dispatch its chunks; the last chunk calls this again."""
    now = timezone.now()
    due = deduction_days_due(today=billing_day(now))
    if not due:
        return "nothing due"
    run = billing_run_open(day=due[0], now=now)
    billing_run_resume(run=run)
    pending = billing_run_pending_chunks(run=run)
    if not pending:
        # Opened with no work (no usage that day): go on with the next day.
        if len(due) > 1:
            deduction_nightly.delay()
        return f"{run.day}: nothing to bill"
    for chunk_id in pending:
        deduction_chunk.delay(chunk_id)
    return f"{run.day}: {len(pending)} chunk(s) dispatched"


@shared_task(
    name="quota.deduction_chunk",
    bind=True,
    acks_late=True,
    max_retries=5,
    expires=20 * 3600,
)
def deduction_chunk(self, chunk_id: int) -> int:
    try:
        written = billing_chunk_process(chunk_id=chunk_id, now=timezone.now())
    except OperationalError as error:  # a lost connection or a deadlock: try again
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
    run = BillingRun.objects.filter(chunks__pk=chunk_id).first()
    if run is not None and run.status == RunStatus.DONE:
        deduction_nightly.delay()  # the next unbilled day, oldest first
    return written
