"""Late usage, re-rated (SPEC 6.2). Samples for a day already billed are stored, and the day of
their account is marked (LateUsage). The next run recomputes the whole day of the account with
the pure deduction code — every workspace of each subscription, since a late sample of the first
workspace changes what the next ones get — and writes the difference from what is already
billed (the lines plus earlier re-ratings) as adjustments per workspace, item and retention,
dated on the day and settled now. The same data re-rated again differs by nothing: nothing is
written. Operators' own adjustments are their decisions and are left out of the comparison.

Settlement is the wallet's: the caller passes it in (`settle(adjustments=..., now=...)`), as the
nightly run passes the settlement of bills, so quota never imports the wallet."""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import translation
from django.utils.translation import gettext as _

from common.dates import billing_day, billing_zone
from quota.day_usage import deduction_compute_accounts
from quota.models import (
    AdjustmentKind,
    BillAdjustment,
    BillingRun,
    DailyBill,
    DailyBillLine,
    LateUsage,
)
from quota.selectors import billing_run_open_account_ids, catalog_snapshot
from quota.services.usage import usage_lock_day_exclusive

logger = logging.getLogger(__name__)

SettleAdjustments = Callable[..., None]
QUANTITIES = ("quantity", "converted", "plan_covered", "traffic_covered", "payg_quantity")


@dataclass(frozen=True)
class Billed:
    """What a workspace, item and retention costs for the day: quantities and amount."""

    quantity: int = 0
    converted: int = 0
    plan_covered: int = 0
    traffic_covered: int = 0
    payg_quantity: int = 0
    amount: object = 0

    def minus(self, other: "Billed") -> "Billed":
        return Billed(*(getattr(self, name) - getattr(other, name) for name in self.names()))

    @staticmethod
    def names() -> tuple[str, ...]:
        return (*QUANTITIES, "amount")

    def is_zero(self) -> bool:
        return all(getattr(self, name) == 0 for name in self.names())


@dataclass
class RerateReport:
    account_days: int = 0
    adjustments: list[BillAdjustment] = field(default_factory=list)
    skipped: list[tuple[date, int]] = field(default_factory=list)  # not billed yet


def _computed(day: date, account_id: int, catalog) -> tuple[dict, dict[int, int | None]]:
    """The day recomputed now: (workspace, item code, retention) → Billed, and each
    workspace's subscription."""
    results = deduction_compute_accounts(day=day, account_ids=[account_id], catalog=catalog)
    fresh: dict[tuple, Billed] = {}
    subscription_of: dict[int, int | None] = {}
    for workspace_id, (subscription_id, lines) in results.items():
        subscription_of[workspace_id] = subscription_id
        for line in lines:
            fresh[(workspace_id, line.item_code, line.retention_days)] = Billed(
                line.quantity,
                line.converted_quantity,
                line.plan_covered,
                line.traffic_covered,
                line.payg_quantity,
                line.amount,
            )
    return fresh, subscription_of


def _billed(day: date, account_id: int) -> dict[tuple, Billed]:
    """What is billed for the day: the bills' lines plus earlier re-ratings."""
    billed: dict[tuple, Billed] = {}
    for row in (
        DailyBillLine.objects.filter(bill__account_id=account_id, bill__day=day, reason="")
        .values("bill__workspace_id", "item__code", "retention_days")
        .annotate(
            q=Sum("quantity"),
            c=Sum("converted_quantity"),
            p=Sum("plan_covered"),
            t=Sum("traffic_covered"),
            g=Sum("payg_quantity"),
            a=Sum("amount"),
        )
    ):
        key = (row["bill__workspace_id"], row["item__code"], row["retention_days"])
        billed[key] = Billed(row["q"], row["c"], row["p"], row["t"], row["g"], row["a"])
    for row in (
        BillAdjustment.objects.filter(
            account_id=account_id, day=day, kind=AdjustmentKind.LATE_USAGE
        )
        .values("bill__workspace_id", "item__code", "retention_days")
        .annotate(
            q=Sum("quantity_delta"),
            c=Sum("converted_delta"),
            p=Sum("plan_covered_delta"),
            t=Sum("traffic_covered_delta"),
            g=Sum("payg_quantity_delta"),
            a=Sum("amount"),
        )
    ):
        key = (row["bill__workspace_id"], row["item__code"], row["retention_days"])
        earlier = billed.get(key, Billed())
        delta = Billed(row["q"], row["c"], row["p"], row["t"], row["g"], row["a"])
        billed[key] = Billed(*(getattr(earlier, n) + getattr(delta, n) for n in Billed.names()))
    return billed


