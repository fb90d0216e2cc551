"""Reads of the billing layer: monthly statements, which combine bills (quota), their
settlements and the ledger (wallet) and orders."""

from datetime import date, datetime, timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from billing.models import Statement
from common.dates import day_start
from common.money import ZERO
from orders.models import Order
from quota.models import BillAdjustment, DailyBill
from wallet.models import BillSettlement, EntryKind, Instrument, LedgerEntry
from workspaces.models import Account


def statement_for(*, account: Account, month: date, now: datetime) -> Statement:
    """The stored statement of a month, or the running one when it is not produced yet."""
    stored = Statement.objects.filter(account=account, month=month.replace(day=1)).first()
    return stored or statement_compute(account=account, month=month, now=now)


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, following


def _money(value) -> object:
    return Coalesce(value, ZERO)


def _orders_paid_by(account: Account, first: date, following: date) -> dict[str, object]:
    """How the orders paid in the month were paid, by instrument (positive amounts)."""
    paid = LedgerEntry.objects.filter(
        account=account,
        kind=EntryKind.ORDER_PAYMENT,
        order__paid_at__gte=day_start(first),
        order__paid_at__lt=day_start(following),
    ).aggregate(
        **{
            instrument: _money(Sum("amount", filter=Q(instrument=instrument)))
            for instrument in (Instrument.CASH, Instrument.PREPAID_CARD, Instrument.VOUCHER)
        }
    )
    return {instrument: abs(amount) for instrument, amount in paid.items()}


def statement_orders(*, account: Account, month: date):
    """The orders paid in the month, oldest first (the statement page lists them)."""
    first, following = month_bounds(month)
    return Order.objects.filter(
        account=account, paid_at__gte=day_start(first), paid_at__lt=day_start(following)
    ).order_by("paid_at", "pk")


def statement_months(*, today: date, count: int = 12) -> list[date]:
    """The first days of this month and the `count - 1` before it, newest first."""
    months, month = [], today.replace(day=1)
    for _ in range(count):
        months.append(month)
        month = (month - timedelta(days=1)).replace(day=1)
    return months


def statement_compute(*, account: Account, month: date, now: datetime) -> Statement:
    """The statement of one month, unsaved (also what the page shows for the current month)."""
    first, following = month_bounds(month)
    bills = DailyBill.objects.filter(account=account, day__gte=first, day__lt=following)
    settlements = BillSettlement.objects.filter(
        account=account, day__gte=first, day__lt=following
    ).aggregate(
        vouchers=_money(Sum("ordinary_vouchers") + Sum("full_reduction_vouchers")),
        cards=_money(Sum("prepaid_cards")),
        cash=_money(Sum("cash")),
        arrears=_money(Sum("arrears")),
    )
    orders = Order.objects.filter(
        account=account, paid_at__gte=day_start(first), paid_at__lt=day_start(following)
    ).aggregate(total=_money(Sum("total")), count=Count("pk"))
    order_payments = _orders_paid_by(account, first, following)
    # A bill's debt belongs to its billing day (the last day's bill is settled after midnight);
    # payments of the debt belong to the moment they were made.
    # An adjustment's debt belongs to the moment it was settled, not to its bill's day.
    arrears_end = LedgerEntry.objects.filter(
        Q(daily_bill__isnull=False, adjustment__isnull=True, daily_bill__day__lt=following)
        | Q(Q(daily_bill__isnull=True) | Q(adjustment__isnull=False))
        & Q(created_at__lt=day_start(following)),
        account=account,
        instrument=Instrument.ARREARS,
    ).aggregate(total=_money(Sum("amount")))["total"]
    adjustments = BillAdjustment.objects.filter(
        account=account, settled_on__gte=first, settled_on__lt=following
    ).aggregate(
        debited=_money(Sum("amount", filter=Q(amount__gt=0))),
        credited=_money(Sum("amount", filter=Q(amount__lt=0))),
    )
    return Statement(
        account=account,
        month=first,
        payg_charged=bills.aggregate(total=_money(Sum("total")))["total"],
        paid_by_vouchers=settlements["vouchers"],
        paid_by_cards=settlements["cards"],
        paid_by_cash=settlements["cash"],
        left_in_arrears=settlements["arrears"],
        orders_total=orders["total"],
        orders_count=orders["count"],
        orders_paid_by_cash=order_payments[Instrument.CASH],
        orders_paid_by_cards=order_payments[Instrument.PREPAID_CARD],
        orders_paid_by_vouchers=order_payments[Instrument.VOUCHER],
        arrears_at_month_end=arrears_end,
        adjustments_debited=adjustments["debited"],
        adjustments_credited=abs(adjustments["credited"]),
        created_at=now,
    )
