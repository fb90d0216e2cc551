"""Which days the nightly run bills: yesterday, unfinished runs and unbilled days with usage,
oldest first; and the next step of a nightly pass (the tasks of the billing layer send it)."""

from datetime import date, datetime, timedelta

from django.conf import settings

from common.dates import ONE_DAY, billing_day
from quota.models import BillingRun, RunStatus, UsageDay
from quota.services.operators import operators_notify_beyond_catch_up
from quota.services.runs import (
    billing_chunks_mark_dispatched,
    billing_run_open,
    billing_run_pending_chunks,
    billing_run_resume,
    billing_run_retry_isolated,
)


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
