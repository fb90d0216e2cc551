"""Settling daily bills by the waterfall of SPEC 5.1, inside the chunk that writes them.

ordinary vouchers → full-reduction vouchers → prepaid cards → cash → arrears; earliest expiry
first within a kind; lines of items that vouchers may not pay go to cards and cash only; bills
of one account in workspace-id order. The billing layer calls it in each nightly chunk.
"""

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.db import connection
from psycopg2.extras import execute_values

from common.dates import day_start
from common.db import copy_insert
from common.money import ZERO
from quota.services.compute import WrittenBill
from wallet.models import (
    BillSettlement,
    EntryKind,
    Instrument,
    LedgerEntry,
    PrepaidCard,
    Voucher,
    Wallet,
)
from wallet.services import notifications
from wallet.services.arrears import wallets_arrears_start
from wallet.services.balances import wallets_lock
from wallet.services.instruments import lock_instruments


def _take(instruments, amount: Decimal, *, column: str, row) -> tuple[Decimal, list[tuple]]:
    """Pay up to `amount` from the locked instruments in order; returns (paid, ledger rows).

    Balances change in memory; `_save_balances` writes them once for the chunk.
    """
    paid = ZERO
    rows = []
    for instrument in instruments:
        part = min(instrument.balance, amount - paid)
        if part > 0:
            instrument.balance -= part
            instrument.touched = True
            rows.append(row(column, instrument.pk, -part, instrument.balance))
            paid += part
    return paid, rows


def _by_expiry(held) -> tuple:
    return held.expires_at, held.pk


def _save_balances(model, instruments) -> None:
    """The balances of the chunk's debited vouchers or cards in one statement."""
    rows = [(item.pk, item.balance) for item in instruments if getattr(item, "touched", False)]
    if not rows:
        return
    with connection.cursor() as cursor:
        execute_values(
            cursor,
            f"UPDATE {model._meta.db_table} AS held SET balance = row.balance "
            "FROM (VALUES %s) AS row (id, balance) WHERE held.id = row.id",
            rows,
            template="(%s, %s::numeric)",
            page_size=len(rows),
        )


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


def bills_settle(*, bills: list[WrittenBill], now: datetime) -> None:
    """Pay each bill as soon as it is written; what nothing can pay becomes arrears."""
    if not bills:
        return
    by_account = _owing_by_account(bills)
    wallets = wallets_lock(account_ids=by_account)
    # The bill's day decides which instruments may pay it, not the moment a catch-up settles
    # it: a voucher or card valid at any time of that day pays (bills of a chunk share a day).
    valid_at = min(now, day_start(min(bill.day for bill in bills)))
    vouchers, cards, held = instruments_lock(account_ids=by_account, valid_at=valid_at)
    settlements = [
        (bill.pk, bill.account_id, bill.day, ZERO, ZERO, ZERO, ZERO, ZERO, now)
        for bill in bills
        if bill.total <= 0
    ]
    entries: list[tuple] = []
    newly_owing: list[int] = []
    for account_id in sorted(by_account):
        taken, settled, started = _account_pay(
            wallets[account_id], by_account[account_id], held[account_id], now
        )
        entries += taken
        settlements += settled
        if started:
            newly_owing.append(account_id)
    chunk_write(
        wallets=wallets,
        vouchers=vouchers,
        cards=cards,
        newly_owing=newly_owing,
        entries=entries,
        settlements=settlements,
        now=now,
    )


def _owing_by_account(bills: list[WrittenBill]) -> dict[int, list[WrittenBill]]:
    """The bills with something to pay, grouped by account."""
    by_account: dict[int, list[WrittenBill]] = defaultdict(list)
    for bill in bills:
        if bill.total > 0:
            by_account[bill.account_id].append(bill)
    return by_account


def instruments_lock(*, account_ids, valid_at: datetime) -> tuple[list, list, dict]:
    """Lock the accounts' vouchers and cards valid at `valid_at`; returns (vouchers, cards, held)
    where held maps each account to its (ordinary vouchers, full-reduction vouchers, cards),
    each earliest expiry first."""
    vouchers, cards = lock_instruments(account_ids=account_ids, now=valid_at)
    vouchers_of: dict[int, list[Voucher]] = defaultdict(list)
    for voucher in vouchers:
        vouchers_of[voucher.account_id].append(voucher)
    cards_of: dict[int, list] = defaultdict(list)
    for card in cards:
        cards_of[card.account_id].append(card)
    held = {}
    for account_id in account_ids:
        own_vouchers = vouchers_of[account_id]
        held[account_id] = (
            sorted((v for v in own_vouchers if v.kind == Voucher.Kind.ORDINARY), key=_by_expiry),
            sorted(
                (v for v in own_vouchers if v.kind == Voucher.Kind.FULL_REDUCTION),
                key=_by_expiry,
            ),
            sorted(cards_of[account_id], key=_by_expiry),
        )
    return vouchers, cards, held


