"""Paying an order: the suggested split, and checking a split under the instruments' locks."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from common.exceptions import Conflict, InvalidInput, NotFound
from common.money import ZERO, format_cny
from orders.requests import PaymentPart, PaymentSplit
from orders.services.quoting import Quote
from wallet.models import PrepaidCard, Voucher, Wallet
from wallet.services.instruments import usable
from workspaces.models import Account


@dataclass
class PaymentPlan:
    """A split with the instruments themselves (locked ones, in checkout)."""

    cash: Decimal
    cards: list[tuple[PrepaidCard, Decimal]]
    vouchers: list[tuple[Voucher, Decimal]]

    def as_dict(self) -> dict:
        return {
            "cash": f"{self.cash:.2f}",
            "prepaid_cards": [
                {"id": card.pk, "amount": f"{amount:.2f}"} for card, amount in self.cards
            ],
            "vouchers": [
                {"id": voucher.pk, "amount": f"{amount:.2f}"} for voucher, amount in self.vouchers
            ],
        }


@dataclass(frozen=True)
class PaymentShortfall:
    """An order the account cannot pay yet: the amount missing, and what it holds that could
    pay this order (cards and vouchers are zero for a prepaid card, bought with cash only)."""

    missing: Decimal
    total: Decimal
    cash_balance: Decimal
    cards: Decimal
    vouchers: Decimal

    def as_dict(self) -> dict:
        return {
            "missing": f"{self.missing:.2f}",
            "total": f"{self.total:.2f}",
            "cash_balance": f"{self.cash_balance:.2f}",
            "prepaid_cards": f"{self.cards:.2f}",
            "vouchers": f"{self.vouchers:.2f}",
        }


@dataclass(frozen=True)
class PaymentSuggestion:
    """The suggested split, never above what the account holds, and what is missing if any."""

    plan: PaymentPlan
    shortfall: PaymentShortfall | None

    def as_dict(self) -> dict:
        return self.plan.as_dict()


def _take_in_expiry_order(queryset, remaining: Decimal, now: datetime) -> list:
    taken = []
    for instrument in usable(queryset, now=now).order_by("expires_at", "pk"):
        part = min(instrument.balance, remaining)
        if part > 0:
            taken.append((instrument, part))
            remaining -= part
    return taken


def payment_suggestion(*, account: Account, quote: Quote, now: datetime) -> PaymentSuggestion:
    """Vouchers with the earliest expiry first, then prepaid cards the same way, then cash up to
    the cash balance. What is still left is missing: every usable instrument is then used up."""
    remaining = quote.total
    vouchers = cards = []
    if quote.vouchers_allowed:
        vouchers = _take_in_expiry_order(Voucher.objects.filter(account=account), remaining, now)
        remaining -= sum((part for _, part in vouchers), ZERO)
    if quote.cards_allowed:
        cards = _take_in_expiry_order(PrepaidCard.objects.filter(account=account), remaining, now)
        remaining -= sum((part for _, part in cards), ZERO)
    cash_balance = (
        Wallet.objects.filter(account=account).values_list("cash_balance", flat=True).first()
        or ZERO
    )
    cash = min(remaining, cash_balance)
    shortfall = None
    if remaining > cash:
        shortfall = PaymentShortfall(
            missing=remaining - cash,
            total=quote.total,
            cash_balance=cash_balance,
            cards=sum((part for _, part in cards), ZERO),
            vouchers=sum((part for _, part in vouchers), ZERO),
        )
    return PaymentSuggestion(PaymentPlan(cash=cash, cards=cards, vouchers=vouchers), shortfall)


def suggest_payment(*, account: Account, quote: Quote, now: datetime) -> dict:
    """The suggested split in the API's payment shape (`payment_suggestion`)."""
    return payment_suggestion(account=account, quote=quote, now=now).as_dict()


def payment_remaining(*, quote: Quote, payment: PaymentSplit) -> Decimal:
    """What a split still leaves to allocate (negative: above the total)."""
    return quote.total - payment.total


def instrument_name(instrument: PrepaidCard | Voucher) -> str:
    """How the pages and the errors name an instrument: a card by its number."""
    if isinstance(instrument, PrepaidCard):
        return _("Card %(number)s") % {"number": instrument.number}
    return _("Voucher #%(id)s") % {"id": instrument.pk}


def _lock_parts(model, account: Account, parts: tuple[PaymentPart, ...], now, bucket: str):
    """Lock the named instruments (by pk) and check each: this account's, unexpired, enough left.
    A refused part names its own field (`payment.<bucket>.<id>`), for the page to show it there."""
    if not parts:
        return []
    found = {
        instrument.pk: instrument
        for instrument in model.objects.select_for_update()
        .filter(pk__in=[part.instrument_id for part in parts])
        .order_by("pk")
    }
    missing = (
        _("There is no voucher #%(id)s.")
        if model is Voucher
        else _("There is no prepaid card #%(id)s.")
    )
    locked = []
    for part in parts:
        pk, amount = part.instrument_id, part.amount
        instrument = found.get(pk)
        if instrument is None or instrument.account_id != account.pk:
            raise NotFound(missing % {"id": pk})
        if instrument.expires_at <= now:
            raise Conflict(
                _("%(instrument)s expired on %(day)s.")
                % {
                    "instrument": instrument_name(instrument),
                    "day": f"{instrument.expires_at:%Y-%m-%d}",
                },
                field=f"payment.{bucket}.{pk}",
                code="instrument_expired",
            )
        if instrument.balance < amount:
            raise Conflict(
                _("%(instrument)s holds %(left)s, less than %(part)s.")
                % {
                    "instrument": instrument_name(instrument),
                    "left": format_cny(instrument.balance),
                    "part": format_cny(amount),
                },
                field=f"payment.{bucket}.{pk}",
                code="insufficient_balance",
            )
        locked.append((instrument, amount))
    return locked


def payment_check_and_lock(
    *, account: Account, wallet: Wallet, quote: Quote, payment: PaymentSplit, now: datetime
) -> PaymentPlan:
    """The split must add up to the total exactly and every part must be payable: instruments
    of the account (locked, vouchers then cards by pk), unexpired, with enough left."""
    if payment.vouchers and not quote.vouchers_allowed:
        raise InvalidInput(
            _("A prepaid card is bought with cash only."),
            field="payment.vouchers",
            code="cash_only",
        )
    if payment.prepaid_cards and not quote.cards_allowed:
        raise InvalidInput(
            _("A prepaid card is bought with cash only."),
            field="payment.prepaid_cards",
            code="cash_only",
        )
    if payment.total != quote.total:
        raise InvalidInput(
            _("The payment adds up to %(paid)s; the total is %(total)s.")
            % {"paid": format_cny(payment.total), "total": format_cny(quote.total)},
            field="payment",
            code="payment_mismatch",
        )
    vouchers = _lock_parts(Voucher, account, payment.vouchers, now, "vouchers")
    cards = _lock_parts(PrepaidCard, account, payment.prepaid_cards, now, "prepaid_cards")
    if payment.cash > wallet.cash_balance:
        raise Conflict(
            _("The cash balance is %(balance)s, less than %(cash)s.")
            % {"balance": format_cny(wallet.cash_balance), "cash": format_cny(payment.cash)},
            field="payment.cash",
            code="insufficient_balance",
        )
    return PaymentPlan(cash=payment.cash, cards=cards, vouchers=vouchers)
