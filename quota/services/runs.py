"""The nightly run (SPEC 3.4): open a day, split it into chunks of accounts, bill each chunk.

Each chunk commits atomically with its bills and, through the `settle` step the billing layer
passes in (billing/services/nightly.py: the wallet's settlement), their payment,
under a lock on the chunk row only, and is skipped once done: a day can be run again, by any
number of workers side by side, after a crash at any point, and ends with the rows of one clean
run. Workers claim pending chunks with SKIP LOCKED, so none waits for another; the run's
progress is counted from its chunks after each commit, never under a lock that chunks share.
"""

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Count, F, Max, Min, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from common.dates import billing_day
from quota.day_usage import deduction_compute_accounts
from quota.models import (
    BillingAccountFailure,
    BillingChunk,
    BillingRun,
    ChunkStatus,
    RunStatus,
    UsageDay,
)
from quota.selectors import catalog_snapshot
from quota.services.alerts import spend_alerts_check
from quota.services.compute import WrittenBill, bills_write
from quota.services.operators import operators_notify_isolated
from quota.services.usage import usage_lock_day_exclusive, usage_lock_day_shared

logger = logging.getLogger(__name__)


def worker_name() -> str:
    """host:pid of the process billing a chunk (read at call time: workers are forked)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _plan_chunks(day: date, chunk_workspaces: int) -> list[tuple[list[int], int]]:
    """Accounts with usage on `day`, in id order, packed into chunks of about N workspaces."""
    per_account = (
        UsageDay.objects.filter(day=day)
        .values_list("workspace__account_id")
        .annotate(workspaces=Count("workspace_id"))
        .order_by("workspace__account_id")
    )
    chunks: list[tuple[list[int], int]] = []
    accounts: list[int] = []
    size = 0
    for account_id, workspaces in per_account:
        accounts.append(account_id)
        size += workspaces
        if size >= chunk_workspaces:
            chunks.append((accounts, size))
            accounts, size = [], 0
    if accounts:
        chunks.append((accounts, size))
    return chunks


def billing_run_open(
    *, day: date, now: datetime, chunk_workspaces: int | None = None
) -> BillingRun:
    """The run of `day`: created with its chunk plan the first time, the same run afterwards.

    Creating it closes the day to new usage (under the day's exclusive advisory lock).
    """
    existing = BillingRun.objects.filter(day=day).first()
    if existing is not None:
        return existing
    if day >= billing_day(now):
        raise ValueError(f"{day} has not ended yet; only past days are billed.")
    chunk_workspaces = chunk_workspaces or settings.BILLING_CHUNK_WORKSPACES
    with transaction.atomic():
        usage_lock_day_exclusive(day=day)
        run, created = BillingRun.objects.get_or_create(day=day)
        if not created:
            return run
        chunks = _plan_chunks(day, chunk_workspaces)
        BillingChunk.objects.bulk_create(
            BillingChunk(run=run, index=index, account_ids=accounts, workspace_count=size)
            for index, (accounts, size) in enumerate(chunks)
        )
        run.total_chunks = len(chunks)
        if not chunks:
            run.status = RunStatus.DONE
            run.started_at = run.finished_at = timezone.now()
        run.save(update_fields=["total_chunks", "status", "started_at", "finished_at"])
    return run


# Pays the bills just written, in the chunk's transaction: settle(bills=..., now=...).
SettleBills = Callable[..., None]


# Errors that say nothing about the accounts being billed: the chunk is retried whole.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


def _bill_accounts(
    *, run: BillingRun, account_ids: list[int], catalog, now: datetime, settle: SettleBills
) -> list[WrittenBill]:
    """Compute, write, check alerts on and settle the bills of these accounts for the day."""
    computed = deduction_compute_accounts(day=run.day, account_ids=account_ids, catalog=catalog)
    bills = bills_write(run=run, day=run.day, computed=computed, catalog=catalog)
    if bills:
        spend_alerts_check(bills=bills, now=now)
        settle(bills=bills, now=now)
    return bills


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:5000]


def _bill_accounts_isolating(
    *, run: BillingRun, account_ids: list[int], catalog, now: datetime, settle: SettleBills
) -> tuple[list[WrittenBill], dict[int, str]]:
    """Bill the accounts together; if that fails for a reason of the data, bill them one by one
    so that one account's bad data (an overflow, a broken row) costs only that account its day.

    Returns (bills, account id → error of each account that could not be billed).
    """
    try:
        with transaction.atomic():
            bills = _bill_accounts(
                run=run, account_ids=account_ids, catalog=catalog, now=now, settle=settle
            )
            return bills, {}
    except TRANSIENT_ERRORS:
        raise
    except Exception:
        logger.warning("chunk of %s failed as a whole; billing its accounts one by one", run.day)
    bills: list[WrittenBill] = []
    failed: dict[int, str] = {}
    for account_id in account_ids:
        try:
            with transaction.atomic():
                bills += _bill_accounts(
                    run=run, account_ids=[account_id], catalog=catalog, now=now, settle=settle
                )
        except TRANSIENT_ERRORS:
            raise
        except Exception as error:
            logger.exception("account %s could not be billed for %s", account_id, run.day)
            failed[account_id] = _describe(error)
    return bills, failed


def _record_isolation(
    *, run: BillingRun, account_ids: list[int], failed: dict[int, str], now: datetime
) -> None:
    """Open or update a failure per isolated account; resolve those billed now."""
    open_failures = BillingAccountFailure.objects.filter(run=run, resolved_at__isnull=True)
    billed = [account_id for account_id in account_ids if account_id not in failed]
    if billed and open_failures.exists():
        open_failures.filter(account_id__any=billed).update(resolved_at=now)
    if not failed:
        return
    known = {
        failure.account_id: failure
        for failure in BillingAccountFailure.objects.filter(run=run, account_id__in=list(failed))
    }
    new = []
    for account_id, error in sorted(failed.items()):
        failure = known.get(account_id)
        if failure is None:
            new.append(
                BillingAccountFailure(
                    run=run,
                    account_id=account_id,
                    attempts=1,
                    last_error=error,
                    first_failed_at=now,
                    last_failed_at=now,
                )
            )
        else:
            failure.attempts += 1
            failure.last_error = error
            failure.last_failed_at = now
            failure.resolved_at = None
            failure.save(update_fields=["attempts", "last_error", "last_failed_at", "resolved_at"])
    BillingAccountFailure.objects.bulk_create(new)
    operators_notify_isolated(day=run.day, failed=failed)


@dataclass(frozen=True)
class ChunkOutcome:
    bills_written: int
    isolated_accounts: int = 0
    skipped: bool = False  # done already, or being billed by another worker right now
    finished_run: bool = False  # this chunk's commit completed its run's pass


def _bill_locked_chunk(chunk: BillingChunk, now: datetime, settle: SettleBills) -> tuple[int, int]:
    """Inside the chunk's transaction, under its row lock: bill it and mark it done."""
    run = chunk.run
    started = timezone.now()
    # Shared with the other chunks of the day; a corrected sample for the day waits for it.
    usage_lock_day_shared(day=run.day)
    bills, failed = _bill_accounts_isolating(
        run=run, account_ids=chunk.account_ids, catalog=catalog_snapshot(), now=now, settle=settle
    )
    _record_isolation(run=run, account_ids=chunk.account_ids, failed=failed, now=now)
    chunk.status = ChunkStatus.DONE
    chunk.bills_written = len(bills)
    chunk.started_at = started
    chunk.finished_at = timezone.now()
    chunk.claimed_by = worker_name()
    chunk.last_error = "; ".join(f"account {a}: {e}" for a, e in sorted(failed.items()))[:5000]
    chunk.save(
        update_fields=[
            "status",
            "bills_written",
            "started_at",
            "finished_at",
            "claimed_by",
            "last_error",
        ]
    )
    return len(bills), len(failed)


def _locked_chunks():
    """Chunks locked for billing: only the chunk row (never its run), skipping locked ones."""
    return BillingChunk.objects.select_for_update(of=("self",), skip_locked=True).select_related(
        "run"
    )


def _bill_chunk_of(queryset, *, now: datetime, settle: SettleBills) -> ChunkOutcome | None:
    """Lock the first chunk of `queryset` that no other worker holds, bill it, commit, count.

    A failure of the whole chunk is recorded after the rollback, on a fresh connection, and
    raised again for the caller to retry. None when no such chunk is pending.
    """
    claimed = None
    try:
        with transaction.atomic(durable=True):
            chunk = _locked_chunks().filter(queryset).order_by("index").first()
            if chunk is None:
                return None
            claimed = chunk.pk
            written, isolated = _bill_locked_chunk(chunk, now, settle)
    except Exception as error:
        if claimed is not None:
            billing_chunk_record_error(chunk_id=claimed, error=_describe(error), now=now)
        raise
    finished = billing_run_refresh_progress(run_id=chunk.run_id)
    return ChunkOutcome(bills_written=written, isolated_accounts=isolated, finished_run=finished)


def billing_chunk_process(*, chunk_id: int, now: datetime, settle: SettleBills) -> ChunkOutcome:
    """Bill one chunk in one transaction (a Celery task's unit of work).

    A chunk already done, or locked by another worker that is billing it, is skipped at once.
    An account whose bills cannot be written is isolated: the rest of the chunk commits, the
    account is recorded for operators and retried by the next pass.
    """
    outcome = _bill_chunk_of(Q(pk=chunk_id, status=ChunkStatus.PENDING), now=now, settle=settle)
    return outcome if outcome is not None else ChunkOutcome(bills_written=0, skipped=True)


def billing_run_claim_and_process(
    *, run_id: int, now: datetime, settle: SettleBills
) -> ChunkOutcome | None:
    """Claim the next pending chunk of a run that no other worker holds (SKIP LOCKED) and bill
    it; None when there is none left. Workers of `run_deduction --workers` loop on this."""
    return _bill_chunk_of(Q(run_id=run_id, status=ChunkStatus.PENDING), now=now, settle=settle)


def billing_run_refresh_progress(*, run_id: int) -> bool:
    """Count the run's progress from its chunks (after a chunk committed, in its own short
    statement) and finish it once no chunk is pending: done, or partial while isolated accounts
    remain. Returns True for the one caller whose update finished the run."""
    progress = BillingChunk.objects.filter(run_id=run_id).aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status=ChunkStatus.DONE)),
        bills=Coalesce(Sum("bills_written"), 0),
        started=Min("started_at"),
        finished=Max("finished_at"),
    )
    BillingRun.objects.filter(pk=run_id).update(
        total_chunks=progress["total"],
        done_chunks=progress["done"],
        bills_written=progress["bills"],
    )
    if progress["started"] is not None:
        BillingRun.objects.filter(pk=run_id, started_at__isnull=True).update(
            started_at=progress["started"]
        )
    if progress["done"] < progress["total"]:
        return False
    isolated = BillingAccountFailure.objects.filter(
        run_id=run_id, resolved_at__isnull=True
    ).exists()
    finished = (
        BillingRun.objects.filter(pk=run_id)
        .exclude(status__in=[RunStatus.DONE, RunStatus.PARTIAL])
        .exclude(chunks__status=ChunkStatus.PENDING)
        .update(
            status=RunStatus.PARTIAL if isolated else RunStatus.DONE,
            finished_at=progress["finished"] or timezone.now(),
        )
    )
    return bool(finished)


