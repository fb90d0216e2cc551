"""Adjustments of daily bills (SPEC 6.1): a debit is settled like a new bill on the day it is
made; a credit gives back what paid the bill, in the reverse of the waterfall — arrears (the debt
shrinks), cash, prepaid cards (latest expiry first), full-reduction vouchers, ordinary vouchers.
The share of an instrument that has expired since comes back as a new ordinary voucher valid for
90 days, never as cash. Each adjustment records, by source, what paid it or what it gave back
(`sources`), so a later credit never gives the same share back twice."""

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from common.dates import billing_day
from common.exceptions import InvalidInput
from common.money import ZERO, format_cny, parse_amount
from packages.selectors import billing_item_get
from quota.models import NO_RETENTION, AdjustmentKind, BillAdjustment, DailyBill
from quota.services.compute import WrittenBill
from wallet.models import EntryKind, Instrument, LedgerEntry, PrepaidCard, Voucher, Wallet
from wallet.services.arrears import wallet_arrears_clear
from wallet.services.balances import entry, held_entry, pay_debt_first, save_wallet, wallet_lock
from wallet.services.settlement import bill_pay, chunk_write, instruments_lock

REPLACEMENT_VOUCHER_DAYS = 90
MAX_REASON = 500


def bill_amount_due(bill: DailyBill) -> Decimal:
    """What the customer owes for the bill: its total plus its adjustments."""
    adjusted = BillAdjustment.objects.filter(bill=bill).aggregate(total=Sum("amount"))["total"]
    return bill.total + (adjusted or ZERO)


def _clean_reason(reason) -> str:
    text = " ".join(reason.split()) if isinstance(reason, str) else ""
    if not text:
        raise InvalidInput(_("Give the reason of the adjustment."), field="reason")
    if len(text) > MAX_REASON:
        raise InvalidInput(
            _("A reason has at most %(max)s characters.") % {"max": MAX_REASON},
            field="reason",
            code="max_length",
        )
    return text


def _item_of(item_code, retention_days, quantity_delta):
    """The adjusted item and retention (both or neither) and the raw quantity change."""
    if item_code in (None, ""):
        if retention_days not in (None, "") or quantity_delta not in (None, "", 0):
            raise InvalidInput(
                _("A retention or a quantity change needs the item it belongs to."), field="item"
            )
        return None, None, 0
    if not isinstance(item_code, str):
        raise InvalidInput(_("Give the item's code."), field="item")
    item = billing_item_get(code=item_code)
    tiers = sorted(item.retention_tiers.values_list("days", flat=True)) or [NO_RETENTION]
    default = item.default_retention_days or NO_RETENTION
    retention = default if retention_days in (None, "") else retention_days
    if isinstance(retention, bool) or not isinstance(retention, int) or retention not in tiers:
        raise InvalidInput(
            _("The retention of %(item)s is one of %(days)s days.")
            % {"item": item.code, "days": ", ".join(map(str, tiers))},
            field="retention_days",
        )
    quantity = 0 if quantity_delta in (None, "") else quantity_delta
    if isinstance(quantity, bool) or not isinstance(quantity, int) or abs(quantity) >= 2**62:
        raise InvalidInput(_("Give the quantity change as a whole number."), field="quantity")
    return item, retention, quantity


def bill_adjust(
    *,
    bill_id: int,
    amount,
    reason: str,
    item_code: str | None = None,
    retention_days: int | None = None,
    quantity_delta: int | None = None,
    actor=None,
    now: datetime,
) -> BillAdjustment:
    """An operator's adjustment of a bill: amount > 0 a debit, < 0 a credit (at most what the bill
    still costs). Written and settled in one transaction."""
    amount = parse_amount(amount, field="amount", allow_negative=True)
    reason = _clean_reason(reason)
    item, retention, quantity = _item_of(item_code, retention_days, quantity_delta)
    known = isinstance(bill_id, int) and not isinstance(bill_id, bool) and 0 < bill_id < 2**63
    bill = DailyBill.objects.filter(pk=bill_id).first() if known else None
    if bill is None:
        raise InvalidInput(_("There is no daily bill %(id)s.") % {"id": bill_id}, field="bill")
    with transaction.atomic():
        wallet = wallet_lock(account_id=bill.account_id)  # the account's adjustments queue here
        due = bill_amount_due(bill)
        if amount < 0 and -amount > due:
            raise InvalidInput(
                _("A credit gives back at most what the bill still costs (%(due)s).")
                % {"due": format_cny(due)},
                field="amount",
                code="credit_above_amount_due",
            )
        adjustment = BillAdjustment.objects.create(
            bill=bill,
            account_id=bill.account_id,
            day=bill.day,
            kind=AdjustmentKind.MANUAL,
            item=item,
            retention_days=retention,
            quantity_delta=quantity,
            amount=amount,
            reason=reason,
            actor=actor,
            created_at=now,
            settled_on=billing_day(now),
        )
        adjustment_settle(adjustment=adjustment, wallet=wallet, now=now)
    return adjustment


