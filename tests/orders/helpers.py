"""Helpers for wallet and checkout tests: money comes in through the real services."""

from datetime import datetime, time
from decimal import Decimal
from itertools import count

from common.dates import billing_zone
from orders.requests import order_request_parse, payment_split_parse
from orders.services.checkout import order_place
from orders.services.kinds import order_quote
from wallet.models import LedgerEntry
from wallet.services.balances import cash_credit
from wallet.services.instruments import prepaid_card_issue, voucher_issue
from wallet.services.ledger import balances_match
from workspaces.models import Membership

REMITTANCE_NUMBERS = count(1)


def at(day, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=billing_zone())


def fund_cash(account, amount: str, now: datetime):
    """A remittance of its own each time (a reference is credited once per account)."""
    reference = f"test remittance {next(REMITTANCE_NUMBERS)}"
    return cash_credit(account_id=account.pk, amount=amount, reference=reference, now=now)


def give_card(account, amount: str, now: datetime, valid_days: int = 365):
    return prepaid_card_issue(account_id=account.pk, amount=amount, valid_days=valid_days, now=now)


def give_voucher(
    account, amount: str, now: datetime, kind: str = "ordinary", valid_days: int = 365
):
    return voucher_issue(
        account_id=account.pk, amount=amount, kind=kind, valid_days=valid_days, now=now
    )


def owner_membership(account) -> Membership:
    return Membership.objects.select_related("account", "user").get(account=account, role="owner")


def place(account, data: dict, payment: dict | None, now: datetime, key: str | None = None):
    """Place the order an API body describes: parsed at the edge, as the API parses it."""
    order, _ = order_place(
        membership=owner_membership(account),
        request=order_request_parse(data),
        payment=payment_split_parse(payment),
        idempotency_key=key,
        now=now,
    )
    return order


def quote_of(*, account, data: dict, today):
    """The quote of the order an API body describes."""
    return order_quote(account=account, request=order_request_parse(data), today=today)


def cash(amount: str) -> dict:
    return {"cash": amount}


def assert_ledger_clean() -> None:
    assert balances_match() == []


def paid_by_entries(order) -> Decimal:
    """What the order's payment entries took from the instruments."""
    entries = LedgerEntry.objects.filter(order=order, kind="order_payment")
    return -sum((entry.amount for entry in entries), Decimal("0"))
