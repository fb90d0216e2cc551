"""The wallet: every balance change goes through here and appends its ledger entry.

Locks, always in this order: wallets (by account id), vouchers (by pk), prepaid cards (by pk),
then whatever the quota services lock (subscription, workspaces).
"""

import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from common.exceptions import Conflict, InvalidInput
from common.money import round_money
from orders.models import EntryKind, Instrument, LedgerEntry, PrepaidCard, Voucher, Wallet
from orders.services import notifications
from workspaces.services import account_arrears_clear

MAX_AMOUNT = Decimal("100000000000")  # ¥100 billion: anything larger is a typing error
MAX_AMOUNT_DIGITS = 12
MAX_BALANCE = Decimal("999999999999.99")  # what a balance column (numeric(14,2)) holds
MONEY_TEXT = re.compile(r"-?[0-9]+(\.[0-9]{1,2})?")
DECIMALS = re.compile(r"-?[0-9]+\.[0-9]+")
PREPAID_CARD_STEP = Decimal("100")


def parse_amount(value, *, field: str, allow_zero: bool = False) -> Decimal:
    """A money amount from input: a plain decimal with at most 2 decimals, positive (or zero).

    API.md's money is a decimal string such as "100.00": exponents ("4.1e4"), signs, spaces
    inside, NaN and infinities are refused, so what is typed is what is charged.
    """
    if isinstance(value, bool | float):
        raise InvalidInput(_('Give the amount as a string such as "100.00".'), field=field)
    if isinstance(value, Decimal):
        text = f"{value:f}" if value.is_finite() else str(value)
    else:
        text = str(value).strip() if isinstance(value, int | str) else ""
    if not MONEY_TEXT.fullmatch(text):
        if text and DECIMALS.fullmatch(text):
            raise InvalidInput(_("Use at most 2 decimals."), field=field)
        raise InvalidInput(
            _('%(value)s is not an amount; write it like "100.00".') % {"value": repr(value)},
            field=field,
        )
    if len(text.partition(".")[0].lstrip("0")) > MAX_AMOUNT_DIGITS:
        raise InvalidInput(_("Too large."), field=field)
    amount = Decimal(text)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise InvalidInput(
            _("Must be more than zero.") if not allow_zero else _("Must not be negative."),
            field=field,
        )
    if amount > MAX_AMOUNT:
        raise InvalidInput(_("Too large."), field=field)
    return round_money(amount)


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


