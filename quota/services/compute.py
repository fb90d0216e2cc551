"""What one day costs, account by account: load the inputs, run the pure deduction, write bills.

Nothing here decides when or by whom a day is billed (runs.py) and nothing commits: the caller's
transaction holds the bills, their lines and their settlement together.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from operator import attrgetter

from django.db import connection
from django.utils import timezone

from common.db import copy_insert
from common.money import ZERO
from quota.deduction import LineResult, bill_total
from quota.models import (
    BillingRun,
    DailyBill,
    DailyBillLine,
)
from workspaces.models import Workspace

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
# DailyBill columns written with COPY, in the order of the rows of _copy_bills.
BILL_FIELDS = [
    "id",
    "workspace_id",
    "account_id",
    "day",
    "subscription_id",
    "total",
    "run_id",
    "created_at",
]


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


def _account_ids_of(workspace_ids: list[int]) -> dict[int, int]:
    """Workspace id → account id, in one query."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, account_id FROM {Workspace._meta.db_table} WHERE id = ANY(%s)",
            [workspace_ids],
        )
        return dict(cursor.fetchall())


def _bills_of(
    *,
    day: date,
    computed: dict[int, tuple[int | None, list[LineResult]]],
    workspace_ids: list[int],
    account_of: dict[int, int],
    catalog,
) -> list[WrittenBill]:
    """The bills of these workspaces, in workspace order, with ids drawn from the sequence."""
    no_vouchers = {code for code, pricing in catalog.items() if not pricing.voucher_payable}
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
    return bills


def _copy_bills(
    bills: list[WrittenBill], *, run: BillingRun, day: date, created_at: datetime
) -> None:
    """COPY the bills, all with the same created_at: one batch, one moment."""
    copy_insert(
        DailyBill,
        BILL_FIELDS,
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


def _copy_lines(
    bills: list[WrittenBill],
    *,
    computed: dict[int, tuple[int | None, list[LineResult]]],
    catalog,
) -> None:
    """COPY the lines of the bills, in bill order."""
    item_ids = {code: pricing.id for code, pricing in catalog.items()}
    copy_insert(
        DailyBillLine,
        ["bill_id", "item_id", "reason", *LINE_RESULT_FIELDS],
        (
            (bill.pk, item_ids[line.item_code], "", *line_values(line))
            for bill in bills
            for line in computed[bill.workspace_id][1]
        ),
    )


def bills_write(
    *, run: BillingRun, day: date, computed: dict[int, tuple[int | None, list[LineResult]]], catalog
) -> list[WrittenBill]:
    """Write the bills and their lines with COPY (ids drawn from the sequence first): the
    run's hot path."""
    if not computed:
        return []
    workspace_ids = sorted(computed)
    account_of = _account_ids_of(workspace_ids)
    created_at = timezone.now()
    bills = _bills_of(
        day=day,
        computed=computed,
        workspace_ids=workspace_ids,
        account_of=account_of,
        catalog=catalog,
    )
    _copy_bills(bills, run=run, day=day, created_at=created_at)
    _copy_lines(bills, computed=computed, catalog=catalog)
    return bills
