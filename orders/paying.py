"""The pay step of the purchase pages: one row per instrument with what it shows (the suggestion
on a fresh page, what was typed after a refused payment, the error at its part), why Pay cannot
be pressed, and the way on when money is missing (the vendor's bank account and the reference
to quote on a transfer)."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from common.money import ZERO, format_cny
from orders.services.payment import (
    PaymentShortfall,
    PaymentSuggestion,
    instrument_name,
    payment_remaining,
)
from packages.models import VoucherGrantTier
from wallet.models import PrepaidCard, Voucher


def _luhn_digit(digits: str) -> int:
    """The Luhn check digit of a string of digits: one typo in the reference is caught."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10


def transfer_reference(account_id: int) -> str:
    """The reference an account quotes on every bank transfer (stable: "BC-12-5"), so that
    finance knows which account to credit (`credit_cash --account 12`)."""
    return f"BC-{account_id}-{_luhn_digit(str(account_id))}"


@dataclass(frozen=True)
class TopUp:
    """How to add cash: the vendor's bank account (settings) and the reference to quote."""

    account_name: str
    bank: str
    number: str
    reference: str
    card_tier: VoucherGrantTier | None  # the smallest card that comes with a voucher


def topup_details(account) -> TopUp:
    bank = settings.BILLING_BANK_ACCOUNT
    return TopUp(
        account_name=bank["name"],
        bank=bank["bank"],
        number=bank["number"],
        reference=transfer_reference(account.pk),
        card_tier=VoucherGrantTier.objects.order_by("min_card_value").first(),
    )


def shortfall_texts(shortfall: PaymentShortfall | None) -> dict[str, str]:
    """The missing amount and why, in words (buy.js fills the same texts from the live quote)."""
    if shortfall is None:
        return {"headline": "", "why": "", "reason": ""}
    amounts = shortfall_amounts(shortfall)
    return {
        "headline": _("%(missing)s missing") % amounts,
        "why": _(
            "This order costs %(total)s; usable for it: cash balance %(cash)s, prepaid cards "
            "%(cards)s, vouchers %(vouchers)s."
        )
        % amounts,
        "reason": _("Pay is not possible: %(missing)s missing (see below how to top up).")
        % amounts,
    }


def shortfall_amounts(shortfall: PaymentShortfall) -> dict[str, str]:
    return {
        "missing": format_cny(shortfall.missing),
        "total": format_cny(shortfall.total),
        "cash": format_cny(shortfall.cash_balance),
        "cards": format_cny(shortfall.cards),
        "vouchers": format_cny(shortfall.vouchers),
    }


@dataclass(frozen=True)
class PayRow:
    """One input of the pay step."""

    name: str  # the input: cash, card-<id>, voucher-<id>
    kind: str  # cash, card, voucher
    instrument: PrepaidCard | Voucher | None
    balance: Decimal
    over: str  # the reason shown when more than the balance is typed
    value: str
    error: str


def _suggested(suggestion: PaymentSuggestion | None) -> dict[str, str]:
    if suggestion is None:
        return {}
    split = suggestion.plan
    values = {"cash": f"{split.cash:.2f}"}
    values.update({f"card-{card.pk}": f"{amount:.2f}" for card, amount in split.cards})
    values.update({f"voucher-{v.pk}": f"{amount:.2f}" for v, amount in split.vouchers})
    return values


def pay_rows(
    *, cash_balance, cards, vouchers, suggestion, submitted, typed: bool, errors: dict
) -> list[PayRow]:
    """Cash, then each usable card and voucher (earliest expiry first). After a refused payment
    (`typed`) every part shows what was typed, never the suggestion."""
    values = submitted if typed else _suggested(suggestion)
    rows = [
        PayRow(
            name="cash",
            kind="cash",
            instrument=None,
            balance=cash_balance,
            over=_("The cash balance is %(balance)s.") % {"balance": format_cny(cash_balance)},
            value=values.get("cash", ""),
            error=errors.get("payment.cash", ""),
        )
    ]
    for kind, bucket, instruments in (
        ("card", "prepaid_cards", cards),
        ("voucher", "vouchers", vouchers),
    ):
        for instrument in instruments:
            rows.append(
                PayRow(
                    name=f"{kind}-{instrument.pk}",
                    kind=kind,
                    instrument=instrument,
                    balance=instrument.balance,
                    over=_("%(instrument)s holds %(balance)s.")
                    % {
                        "instrument": instrument_name(instrument),
                        "balance": format_cny(instrument.balance),
                    },
                    value=values.get(f"{kind}-{instrument.pk}", ""),
                    error=errors.get(f"payment.{bucket}.{instrument.pk}", ""),
                )
            )
    return rows


def pay_blocked_reason(*, quote, shortfall: PaymentShortfall | None) -> str:
    """Why the page is rendered with Pay disabled ("" when it may be pressed)."""
    if quote is None:
        return _("Update the quote first: Pay needs the total.")
    if shortfall is not None:
        return shortfall_texts(shortfall)["reason"]
    return ""


def pay_step_context(account, *, quote, suggestion, submitted, errors, payment, wallet) -> dict:
    """The pay step: its rows, what is still to allocate, what is missing and how to top up,
    and why Pay is disabled. After a refused payment every part keeps what was typed."""
    typed = hasattr(submitted, "getlist") and submitted.get("action") == "pay"
    shortfall = suggestion.shortfall if suggestion else None
    remaining = None
    if quote is not None and typed and payment is not None:
        remaining = payment_remaining(quote=quote, payment=payment)
    elif quote is not None and not typed and suggestion is not None:
        remaining = shortfall.missing if shortfall else ZERO
    return {
        "typed": typed,
        "pay_rows": pay_rows(
            cash_balance=wallet["balances"].cash_balance,
            cards=wallet["pay_cards"],
            vouchers=wallet["pay_vouchers"],
            suggestion=suggestion,
            submitted=submitted,
            typed=typed,
            errors=errors,
        ),
        "remaining": "—" if remaining is None else format_cny(remaining),
        "shortfall": shortfall,
        "shortfall_text": shortfall_texts(shortfall),
        "topup": topup_details(account),
        "pay_blocked": pay_blocked_reason(quote=quote, shortfall=shortfall),
    }