def _bill_of(day, account_id, workspace_id, subscription_id, run, now) -> DailyBill:
    """The workspace's bill of the day; a workspace whose first usage of the day came late gets
    an empty one (total ¥0.00) to carry its adjustments."""
    bill = DailyBill.objects.filter(workspace_id=workspace_id, day=day).first()
    if bill is None:
        bill = DailyBill.objects.create(
            workspace_id=workspace_id,
            account_id=account_id,
            day=day,
            subscription_id=subscription_id,
            total=0,
            run=run,
        )
    return bill


def late_reason(received_at: datetime | None) -> str:
    """Stored in English (pages show it in the reader's language: BillAdjustment.reason_text)."""
    with translation.override("en"):
        if received_at is None:
            return _("re-rated by an operator")
        local = received_at.astimezone(billing_zone())
        return _("late usage received %(time)s") % {"time": f"{local:%Y-%m-%d %H:%M}"}


def account_day_rerate(
    *, day: date, account_id: int, now: datetime, settle: SettleAdjustments, catalog=None
) -> list[BillAdjustment] | None:
    """Re-rate one billed day of one account in one transaction; None when the account's part
    of the day is not billed yet (its run bills the samples as they are)."""
    run = BillingRun.objects.filter(day=day).first()
    if run is None or account_id in billing_run_open_account_ids(runs=[run]).get(day, set()):
        return None
    with transaction.atomic():
        usage_lock_day_exclusive(day=day)  # no sample of the day lands while it is re-rated
        late = LateUsage.objects.filter(account_id=account_id, day=day, rerated_at__isnull=True)
        received_at = late.aggregate(at=Max("received_at"))["at"]
        fresh, subscription_of = _computed(day, account_id, catalog or catalog_snapshot())
        billed = _billed(day, account_id)
        item_ids = {code: pricing.id for code, pricing in (catalog or catalog_snapshot()).items()}
        adjustments = []
        for key in sorted(set(fresh) | set(billed)):
            delta = fresh.get(key, Billed()).minus(billed.get(key, Billed()))
            if delta.is_zero():
                continue
            workspace_id, item_code, retention = key
            bill = _bill_of(
                day, account_id, workspace_id, subscription_of.get(workspace_id), run, now
            )
            adjustments.append(
                _adjustment(bill, item_ids[item_code], retention, delta, received_at, now)
            )
        BillAdjustment.objects.bulk_create(adjustments)
        moving = [adjustment for adjustment in adjustments if adjustment.amount != 0]
        if moving:
            settle(adjustments=moving, now=now)
        late.update(rerated_at=now)
    return adjustments


def _adjustment(bill, item_id, retention, delta: Billed, received_at, now) -> BillAdjustment:
    return BillAdjustment(
        bill=bill,
        account_id=bill.account_id,
        day=bill.day,
        kind=AdjustmentKind.LATE_USAGE,
        item_id=item_id,
        retention_days=retention,
        quantity_delta=delta.quantity,
        converted_delta=delta.converted,
        plan_covered_delta=delta.plan_covered,
        traffic_covered_delta=delta.traffic_covered,
        payg_quantity_delta=delta.payg_quantity,
        amount=delta.amount,
        reason=late_reason(received_at),
        usage_received_at=received_at,
        created_at=now,
        settled_on=billing_day(now),
    )


def late_usage_rerate_due(*, now: datetime, settle: SettleAdjustments) -> RerateReport:
    """Every account-day with late usage, oldest day first (what the nightly run does)."""
    report = RerateReport()
    catalog = catalog_snapshot()
    pending = (
        LateUsage.objects.filter(rerated_at__isnull=True)
        .order_by("day", "account_id")
        .values_list("day", "account_id")
        .distinct()
    )
    for day, account_id in list(pending):
        written = account_day_rerate(
            day=day, account_id=account_id, now=now, settle=settle, catalog=catalog
        )
        if written is None:
            report.skipped.append((day, account_id))
            continue
        report.account_days += 1
        report.adjustments += written
    if report.adjustments:
        logger.info("late usage: %s adjustment(s) written", len(report.adjustments))
    return report


def day_rerate(
    *, day: date, now: datetime, settle: SettleAdjustments, account_id: int | None = None
) -> RerateReport:
    """Re-rate a billed day by hand (`rerate_day`): every account with bills that day, or one."""
    report = RerateReport()
    if account_id is not None:
        account_ids = [account_id]
    else:
        account_ids = sorted(
            set(DailyBill.objects.filter(day=day).values_list("account_id", flat=True))
            | set(LateUsage.objects.filter(day=day).values_list("account_id", flat=True))
        )
    catalog = catalog_snapshot()
    for each in account_ids:
        written = account_day_rerate(
            day=day, account_id=each, now=now, settle=settle, catalog=catalog
        )
        if written is None:
            report.skipped.append((day, each))
            continue
        report.account_days += 1
        report.adjustments += written
    return report