def adjustments_settle(*, adjustments: list[BillAdjustment], now: datetime) -> None:
    """Settle freshly written adjustments (a re-rating's): credits first, so what they give back
    can pay the debits. Locks each account's wallet once."""
    by_account: dict[int, list[BillAdjustment]] = defaultdict(list)
    for adjustment in adjustments:
        by_account[adjustment.account_id].append(adjustment)
    for account_id in sorted(by_account):
        wallet = wallet_lock(account_id=account_id)
        for adjustment in sorted(by_account[account_id], key=lambda a: (a.amount > 0, a.pk)):
            adjustment_settle(adjustment=adjustment, wallet=wallet, now=now)


def adjustment_settle(*, adjustment: BillAdjustment, wallet: Wallet, now: datetime) -> None:
    """Settle one adjustment against the locked wallet and record its sources."""
    if adjustment.amount > 0:
        adjustment.sources = _debit_settle(adjustment, wallet, now)
    else:
        adjustment.sources = _credit_settle(adjustment, wallet, now)
    BillAdjustment.objects.filter(pk=adjustment.pk).update(sources=adjustment.sources)


def _debit_settle(adjustment: BillAdjustment, wallet: Wallet, now: datetime) -> dict:
    """The 5.1 waterfall with the instruments valid now; an item vouchers may not pay goes to
    cards and cash only (an adjustment without an item may be paid by vouchers)."""
    account_id = adjustment.account_id
    vouchers, cards, held = instruments_lock(account_ids=[account_id], valid_at=now)
    no_vouchers = adjustment.item is not None and not adjustment.item.voucher_payable
    debit = WrittenBill(
        pk=adjustment.bill_id,
        workspace_id=0,
        account_id=account_id,
        day=adjustment.day,
        subscription_id=None,
        total=adjustment.amount,
        cards_and_cash_only=adjustment.amount if no_vouchers else ZERO,
    )
    owed_before = wallet.arrears
    wallet.updated_at = now
    entries: list[tuple] = []
    kind = EntryKind.ADJUSTMENT_DEBIT
    bill_pay(debit, wallet, held[account_id], entries, now, kind=kind, adjustment_id=adjustment.pk)
    chunk_write(
        wallets={account_id: wallet},
        vouchers=vouchers,
        cards=cards,
        newly_owing=[account_id] if owed_before == 0 and wallet.arrears > 0 else [],
        entries=entries,
        settlements=[],
        now=now,
    )
    sources: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in entries:  # LEDGER_COLUMNS: account, instrument, voucher, card, amount, …
        _account, instrument, voucher_id, card_id, amount = row[:5]
        sources[_source_key(instrument, voucher_id, card_id)] += abs(amount)
    return {key: str(value) for key, value in sources.items()}


def _source_key(instrument: str, voucher_id: int | None, card_id: int | None) -> str:
    if instrument == Instrument.VOUCHER:
        return f"voucher:{voucher_id}"
    if instrument == Instrument.PREPAID_CARD:
        return f"prepaid_card:{card_id}"
    return instrument


def bill_shares(bill_id: int) -> dict[str, Decimal]:
    """What paid the bill so far, by source: its payment (vouchers, cards, cash, arrears), plus
    what its debits took, minus what its credits gave back."""
    shares: dict[str, Decimal] = defaultdict(lambda: ZERO)
    payments = (
        LedgerEntry.objects.filter(
            daily_bill_id=bill_id,
            adjustment__isnull=True,
            kind__in=[EntryKind.BILL_PAYMENT, EntryKind.ARREARS_INCURRED],
        )
        .values_list("instrument", "voucher_id", "prepaid_card_id")
        .annotate(total=Sum("amount"))
    )
    for instrument, voucher_id, card_id, total in payments:
        shares[_source_key(instrument, voucher_id, card_id)] += abs(total)
    for amount, sources in BillAdjustment.objects.filter(bill_id=bill_id).values_list(
        "amount", "sources"
    ):
        sign = 1 if amount > 0 else -1
        for key, part in (sources or {}).items():
            shares[key] += sign * Decimal(part)
    return {key: value for key, value in shares.items() if value > 0}


