"""The watchdog of the nightly run (beat, every few minutes): work finishes by itself.

A chunk task can be lost without an error: a pool child killed by the OOM killer, a worker
process killed before its task came back from the broker, Redis restarted with the queue in
it, Celery giving up after its retries while the database was away. The chunk then stays
pending with nobody working on it. The watchdog finds pending chunks that no worker holds
(their row is not locked) in runs that made no progress for BILLING_CHUNK_STALL_SECONDS and
sends them again; chunks are idempotent, so a task that was merely slow costs nothing. A run
whose chunks were sent again BILLING_CHUNK_MAX_REDISPATCHES times without progress is marked
`stalled` and operators are told once; the watchdog keeps trying, so it still finishes by
itself once the cause is gone.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max
from django_celery_beat.models import PeriodicTask

from common.dates import ONE_DAY, billing_day, billing_zone
from quota.models import BillingChunk, BillingRun, ChunkStatus, RunStatus
from quota.services.catchup import deduction_days_due
from quota.services.operators import operators_notify_stalled
from quota.services.runs import billing_run_refresh_progress

logger = logging.getLogger(__name__)
UNFINISHED = [RunStatus.RUNNING, RunStatus.FAILED, RunStatus.STALLED, RunStatus.PARTIAL]
NIGHTLY_AT = time(0, 10)  # the beat schedule of quota.deduction_nightly (Asia/Shanghai)


@dataclass
class WatchdogReport:
    redispatched: list[int] = field(default_factory=list)
    busy: list[int] = field(default_factory=list)  # pending chunks a worker holds right now
    finished_runs: list[int] = field(default_factory=list)
    stalled_runs: list[int] = field(default_factory=list)
    started_pass: bool = False


def _last_activity(run: BillingRun) -> datetime:
    activity = run.chunks.aggregate(finished=Max("finished_at"), dispatched=Max("dispatched_at"))
    return max(moment for moment in (run.created_at, *activity.values()) if moment is not None)


def _claim_idle_pending(run: BillingRun, now: datetime) -> tuple[list[int], list[int], bool]:
    """Pending chunks of the run: (idle ones, marked as sent again now; busy ones; stalled?)."""
    with transaction.atomic():
        pending = list(
            run.chunks.filter(status=ChunkStatus.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        idle = list(
            BillingChunk.objects.select_for_update(skip_locked=True)
            .filter(pk__in=pending)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        BillingChunk.objects.filter(pk__in=idle).update(
            dispatched_at=now, redispatches=F("redispatches") + 1
        )
        stalled = BillingChunk.objects.filter(
            pk__in=idle, redispatches__gte=settings.BILLING_CHUNK_MAX_REDISPATCHES
        ).exists()
    busy = [chunk_id for chunk_id in pending if chunk_id not in idle]
    return idle, busy, stalled


def _mark_stalled(run: BillingRun, now: datetime, reason: str) -> None:
    newly = (
        BillingRun.objects.filter(pk=run.pk)
        .exclude(status=RunStatus.STALLED)
        .update(status=RunStatus.STALLED, stalled_at=now)
    )
    if newly:
        operators_notify_stalled(day=run.day, reason=reason, last_error=run.last_error)


def _a_day_was_missed(now: datetime) -> bool:
    """A due day has no run although its nightly run should have opened it by now."""
    today = billing_day(now)
    opened = set(BillingRun.objects.values_list("day", flat=True).filter(day__lt=today))
    missed = [day for day in deduction_days_due(today=today) if day not in opened]
    if not missed:
        return False
    nightly = datetime.combine(today, NIGHTLY_AT, tzinfo=billing_zone())
    grace = timedelta(seconds=settings.BILLING_CHUNK_STALL_SECONDS)
    return min(missed) < today - ONE_DAY or now >= nightly + grace


def billing_watchdog(
    *,
    now: datetime,
    dispatch: Callable[[int], None],
    start_pass: Callable[[], object],
) -> WatchdogReport:
    """One round: send again the chunks nobody works on, finish what is finished, restart a
    nightly pass that never started or broke off. `dispatch(chunk_id)` sends a chunk task,
    `start_pass()` a nightly pass (the task layer passes Celery's .delay); none is started while
    the nightly schedule is paused."""
    report = WatchdogReport()
    stall = timedelta(seconds=settings.BILLING_CHUNK_STALL_SECONDS)
    in_flight = False
    for run in BillingRun.objects.filter(status__in=UNFINISHED).order_by("day"):
        if billing_run_refresh_progress(run_id=run.pk):
            report.finished_runs.append(run.pk)  # its last chunk died before counting itself
            continue
        if not run.chunks.filter(status=ChunkStatus.PENDING).exists():
            continue
        in_flight = True
        if now - _last_activity(run) < stall:
            continue
        idle, busy, stalled = _claim_idle_pending(run, now)
        report.busy += busy
        if stalled:
            run.refresh_from_db()
            _mark_stalled(
                run,
                now,
                f"{len(idle)} chunk(s) sent again {settings.BILLING_CHUNK_MAX_REDISPATCHES} "
                f"times without progress",
            )
            report.stalled_runs.append(run.pk)
        if idle:
            report.redispatched += idle
            transaction.on_commit(lambda ids=idle: [dispatch(chunk_id) for chunk_id in ids])
    if report.finished_runs or (not in_flight and _a_day_was_missed(now)):
        if nightly_schedule_paused():
            logger.warning("the nightly deduction is paused in admin: the watchdog starts no pass")
        else:
            start_pass()
            report.started_pass = True
    return report


def nightly_schedule_paused() -> bool:
    """Operators paused the nightly deduction in admin (SPEC 3.4): no pass is started for them."""
    return not PeriodicTask.objects.filter(task="quota.deduction_nightly", enabled=True).exists()