def instrument_debit(
    *, instrument: Voucher | PrepaidCard, amount: Decimal, wallet: Wallet, **fields
) -> LedgerEntry:
    """Take `amount` from a locked voucher or card; returns its (unsaved) ledger entry."""
    instrument.balance -= amount
    instrument.save(update_fields=["balance"])
    if isinstance(instrument, Voucher):
        return entry(
            wallet=wallet,
            instrument=Instrument.VOUCHER,
            voucher=instrument,
            amount=-amount,
            balance_after=instrument.balance,
            **fields,
        )
    return entry(
        wallet=wallet,
        instrument=Instrument.PREPAID_CARD,
        prepaid_card=instrument,
        amount=-amount,
        balance_after=instrument.balance,
        **fields,
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
    if wallet.arrears == 0 and account_arrears_clear(account_id=wallet.account_id):
        notifications.on_commit_arrears_cleared(account_id=wallet.account_id)
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


def _valid_days(valid_days: int) -> int:
    if (
        isinstance(valid_days, bool)
        or not isinstance(valid_days, int)
        or not 1 <= valid_days <= 3660
    ):
        raise InvalidInput(_("Validity is 1 to 3,660 days."), field="valid_days")
    return valid_days


def voucher_issue(
    *,
    account_id: int | None,
    amount,
    kind: str = Voucher.Kind.ORDINARY,
    valid_days: int = 365,
    actor=None,
    now: datetime,
    granted_by=None,
) -> Voucher:
    """A voucher for an account, or (account_id None) an activation code to redeem once."""
    amount = parse_amount(amount, field="amount")
    if kind not in Voucher.Kind.values:
        raise InvalidInput(_("Unknown voucher kind %(kind)s.") % {"kind": kind}, field="kind")
    valid_days = _valid_days(valid_days)
    with transaction.atomic():
        voucher = Voucher.objects.create(
            account_id=account_id,
            kind=kind,
            face_value=amount,
            balance=amount,
            issued_at=now,
            expires_at=now + timedelta(days=valid_days),
            code=None if account_id else secrets.token_hex(8).upper(),
            granted_by=granted_by,
        )
        if account_id:
            wallet = (
                Wallet.objects.get(account_id=account_id)
                if granted_by
                else wallet_lock(account_id=account_id)
            )
            LedgerEntry.objects.create(
                **_fields(
                    entry(
                        wallet=wallet,
                        instrument=Instrument.VOUCHER,
                        voucher=voucher,
                        amount=amount,
                        balance_after=amount,
                        kind=EntryKind.GRANT if granted_by else EntryKind.ISSUE,
                        now=now,
                        actor=actor,
                        order=granted_by,
                    )
                )
            )
    return voucher


def _fields(unsaved: LedgerEntry) -> dict:
    return {
        field.attname: getattr(unsaved, field.attname)
        for field in LedgerEntry._meta.concrete_fields
        if field.attname != "id"
    }


def voucher_redeem(*, account_id: int, code: str, actor=None, now: datetime) -> Voucher:
    """A customer redeems an activation code, once."""
    code = (code or "").strip().upper()
    if not code or len(code) > 32:
        raise InvalidInput(_("Enter the activation code."), field="code")
    with transaction.atomic(durable=True):
        wallet = wallet_lock(account_id=account_id)
        voucher = Voucher.objects.select_for_update().filter(code=code).first()
        if voucher is None:
            raise InvalidInput(_("No voucher has this activation code."), field="code")
        if voucher.account_id is not None:
            raise Conflict(_("This activation code has already been redeemed."))
        if voucher.expires_at <= now:
            raise Conflict(
                _("This voucher expired on %(day)s.") % {"day": f"{voucher.expires_at:%Y-%m-%d}"}
            )
        voucher.account_id = account_id
        voucher.redeemed_at = now
        voucher.save(update_fields=["account", "redeemed_at"])
        LedgerEntry.objects.create(
            **_fields(
                entry(
                    wallet=wallet,
                    instrument=Instrument.VOUCHER,
                    voucher=voucher,
                    amount=voucher.balance,
                    balance_after=voucher.balance,
                    kind=EntryKind.REDEEM,
                    now=now,
                    actor=actor,
                    reference=f"code {code}",
                )
            )
        )
    return voucher


def _card_number() -> str:
    return "PC" + "".join(secrets.choice("0123456789") for _ in range(14))


def prepaid_card_issue(
    *,
    account_id: int,
    amount,
    valid_days: int = 365,
    actor=None,
    now: datetime,
    source: str = PrepaidCard.Source.PARTNER,
    order=None,
    wallet: Wallet | None = None,
) -> PrepaidCard:
    """A prepaid card of a multiple of ¥100, bound to the account; it pays the debt first."""
    amount = parse_amount(amount, field="face_value" if order else "amount")
    if amount % PREPAID_CARD_STEP:
        raise InvalidInput(
            _("A prepaid card's value is a multiple of ¥100."),
            field="face_value" if order else "amount",
        )
    valid_days = _valid_days(valid_days)
    with transaction.atomic():
        wallet = wallet or wallet_lock(account_id=account_id)
        card = PrepaidCard.objects.create(
            account_id=account_id,
            number=_card_number(),
            face_value=amount,
            balance=amount,
            source=source,
            issued_at=now,
            expires_at=now + timedelta(days=valid_days),
            order=order,
        )
        entries = [
            entry(
                wallet=wallet,
                instrument=Instrument.PREPAID_CARD,
                prepaid_card=card,
                amount=amount,
                balance_after=amount,
                kind=EntryKind.ISSUE,
                now=now,
                actor=actor,
                order=order,
            )
        ]
        entries += pay_debt_first(
            wallet=wallet, now=now, actor=actor, card=card, reference=f"card {card.number}"
        )
        LedgerEntry.objects.bulk_create(entries)
    return card


def usable(queryset, *, now: datetime):
    """Instruments that can pay now: a balance left and not expired."""
    return queryset.filter(balance__gt=0, expires_at__gt=now)


def lock_instruments(
    *, account_ids: Iterable[int], now: datetime
) -> tuple[list[Voucher], list[PrepaidCard]]:
    """Lock the usable vouchers, then cards, of these accounts (by pk)."""
    ids = list(account_ids)
    vouchers = list(
        usable(Voucher.objects.select_for_update().filter(account_id__any=ids), now=now).order_by(
            "pk"
        )
    )
    cards = list(
        usable(
            PrepaidCard.objects.select_for_update().filter(account_id__any=ids), now=now
        ).order_by("pk")
    )
    return vouchers, cards


def balances_match(*, account_id: int | None = None) -> list[str]:
    """Every balance equals the sum of its entries, and each entry's balance_after is the running
    sum in write order (entries of one instrument are written under its row lock, so ids follow
    that order). Returns the problems found (empty when the ledger is clean)."""
    problems: list[str] = []
    scope = "" if account_id is None else "AND e.account_id = %(account)s"
    params = {"account": account_id}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT w.account_id, w.cash_balance, w.arrears,
                   COALESCE(SUM(e.amount) FILTER (WHERE e.instrument = 'cash'), 0),
                   COALESCE(SUM(e.amount) FILTER (WHERE e.instrument = 'arrears'), 0)
            FROM {Wallet._meta.db_table} w
            LEFT JOIN {LedgerEntry._meta.db_table} e ON e.account_id = w.account_id
            WHERE TRUE {scope.replace("e.account_id", "w.account_id")}
            GROUP BY w.account_id, w.cash_balance, w.arrears
            HAVING w.cash_balance <> COALESCE(SUM(e.amount) FILTER (WHERE e.instrument = 'cash'), 0)
                OR w.arrears <> COALESCE(SUM(e.amount) FILTER (WHERE e.instrument = 'arrears'), 0)
            """,
            params,
        )
        for account, cash, arrears, cash_sum, arrears_sum in cursor.fetchall():
            problems.append(
                f"account {account}: cash {cash} ≠ entries {cash_sum}, "
                f"or arrears {arrears} ≠ entries {arrears_sum}"
            )
        for model, column in ((Voucher, "voucher_id"), (PrepaidCard, "prepaid_card_id")):
            cursor.execute(
                f"""
                SELECT i.id, i.balance, COALESCE(SUM(e.amount), 0)
                FROM {model._meta.db_table} i
                LEFT JOIN {LedgerEntry._meta.db_table} e ON e.{column} = i.id
                WHERE i.account_id IS NOT NULL {scope.replace("e.account_id", "i.account_id")}
                GROUP BY i.id, i.balance
                HAVING i.balance <> COALESCE(SUM(e.amount), 0)
                """,
                params,
            )
            for pk, balance, total in cursor.fetchall():
                problems.append(
                    f"{model._meta.verbose_name} {pk}: balance {balance} ≠ entries {total}"
                )
        cursor.execute(
            f"""
            SELECT id, instrument, balance_after, running FROM (
                SELECT e.id, e.instrument, e.balance_after,
                       SUM(e.amount) OVER (
                           PARTITION BY e.account_id, e.instrument, e.voucher_id, e.prepaid_card_id
                           ORDER BY e.id) AS running
                FROM {LedgerEntry._meta.db_table} e WHERE TRUE {scope}
            ) chain WHERE balance_after <> running LIMIT 20
            """,
            params,
        )
        for pk, instrument, balance_after, running in cursor.fetchall():
            problems.append(
                f"ledger entry {pk} ({instrument}): balance_after {balance_after} "
                f"≠ running sum {running}"
            )
    negative = Wallet.objects.filter(Q(cash_balance__lt=0) | Q(arrears__lt=0)).count()
    negative += (
        Voucher.objects.filter(balance__lt=0).count()
        + PrepaidCard.objects.filter(balance__lt=0).count()
    )
    if negative:
        problems.append(f"{negative} negative balance(s)")
    return problems
