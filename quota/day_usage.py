"""What a day costs, computed from the hourly samples by the pure deduction: reads only.

The nightly run bills with `deduction_compute_accounts` (quota.services writes what it returns);
the package page and the usage API show today live with `subscription_usage_for_day`. Both read
the same inputs the same way, so a live figure is what the night will bill.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import connection

from common.dates import billing_day, day_start
from packages.vocabulary import item_display_name
from quota.deduction import LineResult, UsageLine, deduct_package_day, deduct_payg_day
from quota.models import DailyBillLine, Subscription, UsageDay, UsageSample
from quota.selectors import (
    bindings_on,
    catalog_snapshot,
    day_is_billed,
    pack_lots_on,
    plans_on,
)
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


def _billable_and_subscriptions(
    day: date, account_ids: list[int]
) -> tuple[dict[int, datetime], list[int]]:
    """The accounts' workspaces billed on `day` that sent usage (with their upgrade time), and
    the accounts' subscriptions in force that day, in id order."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT w.id, w.plan, w.upgraded_at FROM {Workspace._meta.db_table} w "
            f"JOIN {UsageDay._meta.db_table} u ON u.workspace_id = w.id AND u.day = %s "
            "WHERE w.account_id = ANY(%s)",
            [day, list(account_ids)],
        )
        billable = _commercial_on(day, cursor.fetchall())
        if not billable:
            return billable, []  # nothing to bill: spare the subscription query
        cursor.execute(
            f"SELECT id FROM {Subscription._meta.db_table} "
            "WHERE account_id = ANY(%s) AND start_date <= %s AND end_date >= %s ORDER BY id",
            [list(account_ids), day, day],
        )
        return billable, [row[0] for row in cursor.fetchall()]


def _deduct_packages(
    *, day: date, catalog, subscription_ids: list[int], usage: list[UsageLine]
) -> tuple[dict[int, tuple[int | None, list[LineResult]]], set[int]]:
    """Lines of the workspaces bound to these subscriptions on `day`, and the bound workspaces
    (their usage is billed by the package, even when it yields no line)."""
    order = bindings_on(subscription_ids=subscription_ids, day=day)
    plans = plans_on(subscription_ids=subscription_ids, day=day)
    lots = pack_lots_on(subscription_ids=subscription_ids, day=day)
    usage_by_workspace: dict[int, list[UsageLine]] = defaultdict(list)
    for line in usage:
        usage_by_workspace[line.workspace_id].append(line)
    results: dict[int, tuple[int | None, list[LineResult]]] = {}
    bound: set[int] = set()
    quota_maps: dict[int, dict[str, int]] = {}  # per plan: subscriptions often share one
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
    return results, bound


def deduction_compute_accounts(
    *, day: date, account_ids: list[int], catalog=None
) -> dict[int, tuple[int | None, list[LineResult]]]:
    """Bill lines of every billed workspace of these accounts for `day` (nothing is written).

    Returns workspace id → (subscription id or None, lines).
    """
    catalog = catalog or catalog_snapshot()
    billable, subscription_ids = _billable_and_subscriptions(day, account_ids)
    if not billable:
        return {}
    usage = _usage_lines(day, billable, catalog)
    results, bound = _deduct_packages(
        day=day, catalog=catalog, subscription_ids=subscription_ids, usage=usage
    )
    payg_usage = [line for line in usage if line.workspace_id not in bound]
    for workspace_id, lines in deduct_payg_day(catalog=catalog, usage=payg_usage).items():
        results[workspace_id] = (None, lines)
    return results


@dataclass(frozen=True)
class ItemDayUsage:
    item_code: str
    item_name: str
    quota: int
    traffic_capacity: int
    used: int
    plan_covered: int
    traffic_covered: int
    remaining: int
    payg_quantity: int
    payg_amount: Decimal

    @property
    def display_name(self) -> str:
        """The item's name in the reader's language (item_name: as stored, for the API)."""
        return item_display_name(self.item_code, self.item_name)


def subscription_pools_on(
    *, subscription: Subscription, day: date
) -> tuple[dict[str, int], dict[str, int]]:
    """Item code → the plan's daily quota, and → the traffic packs' capacity, on `day`."""
    plan = plans_on(subscription_ids=[subscription.pk], day=day).get(subscription.pk)
    quotas = {quota.item.code: quota.daily_quantity for quota in plan.quotas.all()} if plan else {}
    capacity: dict[str, int] = defaultdict(int)
    for lot in pack_lots_on(subscription_ids=[subscription.pk], day=day).get(subscription.pk, []):
        capacity[lot.item_code] += lot.capacity
    return quotas, capacity


def _day_line_rows(*, subscription: Subscription, day: date, catalog) -> tuple[bool, list[tuple]]:
    """(billed, rows): the subscription's lines of `day` as (item code, converted, plan-covered,
    traffic-covered, PAYG, amount), from the bills once billed, computed live before."""
    billed = day_is_billed(day=day)
    if billed:
        lines = DailyBillLine.objects.filter(
            bill__subscription=subscription, bill__day=day
        ).values_list(
            "item__code",
            "converted_quantity",
            "plan_covered",
            "traffic_covered",
            "payg_quantity",
            "amount",
        )
        return billed, list(lines)
    computed = deduction_compute_accounts(
        day=day, account_ids=[subscription.account_id], catalog=catalog
    )
    rows = [
        (
            line.item_code,
            line.converted_quantity,
            line.plan_covered,
            line.traffic_covered,
            line.payg_quantity,
            line.amount,
        )
        for subscription_id, lines in computed.values()
        if subscription_id == subscription.pk
        for line in lines
    ]
    return billed, rows


def _totals_by_item(rows: list[tuple]) -> dict[str, list]:
    """Item code → [converted, plan-covered, traffic-covered, PAYG, amount], summed over rows."""
    totals: dict[str, list] = defaultdict(lambda: [0, 0, 0, 0, Decimal("0.00")])
    for code, converted, plan_covered, traffic_covered, payg, amount in rows:
        total = totals[code]
        total[0] += converted
        total[1] += plan_covered
        total[2] += traffic_covered
        total[3] += payg
        total[4] += amount
    return totals


def subscription_usage_for_day(
    *, subscription: Subscription, day: date
) -> tuple[bool, list[ItemDayUsage]]:
    """Per item on `day`: quota, traffic capacity, converted use, what remains, PAYG.

    A billed day is read from its bills; today (or any unbilled day) is computed live from the
    samples received so far by the deduction code itself. Returns (billed, items).
    """
    catalog = catalog_snapshot()
    quotas, capacity = subscription_pools_on(subscription=subscription, day=day)
    billed, rows = _day_line_rows(subscription=subscription, day=day, catalog=catalog)
    totals = _totals_by_item(rows)
    codes = [code for code in catalog if quotas.get(code) or capacity.get(code) or code in totals]
    items = []
    for code in codes:
        used, plan_covered, traffic_covered, payg, amount = totals[code]
        pool = quotas.get(code, 0) + capacity.get(code, 0)
        items.append(
            ItemDayUsage(
                item_code=code,
                item_name=catalog[code].name,
                quota=quotas.get(code, 0),
                traffic_capacity=capacity.get(code, 0),
                used=used,
                plan_covered=plan_covered,
                traffic_covered=traffic_covered,
                remaining=max(pool - plan_covered - traffic_covered, 0),
                payg_quantity=payg,
                payg_amount=amount,
            )
        )
    return billed, items
