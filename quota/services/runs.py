"""The nightly run (SPEC 3.4): open a day, split it into chunks of accounts, bill each chunk.

Each chunk commits atomically with its bills (and, through the settlement hook, their
payment), under a lock on the chunk row, and is skipped once done: a day can be run again, by
any number of workers, after a crash at any point, and ends with the rows of one clean run.
"""

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Count, F, Max
from django.utils import timezone
from django.utils.module_loading import import_string
from psycopg2.extras import execute_values

from common.dates import ONE_DAY, billing_day
from common.db import copy_insert
from quota.deduction import LineResult, UsageLine, bill_total, deduct_package_day, deduct_payg_day
from quota.models import (
    BillingAccountFailure,
    BillingChunk,
    BillingRun,
    ChunkStatus,
    DailyBill,
    DailyBillLine,
    RunStatus,
    Subscription,
    UsageDay,
    UsageSample,
)
from quota.selectors import bindings_on, catalog_snapshot, pack_lots_on, plans_on
from quota.services.operators import operators_notify_beyond_catch_up, operators_notify_isolated
from quota.services.usage import usage_lock_day_exclusive, usage_lock_day_shared
from workspaces.models import Workspace, WorkspacePlan

logger = logging.getLogger(__name__)


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
        run, created = BillingRun.objects.get_or_create(day=day, defaults={"started_at": now})
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
            run.finished_at = now
        run.save(update_fields=["total_chunks", "status", "finished_at"])
    return run


def _usage_lines(day: date, workspace_ids: list[int], catalog) -> list[UsageLine]:
    """Daily quantity per workspace, item and retention: the sum or max of the hours (SPEC 3.2).

    Only the hours of a commercial workspace count: a workspace upgraded during `day` is billed
    from the hour in which it was upgraded on (the hours before were free usage).
    """
    by_id = {pricing.id: pricing for pricing in catalog.values()}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.workspace_id, s.item_id, s.retention_days, SUM(s.quantity), "
            f"MAX(s.quantity) FROM {UsageSample._meta.db_table} s "
            f"JOIN {Workspace._meta.db_table} w ON w.id = s.workspace_id "
            f"WHERE s.day = %s AND s.workspace_id = ANY(%s) "
            f"AND s.hour > w.upgraded_at - interval '1 hour' "
            f"GROUP BY s.workspace_id, s.item_id, s.retention_days",
            [day, workspace_ids],
        )
        rows = cursor.fetchall()
    lines = []
    for workspace_id, item_id, retention_days, total, peak in rows:
        pricing = by_id[item_id]
        quantity = int(peak if pricing.aggregation == "max" else total)
        lines.append(UsageLine(workspace_id, pricing.code, retention_days, quantity))
    return lines


def _commercial_on(day: date, workspaces: Iterable[tuple[int, str, datetime | None]]) -> set[int]:
    """Workspaces billed on `day`: commercial, upgraded on or before that billing day."""
    return {
        workspace_id
        for workspace_id, plan, upgraded_at in workspaces
        if plan == WorkspacePlan.COMMERCIAL
        and upgraded_at is not None
        and billing_day(upgraded_at) <= day
    }