def billing_chunk_record_error(*, chunk_id: int, error: str, now: datetime) -> bool:
    """After a chunk failed as a whole: count the attempt and keep the error for admin.

    Never inside the failed transaction: a connection that died with it (a restarted database)
    is dropped first and a fresh one is opened. If the database is still away, the error is only
    logged and False returned; the caller retries the chunk all the same.
    """
    try:
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
        with transaction.atomic():
            BillingChunk.objects.filter(pk=chunk_id).update(
                attempts=F("attempts") + 1, last_error=error[:5000]
            )
            BillingRun.objects.filter(chunks__pk=chunk_id).exclude(
                status__in=[RunStatus.DONE, RunStatus.PARTIAL, RunStatus.STALLED]
            ).update(status=RunStatus.FAILED)
            BillingRun.objects.filter(chunks__pk=chunk_id).update(
                last_error=error[:5000], error_count=F("error_count") + 1
            )
        return True
    except (OperationalError, InterfaceError):
        logger.exception("could not record the error of chunk %s: %s", chunk_id, error)
        if not connection.in_atomic_block:
            connection.close()
        return False


def billing_chunks_mark_dispatched(*, chunk_ids: list[int], now: datetime) -> None:
    """Record that tasks for these chunks were just sent (the watchdog measures from it)."""
    BillingChunk.objects.filter(pk__in=chunk_ids).update(dispatched_at=now)


