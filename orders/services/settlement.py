"""Settling daily bills by the waterfall of SPEC 5.1, inside the chunk that writes them.

ordinary vouchers → full-reduction vouchers → prepaid cards → cash → arrears; earliest expiry
first within a kind; lines of items that vouchers may not pay go to cards and cash only; bills
of one account in workspace-id order. Called by the nightly run (BILLING_SETTLEMENT_HOOK).
"""

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Sum
from psycopg2.extras import execute_values

from common.dates import day_start
from common.db import copy_objects
from common.money import ZERO
from orders.models import BillSettlement, EntryKind, Instrument, LedgerEntry, Voucher, Wallet
from orders.services import notifications
from orders.services.alerts import spend_alerts_check
from orders.services.wallet import (
    entry,
    instrument_debit,
    lock_instruments,
    wallets_lock,
)
from quota.models import DailyBill, DailyBillLine
from workspaces.services import accounts_arrears_start


def _take(instruments, amount: Decimal, **entry_fields) -> tuple[Decimal, list[LedgerEntry]]:
    """Pay up to `amount` from the instruments in order; returns (paid, entries)."""
    paid = ZERO
    entries = []
    for instrument in instruments:
        part = min(instrument.balance, amount - paid)
        if part > 0:
            entries.append(instrument_debit(instrument=instrument, amount=part, **entry_fields))
            paid += part
    return paid, entries


def _save_wallets(wallets) -> None:
    """All the chunk's wallets in one statement (bulk_update's CASE is slow for thousands)."""
    rows = [
        (wallet.pk, wallet.cash_balance, wallet.arrears, wallet.updated_at) for wallet in wallets
    ]
    if not rows:
        return
    with connection.cursor() as cursor:
        execute_values(
            cursor,
            f"UPDATE {Wallet._meta.db_table} AS wallet SET cash_balance = row.cash, "
            "arrears = row.arrears, updated_at = row.changed "
            "FROM (VALUES %s) AS row (id, cash, arrears, changed) WHERE wallet.id = row.id",
            rows,
            template="(%s, %s::numeric, %s::numeric, %s::timestamptz)",
            page_size=len(rows),
        )


def bills_settle(*, bills: list[DailyBill], now: datetime) -> None:
    """Pay each bill as soon as it is written; what nothing can pay becomes arrears."""
    if not bills:
        return
    spend_alerts_check(bills=bills, now=now)
    owing = [bill for bill in bills if bill.total > 0]
    not_voucher_payable = dict(
        DailyBillLine.objects.filter(
            bill_id__in=[bill.pk for bill in owing], item__voucher_payable=False
        )
        .values("bill_id")
        .annotate(amount=Sum("amount"))
        .values_list("bill_id", "amount")
    )
    by_account: dict[int, list[DailyBill]] = defaultdict(list)
    for bill in owing:
        by_account[bill.account_id].append(bill)
    wallets = wallets_lock(account_ids=by_account)
    # The bill's day decides which instruments may pay it, not the moment a catch-up settles
    # it: a voucher or card valid at any time of that day pays (bills of a chunk share a day).
    valid_at = min(now, day_start(min(bill.day for bill in bills)))
    vouchers, cards = lock_instruments(account_ids=by_account, now=valid_at)
    settlements = [
        BillSettlement(bill_id=bill.pk, account_id=bill.account_id, day=bill.day, settled_at=now)
        for bill in bills
        if bill.total <= 0
    ]
    entries: list[LedgerEntry] = []
    newly_owing: list[int] = []
    for account_id in sorted(by_account):
        wallet = wallets[account_id]
        own_vouchers = [voucher for voucher in vouchers if voucher.account_id == account_id]
        ordinary = sorted(
            (v for v in own_vouchers if v.kind == Voucher.Kind.ORDINARY),
            key=lambda v: (v.expires_at, v.pk),
        )
        reduction = sorted(
            (v for v in own_vouchers if v.kind == Voucher.Kind.FULL_REDUCTION),
            key=lambda v: (v.expires_at, v.pk),
        )
        own_cards = sorted(
            (c for c in cards if c.account_id == account_id), key=lambda c: (c.expires_at, c.pk)
        )
        arrears_before = wallet.arrears
        wallet.updated_at = now
        for bill in sorted(by_account[account_id], key=lambda bill: bill.workspace_id):
            fields = {
                "wallet": wallet,
                "kind": EntryKind.BILL_PAYMENT,
                "daily_bill": bill,
                "now": now,
            }
            voucher_part = bill.total - not_voucher_payable.get(bill.pk, ZERO)
            from_ordinary, taken = _take(ordinary, voucher_part, **fields)
            entries += taken
            from_reduction, taken = _take(reduction, voucher_part - from_ordinary, **fields)
            entries += taken
            remaining = bill.total - from_ordinary - from_reduction
            from_cards, taken = _take(own_cards, remaining, **fields)
            entries += taken
            remaining -= from_cards
            from_cash = min(wallet.cash_balance, remaining)
            if from_cash:
                wallet.cash_balance -= from_cash
                entries.append(
                    entry(
                        instrument=Instrument.CASH,
                        amount=-from_cash,
                        balance_after=wallet.cash_balance,
                        **fields,
                    )
                )
            owed = remaining - from_cash
            if owed:
                wallet.arrears += owed
                entries.append(
                    entry(
                        instrument=Instrument.ARREARS,
                        amount=owed,
                        balance_after=wallet.arrears,
                        **{**fields, "kind": EntryKind.ARREARS_INCURRED},
                    )
                )
            settlements.append(
                BillSettlement(
                    bill_id=bill.pk,
                    account_id=account_id,
                    day=bill.day,
                    ordinary_vouchers=from_ordinary,
                    full_reduction_vouchers=from_reduction,
                    prepaid_cards=from_cards,
                    cash=from_cash,
                    arrears=owed,
                    settled_at=now,
                )
            )
        if wallet.arrears > 0 and arrears_before == 0:
            newly_owing.append(account_id)
    _save_wallets(wallets.values())
    if newly_owing:
        lock_at = now + timedelta(days=settings.BILLING_LOCK_AFTER_DAYS)
        started = accounts_arrears_start(account_ids=newly_owing, since=now)
        notifications.on_commit_arrears_started_many(
            started=[(account_id, wallets[account_id].arrears, lock_at) for account_id in started]
        )
    copy_objects(LedgerEntry, entries)  # ids follow the list order: the running sums hold
    copy_objects(BillSettlement, settlements)