def deduction_compute_accounts(
    *, day: date, account_ids: list[int], catalog=None
) -> dict[int, tuple[int | None, list[LineResult]]]:
    """Bill lines of every billed workspace of these accounts for `day` (nothing is written).

    Returns workspace id → (subscription id or None, lines).
    """
    catalog = catalog or catalog_snapshot()
    workspaces = list(
        Workspace.objects.filter(
            account_id__in=account_ids,
            pk__in=UsageDay.objects.filter(day=day).values("workspace_id"),
        ).values_list("pk", "plan", "upgraded_at")
    )
    billable = _commercial_on(day, workspaces)
    if not billable:
        return {}
    usage = _usage_lines(day, sorted(billable), catalog)
    subscription_ids = list(
        Subscription.objects.filter(
            account_id__in=account_ids, start_date__lte=day, end_date__gte=day
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    order = bindings_on(subscription_ids=subscription_ids, day=day)
    plans = plans_on(subscription_ids=subscription_ids, day=day)
    lots = pack_lots_on(subscription_ids=subscription_ids, day=day)
    usage_by_workspace: dict[int, list[UsageLine]] = defaultdict(list)
    for line in usage:
        usage_by_workspace[line.workspace_id].append(line)

    results: dict[int, tuple[int | None, list[LineResult]]] = {}
    bound: set[int] = set()
    quota_maps: dict[int, dict[str, int]] = {}
    for subscription_id in subscription_ids:
        workspace_order = order.get(subscription_id, [])
        bound.update(workspace_order)
        plan = plans[subscription_id]
        if plan.pk not in quota_maps:
            quota_maps[plan.pk] = {
                quota.item.code: quota.daily_quantity for quota in plan.quotas.all()
            }
        computed = deduct_package_day(
            catalog=catalog,
            plan_quotas=quota_maps[plan.pk],
            packs=lots.get(subscription_id, []),
            workspace_order=workspace_order,
            usage=[
                line
                for workspace_id in workspace_order
                for line in usage_by_workspace.get(workspace_id, [])
            ],
        )
        for workspace_id, lines in computed.items():
            results[workspace_id] = (subscription_id, lines)
    payg_usage = [line for line in usage if line.workspace_id not in bound]
    for workspace_id, lines in deduct_payg_day(catalog=catalog, usage=payg_usage).items():
        results[workspace_id] = (None, lines)
    return results


# DailyBillLine columns written from a LineResult, attribute for attribute.
LINE_RESULT_FIELDS = [
    "retention_days",
    "quantity",
    "converted_quantity",
    "plan_covered",
    "traffic_covered",
    "traffic_by_pack",
    "payg_quantity",
    "unit_price",
    "amount",
]


def _write_bills(
    *, run: BillingRun, day: date, computed: dict[int, tuple[int | None, list[LineResult]]], catalog
) -> list[DailyBill]:
    """Write the bills (INSERT … RETURNING) and their lines (COPY): the run's hot path."""
    if not computed:
        return []
    account_of = dict(
        Workspace.objects.filter(pk__in=list(computed)).values_list("pk", "account_id")
    )
    item_ids = {code: pricing.id for code, pricing in catalog.items()}
    created_at = timezone.now()
    bills = [
        DailyBill(
            workspace_id=workspace_id,
            account_id=account_of[workspace_id],
            day=day,
            subscription_id=computed[workspace_id][0],
            total=bill_total(computed[workspace_id][1]),
            run=run,
            created_at=created_at,
        )
        for workspace_id in sorted(computed)
    ]
    with connection.cursor() as cursor:
        returned = execute_values(
            cursor,
            f"INSERT INTO {DailyBill._meta.db_table} (workspace_id, account_id, day, "
            "subscription_id, total, run_id, created_at) "
            "VALUES %s RETURNING id, workspace_id",
            [
                (
                    b.workspace_id,
                    b.account_id,
                    b.day,
                    b.subscription_id,
                    b.total,
                    run.pk,
                    created_at,
                )
                for b in bills
            ],
            page_size=len(bills),
            fetch=True,
        )
        bill_ids = dict((workspace_id, bill_id) for bill_id, workspace_id in returned)
        for bill in bills:
            bill.pk = bill_ids[bill.workspace_id]
    copy_insert(
        DailyBillLine,
        ["bill_id", "item_id", "reason", *LINE_RESULT_FIELDS],
        (
            [
                bill.pk,
                item_ids[line.item_code],
                "",
                *[getattr(line, name) for name in LINE_RESULT_FIELDS],
            ]
            for bill in bills
            for line in computed[bill.workspace_id][1]
        ),
    )
    return bills


def _settlement_hook() -> Callable[..., None] | None:
    path = getattr(settings, "BILLING_SETTLEMENT_HOOK", "")
    return import_string(path) if path else None


# Errors that say nothing about the accounts being billed: the chunk is retried whole.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


def _bill_accounts(
    *, run: BillingRun, account_ids: list[int], catalog, now: datetime
) -> list[DailyBill]:
    """Compute, write and settle the bills of these accounts for the run's day."""
    computed = deduction_compute_accounts(day=run.day, account_ids=account_ids, catalog=catalog)
    bills = _write_bills(run=run, day=run.day, computed=computed, catalog=catalog)
    hook = _settlement_hook()
    if hook is not None:
        hook(bills=bills, now=now)
    return bills


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:5000]


def _bill_accounts_isolating(
    *, run: BillingRun, account_ids: list[int], catalog, now: datetime
) -> tuple[list[DailyBill], dict[int, str]]:
    """Bill the accounts together; if that fails for a reason of the data, bill them one by one
    so that one account's bad data (an overflow, a broken row) costs only that account its day.

    Returns (bills, account id → error of each account that could not be billed).
    """
    try:
        with transaction.atomic():
            return _bill_accounts(run=run, account_ids=account_ids, catalog=catalog, now=now), {}
    except TRANSIENT_ERRORS:
        raise
    except Exception:
        logger.warning("chunk of %s failed as a whole; billing its accounts one by one", run.day)
    bills: list[DailyBill] = []
    failed: dict[int, str] = {}
    for account_id in account_ids:
        try:
            with transaction.atomic():
                bills += _bill_accounts(run=run, account_ids=[account_id], catalog=catalog, now=now)
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
    billed = [account_id for account_id in account_ids if account_id not in failed]
    if billed:
        BillingAccountFailure.objects.filter(
            run=run, account_id__in=billed, resolved_at__isnull=True
        ).update(resolved_at=now)
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


def _run_finish_if_complete(*, run_id: int, now: datetime) -> bool:
    """Once every chunk is done: done, or partial while isolated accounts remain unbilled.

    Called under the run row's lock (the chunk just counted itself), so exactly one chunk of a
    pass finishes the run; returns whether this one did.
    """
    run = BillingRun.objects.get(pk=run_id)
    if run.done_chunks < run.total_chunks:
        return False
    isolated = BillingAccountFailure.objects.filter(run=run, resolved_at__isnull=True).exists()
    status = RunStatus.PARTIAL if isolated else RunStatus.DONE
    BillingRun.objects.filter(pk=run_id).update(status=status, finished_at=now)
    return True


@dataclass(frozen=True)
class ChunkOutcome:
    bills_written: int
    isolated_accounts: int = 0
    finished_run: bool = False  # this chunk was the last one of its run's pass


def billing_chunk_process(*, chunk_id: int, now: datetime) -> ChunkOutcome:
    """Bill one chunk in one transaction; a chunk already done is skipped.

    Only the chunk row is locked (not its run), so chunks of one day run side by side. An
    account whose bills cannot be written is isolated: the rest of the chunk commits, the
    account is recorded for operators and retried by the next pass.
    """
    with transaction.atomic(durable=True):
        chunk = (
            BillingChunk.objects.select_for_update(of=("self",))
            .select_related("run")
            .get(pk=chunk_id)
        )
        if chunk.status == ChunkStatus.DONE:
            return ChunkOutcome(bills_written=0)
        run = chunk.run
        # Shared with the other chunks of the day; a corrected sample for the day waits for it.
        usage_lock_day_shared(day=run.day)
        bills, failed = _bill_accounts_isolating(
            run=run, account_ids=chunk.account_ids, catalog=catalog_snapshot(), now=now
        )
        _record_isolation(run=run, account_ids=chunk.account_ids, failed=failed, now=now)
        chunk.status = ChunkStatus.DONE
        chunk.bills_written = len(bills)
        chunk.finished_at = now
        chunk.last_error = "; ".join(f"account {a}: {e}" for a, e in sorted(failed.items()))[:5000]
        chunk.save(update_fields=["status", "bills_written", "finished_at", "last_error"])
        BillingRun.objects.filter(pk=run.pk).update(
            done_chunks=F("done_chunks") + 1, bills_written=F("bills_written") + len(bills)
        )
        finished = _run_finish_if_complete(run_id=run.pk, now=now)
    return ChunkOutcome(
        bills_written=len(bills), isolated_accounts=len(failed), finished_run=finished
    )


def billing_chunk_record_error(*, chunk_id: int, error: str, now: datetime) -> None:
    """Outside the failed transaction: count the attempt and keep the error for admin."""
    with transaction.atomic():
        chunk = BillingChunk.objects.select_for_update().get(pk=chunk_id)
        chunk.attempts += 1
        chunk.last_error = error[:5000]
        chunk.started_at = chunk.started_at or now
        chunk.save(update_fields=["attempts", "last_error", "started_at"])
        BillingRun.objects.filter(pk=chunk.run_id).update(
            status=RunStatus.FAILED, last_error=error[:5000], error_count=F("error_count") + 1
        )


def billing_run_pending_chunks(*, run: BillingRun) -> list[int]:
    return list(
        run.chunks.filter(status=ChunkStatus.PENDING).order_by("index").values_list("pk", flat=True)
    )


def billing_run_resume(*, run: BillingRun) -> None:
    """A failed run whose chunks are being retried is running again."""
    BillingRun.objects.filter(pk=run.pk, status=RunStatus.FAILED).update(status=RunStatus.RUNNING)


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


def deduction_run_day(
    *,
    day: date,
    now: datetime,
    on_progress: Callable[[int, int], None] | None = None,
    chunk_workspaces: int | None = None,
) -> BillingRun:
    """Bill one day synchronously (the command and the tests): the same code as the tasks.

    Accounts isolated by an earlier attempt are retried once; an account that fails again
    stays isolated and the day is `partial`.
    """
    run = billing_run_open(day=day, now=now, chunk_workspaces=chunk_workspaces)
    billing_run_resume(run=run)
    billing_run_retry_isolated(run=run)
    run.refresh_from_db()
    pending = billing_run_pending_chunks(run=run)
    done = run.total_chunks - len(pending)
    if on_progress:
        on_progress(done, run.total_chunks)
    for chunk_id in pending:
        try:
            billing_chunk_process(chunk_id=chunk_id, now=now)
        except Exception as error:
            billing_chunk_record_error(chunk_id=chunk_id, error=_describe(error), now=now)
            raise
        done += 1
        if on_progress:
            on_progress(done, run.total_chunks)
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
            )
        )
    beyond = deduction_days_beyond_catch_up(today=today)
    if beyond:
        operators_notify_beyond_catch_up(days=beyond)
    return CatchUpReport(runs=runs, beyond_catch_up=beyond)
