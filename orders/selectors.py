"""Reads of the wallet for pages and the API."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from common.api import parse_id
from common.dates import day_start
from common.exceptions import NotFound
from common.money import ZERO
from orders.models import (
    BillSettlement,
    Instrument,
    LedgerEntry,
    Order,
    PrepaidCard,
    SpendAlert,
    Statement,
    Voucher,
    Wallet,
)
from quota.models import DailyBill
from workspaces.models import Account
from workspaces.selectors import account_lock_at


@dataclass(frozen=True)
class AccountBalances:
    cash_balance: Decimal
    arrears: Decimal
    arrears_since: datetime | None
    lock_at: datetime | None


def account_balances(*, account: Account) -> AccountBalances:
    """Cash and debt of an account; an account that never held money has ¥0.00 of each."""
    wallet = Wallet.objects.filter(account=account).first()
    return AccountBalances(
        cash_balance=wallet.cash_balance if wallet else ZERO,
        arrears=wallet.arrears if wallet else ZERO,
        arrears_since=account.arrears_since,
        lock_at=account_lock_at(account=account),
    )


LEDGER_COLUMNS = [
    "created_at",
    "instrument",
    "instrument_id",
    "amount",
    "balance_after",
    "kind",
    "order",
    "daily_bill",
    "reference",
]


def voucher_list(*, account: Account):
    return Voucher.objects.filter(account=account).order_by("expires_at", "pk")


def prepaid_card_list(*, account: Account):
    return PrepaidCard.objects.filter(account=account).order_by("expires_at", "pk")


def instrument_status(instrument, *, now: datetime) -> str:
    if instrument.expires_at <= now:
        return "expired"
    if instrument.balance <= 0:
        return "used_up"
    return "active"


def order_list(*, account: Account):
    return Order.objects.filter(account=account).order_by("-created_at", "-pk")


def order_get(*, account: Account, order_id) -> Order:
    order_id = parse_id(order_id)
    order = order_list(account=account).filter(pk=order_id).first() if order_id else None
    if order is None:
        raise NotFound(_("No such order."))
    return order


def ledger_list(
    *,
    account: Account,
    date_from: date | None = None,
    date_to: date | None = None,
    instrument: str | None = None,
):
    entries = LedgerEntry.objects.filter(account=account)
    if date_from:
        entries = entries.filter(created_at__gte=day_start(date_from))
    if date_to:
        entries = entries.filter(created_at__lt=day_start(date_to) + timedelta(days=1))
    if instrument:
        entries = entries.filter(instrument=instrument)
    return entries.order_by("-created_at", "-pk")


def usable_balances(*, account: Account, now: datetime) -> dict[str, Decimal]:
    """What vouchers and prepaid cards can still pay, by kind."""
    vouchers = Voucher.objects.filter(account=account, balance__gt=0, expires_at__gt=now).aggregate(
        total=Coalesce(Sum("balance"), ZERO)
    )["total"]
    cards = PrepaidCard.objects.filter(
        account=account, balance__gt=0, expires_at__gt=now
    ).aggregate(total=Coalesce(Sum("balance"), ZERO))["total"]
    return {"vouchers": vouchers, "prepaid_cards": cards}


def statement_for(*, account: Account, month: date, now: datetime) -> Statement:
    """The stored statement of a month, or the running one when it is not produced yet."""
    stored = Statement.objects.filter(account=account, month=month.replace(day=1)).first()
    return stored or statement_compute(account=account, month=month, now=now)


def spend_alert_list(*, account: Account):
    return (
        SpendAlert.objects.filter(account=account)
        .select_related("workspace", "item")
        .order_by("workspace_id", "item_id")
    )


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