def billing_run_pending_chunks(*, run: BillingRun) -> list[int]:
    return list(
        run.chunks.filter(status=ChunkStatus.PENDING).order_by("index").values_list("pk", flat=True)
    )


def billing_run_resume(*, run: BillingRun) -> None:
    """A failed or stalled run whose chunks are being retried is running again."""
    BillingRun.objects.filter(pk=run.pk, status__in=[RunStatus.FAILED, RunStatus.STALLED]).update(
        status=RunStatus.RUNNING
    )


def billing_run_retry_isolated(
    *, run: BillingRun, failed_before: datetime | None = None
) -> BillingChunk | None:
    """A new chunk for the run's isolated accounts (those that failed before `failed_before`,
    or all), unless a pending chunk already holds them. Returns the chunk, or None."""
    with transaction.atomic():
        locked = BillingRun.objects.select_for_update().get(pk=run.pk)
        failures = BillingAccountFailure.objects.filter(run=locked, resolved_at__isnull=True)
        if failed_before is not None:
            failures = failures.filter(last_failed_at__lt=failed_before)
        account_ids = set(failures.values_list("account_id", flat=True))
        for pending in locked.chunks.filter(status=ChunkStatus.PENDING):
            account_ids -= set(pending.account_ids)
        if not account_ids:
            return None
        index = (locked.chunks.aggregate(last=Max("index"))["last"] or 0) + 1
        workspace_count = (
            UsageDay.objects.filter(day=locked.day, workspace__account_id__in=account_ids)
            .values("workspace_id")
            .count()
        )
        chunk = BillingChunk.objects.create(
            run=locked,
            index=index,
            account_ids=sorted(account_ids),
            workspace_count=workspace_count,
        )
        BillingRun.objects.filter(pk=locked.pk).update(
            total_chunks=F("total_chunks") + 1, status=RunStatus.RUNNING, finished_at=None
        )
    return chunk
