"""Monthly statements (SPEC 5.3): PAYG charged, how it was paid, orders, arrears at month end."""

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from common.dates import day_start
from common.money import ZERO
from orders.models import BillSettlement, Instrument, LedgerEntry, Order, Statement
from quota.models import DailyBill
from workspaces.models import Account


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, following


def _money(value) -> object:
    return Coalesce(value, ZERO)


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
    # A bill's debt belongs to its billing day (the last day's bill is settled after midnight);
    # payments of the debt belong to the moment they were made.
    arrears_end = LedgerEntry.objects.filter(
        Q(daily_bill__isnull=False, daily_bill__day__lt=following)
        | Q(daily_bill__isnull=True, created_at__lt=day_start(following)),
        account=account,
        instrument=Instrument.ARREARS,
    ).aggregate(total=_money(Sum("amount")))["total"]
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
        arrears_at_month_end=arrears_end,
        created_at=now,
    )


def statements_generate(*, month: date, now: datetime) -> int:
    """Write the statement of `month` for every account that had activity; idempotent."""
    first, following = month_bounds(month)
    active = set(
        DailyBill.objects.filter(day__gte=first, day__lt=following).values_list(
            "account_id", flat=True
        )
    )
    active |= set(
        Order.objects.filter(
            paid_at__gte=day_start(first), paid_at__lt=day_start(following)
        ).values_list("account_id", flat=True)
    )
    active |= set(
        LedgerEntry.objects.filter(instrument=Instrument.ARREARS).values_list(
            "account_id", flat=True
        )
    )
    written = 0
    for account in Account.objects.filter(pk__in=active).order_by("pk"):
        if Statement.objects.filter(account=account, month=first).exists():
            continue
        statement = statement_compute(account=account, month=first, now=now)
        try:
            with transaction.atomic():
                statement.save()
                written += 1
        except IntegrityError:
            continue  # written by a concurrent run
    return written
