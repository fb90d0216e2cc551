"""What one day costs, account by account: load the inputs, run the pure deduction, write bills.

Nothing here decides when or by whom a day is billed (runs.py) and nothing commits: the caller's
transaction holds the bills, their lines and their settlement together.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from operator import attrgetter

from django.db import connection
from django.utils import timezone

from common.dates import billing_day, day_start
from common.db import copy_insert
from common.money import ZERO
from quota.deduction import LineResult, UsageLine, bill_total, deduct_package_day, deduct_payg_day
from quota.models import (
    BillingRun,
    DailyBill,
    DailyBillLine,
    Subscription,
    UsageDay,
    UsageSample,
)
from quota.selectors import bindings_on, catalog_snapshot, pack_lots_on, plans_on
from workspaces.models import Workspace, WorkspacePlan

AGGREGATE = (
    "SELECT s.workspace_id, s.item_id, s.retention_days, SUM(s.quantity), MAX(s.quantity) "
    f"FROM {UsageSample._meta.db_table} s "
)


def _usage_lines(day: date, upgraded: dict[int, datetime], catalog) -> list[UsageLine]:
    """Daily quantity per workspace, item and retention: the sum or max of the hours (SPEC 3.2).

    Only the hours of a commercial workspace count: a workspace upgraded during `day` is billed
    from the hour in which it was upgraded on (the hours before were free usage). `upgraded` maps
    each billed workspace to its upgrade time. The others — nearly all — are read without a
    join, in the order of the day partition's unique index.
    """
    start = day_start(day)
    whole_day = sorted(ws for ws, moment in upgraded.items() if moment < start)
    part_of_day = sorted((ws, moment) for ws, moment in upgraded.items() if moment >= start)
    rows = []
    with connection.cursor() as cursor:
        if whole_day:
            cursor.execute(
                AGGREGATE + "WHERE s.day = %s AND s.workspace_id = ANY(%s) "
                "GROUP BY s.workspace_id, s.item_id, s.retention_days",
                [day, whole_day],
            )
            rows += cursor.fetchall()
        if part_of_day:
            cursor.execute(
                AGGREGATE + "JOIN unnest(%s::bigint[], %s::timestamptz[]) AS up(id, upgraded_at) "
                "ON up.id = s.workspace_id "
                "WHERE s.day = %s AND s.hour > up.upgraded_at - interval '1 hour' "
                "GROUP BY s.workspace_id, s.item_id, s.retention_days",
                [[ws for ws, _ in part_of_day], [moment for _, moment in part_of_day], day],
            )
            rows += cursor.fetchall()
    by_id = {pricing.id: pricing for pricing in catalog.values()}
    lines = []
    for workspace_id, item_id, retention_days, total, peak in rows:
        pricing = by_id[item_id]
        quantity = int(peak if pricing.aggregation == "max" else total)
        lines.append(UsageLine(workspace_id, pricing.code, retention_days, quantity))
    return lines


def _commercial_on(
    day: date, workspaces: Iterable[tuple[int, str, datetime | None]]
) -> dict[int, datetime]:
    """Workspaces billed on `day` (commercial, upgraded on or before that billing day), with
    their upgrade time."""
    return {
        workspace_id: upgraded_at
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
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT w.id, w.plan, w.upgraded_at FROM {Workspace._meta.db_table} w "
            f"JOIN {UsageDay._meta.db_table} u ON u.workspace_id = w.id AND u.day = %s "
            "WHERE w.account_id = ANY(%s)",
            [day, list(account_ids)],
        )
        workspaces = cursor.fetchall()
        billable = _commercial_on(day, workspaces)
        if not billable:
            return {}
        cursor.execute(
            f"SELECT id FROM {Subscription._meta.db_table} "
            "WHERE account_id = ANY(%s) AND start_date <= %s AND end_date >= %s ORDER BY id",
            [list(account_ids), day, day],
        )
        subscription_ids = [row[0] for row in cursor.fetchall()]
    usage = _usage_lines(day, billable, catalog)
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
line_values = attrgetter(*LINE_RESULT_FIELDS)


def _next_ids(model, count: int) -> list[int]:
    """`count` ids from the table's identity sequence, ascending, in one round trip."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)",
            [count],
        )
        return sorted(row[0] for row in cursor.fetchall())


@dataclass(frozen=True, slots=True)
class WrittenBill:
    """A bill just written, as settlement needs it (the nightly run writes 100,000 of these, so
    not a model instance)."""

    pk: int
    workspace_id: int
    account_id: int
    day: date
    subscription_id: int | None
    total: Decimal
    cards_and_cash_only: Decimal  # the part of the total that vouchers may not pay (SPEC 5.1)


def bills_write(
    *, run: BillingRun, day: date, computed: dict[int, tuple[int | None, list[LineResult]]], catalog
) -> list[WrittenBill]:
    """Write the bills and their lines with COPY (ids drawn from the sequence first): the
    run's hot path."""
    if not computed:
        return []
    workspace_ids = sorted(computed)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, account_id FROM {Workspace._meta.db_table} WHERE id = ANY(%s)",
            [workspace_ids],
        )
        account_of = dict(cursor.fetchall())
    item_ids = {code: pricing.id for code, pricing in catalog.items()}
    no_vouchers = {code for code, pricing in catalog.items() if not pricing.voucher_payable}
    created_at = timezone.now()
    bill_ids = dict(zip(workspace_ids, _next_ids(DailyBill, len(workspace_ids)), strict=True))
    bills = []
    for workspace_id in workspace_ids:
        subscription_id, lines = computed[workspace_id]
        bills.append(
            WrittenBill(
                pk=bill_ids[workspace_id],
                workspace_id=workspace_id,
                account_id=account_of[workspace_id],
                day=day,
                subscription_id=subscription_id,
                total=bill_total(lines),
                cards_and_cash_only=sum(
                    (line.amount for line in lines if line.item_code in no_vouchers), ZERO
                ),
            )
        )
    copy_insert(
        DailyBill,
        [
            "id",
            "workspace_id",
            "account_id",
            "day",
            "subscription_id",
            "total",
            "run_id",
            "created_at",
        ],
        (
            (
                bill.pk,
                bill.workspace_id,
                bill.account_id,
                day,
                bill.subscription_id,
                bill.total,
                run.pk,
                created_at,
            )
            for bill in bills
        ),
    )
    copy_insert(
        DailyBillLine,
        ["bill_id", "item_id", "reason", *LINE_RESULT_FIELDS],
        (
            (bill.pk, item_ids[line.item_code], "", *line_values(line))
            for bill in bills
            for line in computed[bill.workspace_id][1]
        ),
    )
    return bills