def _reverse_order(shares: dict[str, Decimal]) -> list[tuple[str, object]]:
    """The sources of the shares in the reverse waterfall: arrears, cash, cards (latest expiry
    first), full-reduction vouchers, then ordinary vouchers (latest expiry first); the held ones
    locked."""
    card_ids = [int(k.split(":")[1]) for k in shares if k.startswith("prepaid_card:")]
    voucher_ids = [int(k.split(":")[1]) for k in shares if k.startswith("voucher:")]
    cards = list(PrepaidCard.objects.select_for_update().filter(pk__in=card_ids).order_by("pk"))
    vouchers = list(Voucher.objects.select_for_update().filter(pk__in=voucher_ids).order_by("pk"))
    latest_first = sorted(cards, key=lambda held: (held.expires_at, held.pk), reverse=True)
    by_kind = {
        kind: sorted(
            (voucher for voucher in vouchers if voucher.kind == kind),
            key=lambda held: (held.expires_at, held.pk),
            reverse=True,
        )
        for kind in (Voucher.Kind.FULL_REDUCTION, Voucher.Kind.ORDINARY)
    }
    order: list[tuple[str, object]] = [("arrears", None), ("cash", None)]
    order += [(f"prepaid_card:{card.pk}", card) for card in latest_first]
    for kind in (Voucher.Kind.FULL_REDUCTION, Voucher.Kind.ORDINARY):
        order += [(f"voucher:{voucher.pk}", voucher) for voucher in by_kind[kind]]
    return [(key, held) for key, held in order if key in shares]


def _credit_settle(adjustment: BillAdjustment, wallet: Wallet, now: datetime) -> dict:
    """Give back -amount from the bill's shares; returns the sources given back."""
    shares = bill_shares(adjustment.bill_id)
    remaining = -adjustment.amount
    fields = {"wallet": wallet, "kind": EntryKind.ADJUSTMENT_CREDIT, "now": now}
    fields |= {"daily_bill_id": adjustment.bill_id, "adjustment_id": adjustment.pk}
    entries: list[LedgerEntry] = []
    given: dict[str, Decimal] = {}
    expired_total = ZERO
    for key, held in _reverse_order(shares):
        part = min(shares[key], remaining)
        if part <= 0:
            break
        given[key], remaining = part, remaining - part
        if key == "arrears":
            entries += _debt_shrink(wallet, part, fields)
        elif key == "cash":
            entries.append(_cash_back(wallet, part, fields))
        elif held.expires_at <= now:
            expired_total += part  # comes back as a new voucher, never as cash
        else:
            held.balance += part
            held.save(update_fields=["balance"])
            entries.append(held_entry(held, amount=part, balance_after=held.balance, **fields))
    if expired_total:
        entries.append(_replacement_voucher(wallet, expired_total, now, fields))
    LedgerEntry.objects.bulk_create(entries)
    save_wallet(wallet)
    if wallet.arrears == 0 and wallet.arrears_since is not None:
        wallet_arrears_clear(wallet=wallet)
    elif wallet.arrears > 0 and wallet.cash_balance > 0:
        LedgerEntry.objects.bulk_create(pay_debt_first(wallet=wallet, now=now))
    return {key: str(value) for key, value in given.items()}


def _debt_shrink(wallet: Wallet, part: Decimal, fields: dict) -> list[LedgerEntry]:
    """The bill's arrears share: the debt shrinks; what of it was paid since (by a remittance
    or a card purchase) comes back as cash."""
    shrink = min(part, wallet.arrears)
    entries = []
    if shrink:
        wallet.arrears -= shrink
        entries.append(
            entry(
                instrument=Instrument.ARREARS,
                amount=-shrink,
                balance_after=wallet.arrears,
                **fields,
            )
        )
    if part - shrink:
        entries.append(_cash_back(wallet, part - shrink, fields))
    return entries


def _cash_back(wallet: Wallet, part: Decimal, fields: dict) -> LedgerEntry:
    wallet.cash_balance += part
    return entry(
        instrument=Instrument.CASH, amount=part, balance_after=wallet.cash_balance, **fields
    )


def _replacement_voucher(wallet: Wallet, amount: Decimal, now: datetime, fields) -> LedgerEntry:
    """A new ordinary voucher, valid 90 days, for the shares of instruments expired since."""
    voucher = Voucher.objects.create(
        account_id=wallet.account_id,
        kind=Voucher.Kind.ORDINARY,
        face_value=amount,
        balance=amount,
        issued_at=now,
        expires_at=now + timedelta(days=REPLACEMENT_VOUCHER_DAYS),
    )
    return held_entry(voucher, amount=amount, balance_after=amount, **fields)
