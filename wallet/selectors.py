"""Reads of the wallet for pages and the API."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy

from common.dates import day_start
from common.money import ZERO
from wallet.models import LedgerEntry, LowBalanceAlert, PrepaidCard, Voucher, Wallet
from workspaces.models import Account


def wallet_lock_at(wallet: Wallet | None) -> datetime | None:
    """When an owing account's workspaces lock; None when it owes nothing."""
    if wallet is None or wallet.arrears_since is None:
        return None
    return wallet.arrears_since + timedelta(days=settings.BILLING_LOCK_AFTER_DAYS)


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
        arrears_since=wallet.arrears_since if wallet else None,
        lock_at=wallet_lock_at(wallet),
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
    "adjustment",
    "adjustment_reason",
]


def voucher_list(*, account: Account):
    return Voucher.objects.filter(account=account).order_by("expires_at", "pk")


def prepaid_card_list(*, account: Account):
    return PrepaidCard.objects.filter(account=account).order_by("expires_at", "pk")


# What instrument_status's codes read as on pages (the API and the CSV answer the codes).
INSTRUMENT_STATUS_LABELS = {
    "active": gettext_lazy("Usable"),
    "used_up": gettext_lazy("Used up"),
    "expired": gettext_lazy("Expired"),
}


def instrument_status_label(status: str) -> str:
    return str(INSTRUMENT_STATUS_LABELS.get(status, status))


def instrument_status(instrument, *, now: datetime) -> str:
    if instrument.expires_at <= now:
        return "expired"
    if instrument.balance <= 0:
        return "used_up"
    return "active"


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
    return entries.select_related("adjustment").order_by("-created_at", "-pk")


def usable_balances(*, account: Account, now: datetime) -> dict[str, Decimal]:
    """What vouchers and prepaid cards can still pay, by kind."""
    vouchers = Voucher.objects.filter(account=account, balance__gt=0, expires_at__gt=now).aggregate(
        total=Coalesce(Sum("balance"), ZERO)
    )["total"]
    cards = PrepaidCard.objects.filter(
        account=account, balance__gt=0, expires_at__gt=now
    ).aggregate(total=Coalesce(Sum("balance"), ZERO))["total"]
    return {"vouchers": vouchers, "prepaid_cards": cards}


def low_balance_alert_get(*, account: Account) -> LowBalanceAlert | None:
    return LowBalanceAlert.objects.filter(account=account).first()
