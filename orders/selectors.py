"""Reads of the wallet for pages and the API."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from common.money import ZERO
from orders.models import Wallet
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