def _by_workspace(bill: WrittenBill) -> int:
    return bill.workspace_id


def _account_pay(wallet, bills, held, now) -> tuple[list[tuple], list[tuple], bool]:
    """One account's bills in workspace-id order; returns (ledger rows, settlement rows, whether
    the account started to owe)."""
    arrears_before = wallet.arrears
    wallet.updated_at = now
    entries: list[tuple] = []
    settlements = [
        bill_pay(bill, wallet, held, entries, now) for bill in sorted(bills, key=_by_workspace)
    ]
    return entries, settlements, wallet.arrears > 0 and arrears_before == 0


def bill_pay(
    bill: WrittenBill,
    wallet,
    held,
    entries: list[tuple],
    now,
    *,
    kind: str = EntryKind.BILL_PAYMENT,
    adjustment_id: int | None = None,
) -> tuple:
    """Pay one bill (or an adjustment's debit on it) down the waterfall, appending its ledger rows
    to `entries`; returns its settlement row (SETTLEMENT_COLUMNS order). Lines vouchers may not
    pay go to cards and cash."""
    ordinary, reduction, cards = held
    row = partial(_bill_entry, bill.account_id, bill.pk, kind, now, adjustment_id=adjustment_id)
    voucher_part = bill.total - bill.cards_and_cash_only
    from_ordinary, taken = _take(ordinary, voucher_part, column="voucher", row=row)
    entries += taken
    from_reduction, taken = _take(
        reduction, voucher_part - from_ordinary, column="voucher", row=row
    )
    entries += taken
    remaining = bill.total - from_ordinary - from_reduction
    from_cards, taken = _take(cards, remaining, column="prepaid_card", row=row)
    entries += taken
    remaining -= from_cards
    from_cash = min(wallet.cash_balance, remaining)
    if from_cash:
        wallet.cash_balance -= from_cash
        entries.append(row(Instrument.CASH, None, -from_cash, wallet.cash_balance))
    owed = remaining - from_cash
    if owed:
        wallet.arrears += owed
        entries.append(_arrears_entry(bill, now, owed, wallet.arrears, adjustment_id))
    return (
        bill.pk,
        bill.account_id,
        bill.day,
        from_ordinary,
        from_reduction,
        from_cards,
        from_cash,
        owed,
        now,
    )


def _arrears_entry(
    bill: WrittenBill, now, owed: Decimal, arrears: Decimal, adjustment_id: int | None = None
) -> tuple:
    """The ledger row of what nothing could pay of a bill, in LEDGER_COLUMNS order."""
    return _bill_entry(
        bill.account_id,
        bill.pk,
        EntryKind.ARREARS_INCURRED,
        now,
        Instrument.ARREARS,
        None,
        owed,
        arrears,
        adjustment_id=adjustment_id,
    )


def chunk_write(*, wallets, vouchers, cards, newly_owing, entries, settlements, now) -> None:
    """The chunk's balances, the arrears countdown and e-mails of the accounts that started to
    owe, then its ledger and settlement rows."""
    _save_balances(Voucher, vouchers)
    _save_balances(PrepaidCard, cards)
    _save_wallets(wallets.values())
    if newly_owing:
        lock_at = now + timedelta(days=settings.BILLING_LOCK_AFTER_DAYS)
        started = wallets_arrears_start(
            wallets=[wallets[account_id] for account_id in newly_owing], since=now
        )
        notifications.arrears_started_mail_many(
            started=[(account_id, wallets[account_id].arrears, lock_at) for account_id in started]
        )
    copy_insert(LedgerEntry, LEDGER_COLUMNS, entries)  # ids follow the list order: sums hold
    copy_insert(BillSettlement, SETTLEMENT_COLUMNS, settlements)


LEDGER_COLUMNS = [
    "account_id",
    "instrument",
    "voucher_id",
    "prepaid_card_id",
    "amount",
    "balance_after",
    "kind",
    "daily_bill_id",
    "adjustment_id",
    "reference",
    "created_at",
]
SETTLEMENT_COLUMNS = [
    "bill_id",
    "account_id",
    "day",
    "ordinary_vouchers",
    "full_reduction_vouchers",
    "prepaid_cards",
    "cash",
    "arrears",
    "settled_at",
]


def _bill_entry(
    account_id,
    bill_id,
    kind,
    now,
    instrument,
    instrument_id,
    amount,
    balance_after,
    *,
    adjustment_id: int | None = None,
):
    """A ledger row of a bill's (or an adjustment's) payment, in LEDGER_COLUMNS order."""
    if instrument == "voucher":
        voucher_id, card_id = instrument_id, None
    elif instrument == "prepaid_card":
        voucher_id, card_id = None, instrument_id
    else:
        voucher_id = card_id = None
    return (
        account_id,
        instrument,
        voucher_id,
        card_id,
        amount,
        balance_after,
        kind,
        bill_id,
        adjustment_id,
        "",
        now,
    )
