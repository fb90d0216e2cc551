"""Balances: every change of cash or arrears goes through here and appends its ledger entry.

Locks, always in this order: wallets (by account id), vouchers (by pk), prepaid cards (by pk),
then whatever the quota services lock (subscription, workspaces).
"""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db import connection, transaction
from django.utils.translation import gettext as _

from common.exceptions import InvalidInput
from common.money import MAX_BALANCE, parse_amount
from wallet.models import EntryKind, Instrument, LedgerEntry, PrepaidCard, Voucher, Wallet
from wallet.services.arrears import wallet_arrears_clear


def wallets_lock(*, account_ids: Iterable[int]) -> dict[int, Wallet]:
    """Create missing wallets, then lock all of them in account-id order."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    if len(ids) == 1:  # the checkout's case: one query when the wallet exists
        wallet = Wallet.objects.select_for_update().filter(account_id=ids[0]).first()
        if wallet is not None:
            return {wallet.account_id: wallet}
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Wallet._meta.db_table} (account_id, cash_balance, arrears, updated_at) "
            "SELECT unnest(%s::bigint[]), 0, 0, now() ON CONFLICT (account_id) DO NOTHING",
            [ids],
        )
    wallets = Wallet.objects.select_for_update().filter(account_id__any=ids).order_by("account_id")
    return {wallet.account_id: wallet for wallet in wallets}


def wallet_lock(*, account_id: int) -> Wallet:
    return wallets_lock(account_ids=[account_id])[account_id]


def entry(
    *,
    wallet: Wallet,
    instrument: str,
    amount: Decimal,
    balance_after: Decimal,
    kind: str,
    now: datetime,
    voucher: Voucher | None = None,
    prepaid_card: PrepaidCard | None = None,
    order=None,
    daily_bill=None,
    actor=None,
    reference: str = "",
) -> LedgerEntry:
    """An unsaved ledger entry (the caller saves them, in bulk where it helps)."""
    return LedgerEntry(
        account_id=wallet.account_id,
        instrument=instrument,
        voucher=voucher,
        prepaid_card=prepaid_card,
        amount=amount,
        balance_after=balance_after,
        kind=kind,
        order=order,
        daily_bill=daily_bill,
        actor=actor,
        reference=reference,
        created_at=now,
    )


def held_entry(held: Voucher | PrepaidCard, **fields) -> LedgerEntry:
    """An unsaved ledger entry of a voucher's or a prepaid card's balance."""
    if isinstance(held, Voucher):
        return entry(instrument=Instrument.VOUCHER, voucher=held, **fields)
    return entry(instrument=Instrument.PREPAID_CARD, prepaid_card=held, **fields)


def instrument_debit(
    *, instrument: Voucher | PrepaidCard, amount: Decimal, wallet: Wallet, **fields
) -> LedgerEntry:
    """Take `amount` from a locked voucher or card; returns its (unsaved) ledger entry."""
    instrument.balance -= amount
    instrument.save(update_fields=["balance"])
    return held_entry(
        instrument, wallet=wallet, amount=-amount, balance_after=instrument.balance, **fields
    )


def cash_debit(*, amount: Decimal, wallet: Wallet, **fields) -> LedgerEntry:
    """Take `amount` from the locked wallet's cash; returns its (unsaved) ledger entry."""
    wallet.cash_balance -= amount
    save_wallet(wallet)
    return entry(
        wallet=wallet,
        instrument=Instrument.CASH,
        amount=-amount,
        balance_after=wallet.cash_balance,
        **fields,
    )


def save_wallet(wallet: Wallet) -> None:
    wallet.save(update_fields=["cash_balance", "arrears", "updated_at"])


def pay_debt_first(
    *,
    wallet: Wallet,
    now: datetime,
    actor=None,
    card: PrepaidCard | None = None,
    reference: str = "",
) -> list[LedgerEntry]:
    """Pay the arrears from cash (or from a just-bought card); unlock when the debt reaches 0."""
    source = card.balance if card is not None else wallet.cash_balance
    paid = min(wallet.arrears, source)
    if paid <= 0:
        return []
    fields = {
        "wallet": wallet,
        "kind": EntryKind.ARREARS_PAID,
        "now": now,
        "actor": actor,
        "reference": reference,
    }
    if card is not None:
        entries = [instrument_debit(instrument=card, amount=paid, **fields)]
    else:
        entries = [cash_debit(amount=paid, **fields)]
    wallet.arrears -= paid
    entries.append(
        entry(instrument=Instrument.ARREARS, amount=-paid, balance_after=wallet.arrears, **fields)
    )
    save_wallet(wallet)
    if wallet.arrears == 0:
        wallet_arrears_clear(wallet=wallet)
    return entries


def cash_credit(*, account_id: int, amount, reference: str, actor=None, now: datetime) -> Wallet:
    """A bank remittance arrived: credit cash, then pay the debt first (SPEC 4.3, 5.4)."""
    amount = parse_amount(amount, field="amount")
    reference = (reference or "").strip()
    if not reference:
        raise InvalidInput(_("Give the remittance reference."), field="reference")
    with transaction.atomic(durable=True):
        wallet = wallet_lock(account_id=account_id)
        if wallet.cash_balance + amount > MAX_BALANCE:
            raise InvalidInput(
                _("The cash balance would exceed %(maximum)s; this cannot be a remittance.")
                % {"maximum": f"¥{MAX_BALANCE:,.2f}"},
                field="amount",
                code="balance_limit",
            )
        wallet.cash_balance += amount
        save_wallet(wallet)
        entries = [
            entry(
                wallet=wallet,
                instrument=Instrument.CASH,
                amount=amount,
                balance_after=wallet.cash_balance,
                kind=EntryKind.CASH_CREDIT,
                now=now,
                actor=actor,
                reference=reference[:200],
            )
        ]
        entries += pay_debt_first(wallet=wallet, now=now, actor=actor, reference=reference[:200])
        LedgerEntry.objects.bulk_create(entries)
    return wallet
