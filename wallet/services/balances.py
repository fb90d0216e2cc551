"""Balances: every change of cash or arrears goes through here and appends its ledger entry.

Locks, always in this order: wallets (by account id), vouchers (by pk), prepaid cards (by pk),
then whatever the quota services lock (subscription, workspaces).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from common.exceptions import Conflict, InvalidInput
from common.money import MAX_BALANCE, format_cny, parse_amount
from wallet.models import (
    EntryKind,
    Instrument,
    LedgerEntry,
    PrepaidCard,
    Remittance,
    Voucher,
    Wallet,
)
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
    daily_bill_id: int | None = None,
    adjustment_id: int | None = None,
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
        daily_bill_id=daily_bill.pk if daily_bill is not None else daily_bill_id,
        adjustment_id=adjustment_id,
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


REMITTANCE_UNIQUE = "remittance_once_per_account"


@dataclass(frozen=True)
class CashCredit:
    """What crediting a remittance did: `created` False when it was credited before (the first
    credit is `remittance`, and nothing changed)."""

    wallet: Wallet
    remittance: Remittance
    created: bool


def remittance_key(reference: str) -> str:
    """The reference a remittance is known by: surrounding space stripped, inner runs of space
    made one, upper case ("dup-remit  777 " and "DUP-REMIT 777" are one remittance)."""
    return " ".join(reference.split()).upper()


def remittance_find(*, account_id: int, key: str) -> Remittance | None:
    return Remittance.objects.filter(account_id=account_id, reference=key).first()


def cash_credit(
    *, account_id: int, amount, reference: str, actor=None, now: datetime
) -> CashCredit:
    """A bank remittance arrived: credit cash, then pay the debt first (SPEC 4.3, 5.4) — once per
    account and reference. A repeat with the same amount answers the first credit and changes
    nothing; with another amount it is a Conflict (`remittance_amount_differs`)."""
    amount = parse_amount(amount, field="amount")
    reference = (reference or "").strip()
    if not reference:
        raise InvalidInput(_("Give the remittance reference."), field="reference")
    key = remittance_key(reference)
    if max(len(reference), len(key)) > Remittance._meta.get_field("reference").max_length:
        raise InvalidInput(
            _("A remittance reference has at most 200 characters."),
            field="reference",
            code="max_length",
        )
    try:
        with transaction.atomic(durable=True):
            wallet = wallet_lock(account_id=account_id)  # every credit of the account waits here
            first = remittance_find(account_id=account_id, key=key)
            if first is not None:
                return remittance_repeat(wallet=wallet, first=first, amount=amount)
            remittance = _credit(wallet, amount, reference, key, actor=actor, now=now)
            return CashCredit(wallet=wallet, remittance=remittance, created=True)
    except IntegrityError as error:
        if getattr(getattr(error.__cause__, "diag", None), "constraint_name", "") != (
            REMITTANCE_UNIQUE
        ):
            raise
    # The database saw the reference credited by a transaction this one did not see: a repeat.
    with transaction.atomic(durable=True):
        wallet = wallet_lock(account_id=account_id)
        first = Remittance.objects.get(account_id=account_id, reference=key)
        return remittance_repeat(wallet=wallet, first=first, amount=amount)


def remittance_repeat(*, wallet: Wallet, first: Remittance, amount: Decimal) -> CashCredit:
    """The same remittance again: its first credit if the amount matches, else a Conflict."""
    if first.amount != amount:
        raise Conflict(
            _(
                "Remittance %(reference)s was credited on %(day)s with %(first)s, not "
                "%(amount)s; nothing was changed."
            )
            % {
                "reference": first.reference,
                "day": first.credited_on,
                "first": format_cny(first.amount),
                "amount": format_cny(amount),
            },
            field="amount",
            code="remittance_amount_differs",
        )
    return CashCredit(wallet=wallet, remittance=first, created=False)


def _credit(wallet: Wallet, amount: Decimal, reference: str, key: str, *, actor, now) -> Remittance:
    """Credit the locked wallet, pay its debt first, record the remittance."""
    if wallet.cash_balance + amount > MAX_BALANCE:
        raise InvalidInput(
            _("The cash balance would exceed %(maximum)s; this cannot be a remittance.")
            % {"maximum": f"¥{MAX_BALANCE:,.2f}"},
            field="amount",
            code="balance_limit",
        )
    wallet.cash_balance += amount
    save_wallet(wallet)
    credit = entry(
        wallet=wallet,
        instrument=Instrument.CASH,
        amount=amount,
        balance_after=wallet.cash_balance,
        kind=EntryKind.CASH_CREDIT,
        now=now,
        actor=actor,
        reference=reference,
    )
    entries = [credit, *pay_debt_first(wallet=wallet, now=now, actor=actor, reference=reference)]
    LedgerEntry.objects.bulk_create(entries)
    return Remittance.objects.create(
        account_id=wallet.account_id, reference=key, amount=amount, credited_at=now, entry=credit
    )
