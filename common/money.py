"""The one place that rounds money and truncates unit counts (SPEC conventions, 1.1)."""

import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from common.exceptions import InvalidInput

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("100000000000")  # ¥100 billion: anything larger is a typing error
MAX_AMOUNT_DIGITS = 12
MAX_BALANCE = Decimal("999999999999.99")  # what a balance column (numeric(14,2)) holds
MONEY_TEXT = re.compile(r"-?[0-9]+(\.[0-9]{1,2})?")
DECIMALS = re.compile(r"-?[0-9]+\.[0-9]+")


def to_decimal(value: Decimal | int | str) -> Decimal:
    """A Decimal from an int, a string or a Decimal; floats are refused (they are not exact)."""
    if isinstance(value, float):
        raise TypeError("money and rates are never built from floats")
    return value if isinstance(value, Decimal) else Decimal(value)


def round_money(value: Decimal | int | str) -> Decimal:
    """Round half up to 0.01 — the only rounding of an amount."""
    return to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def truncate_units(quantity: int, unit_size: int) -> Decimal:
    """Units of a quantity, truncated (ROUND_DOWN) to 2 decimals."""
    return (Decimal(quantity) / Decimal(unit_size)).quantize(CENT, rounding=ROUND_DOWN)


def format_cny(value: Decimal | int | str) -> str:
    """¥1,234.56 — how amounts are shown to people."""
    amount = round_money(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


def format_price(value: Decimal) -> str:
    """A unit price as a string: at least 2 decimals, more only when they carry a value."""
    text = f"{to_decimal(value).normalize():f}"
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.ljust(2, '0')}"


def parse_amount(
    value, *, field: str, allow_zero: bool = False, allow_negative: bool = False
) -> Decimal:
    """A money amount from input: a plain decimal with at most 2 decimals, positive (or zero;
    or, with allow_negative, any sign but zero: an adjustment's debit or credit).

    API.md's money is a decimal string such as "100.00": exponents ("4.1e4"), signs, spaces
    inside, NaN and infinities are refused, so what is typed is what is charged.
    """
    if isinstance(value, bool | float):
        raise InvalidInput(
            _('Give the amount as a string such as "100.00".'), field=field, code="invalid_amount"
        )
    if isinstance(value, Decimal):
        text = f"{value:f}" if value.is_finite() else str(value)
    else:
        text = str(value).strip() if isinstance(value, int | str) else ""
    if not MONEY_TEXT.fullmatch(text):
        if text and DECIMALS.fullmatch(text):
            raise InvalidInput(_("Use at most 2 decimals."), field=field, code="too_many_decimals")
        raise InvalidInput(
            _('%(value)s is not an amount; write it like "100.00".') % {"value": repr(value)},
            field=field,
            code="invalid_amount",
        )
    if len(text.partition(".")[0].lstrip("0")) > MAX_AMOUNT_DIGITS:
        raise InvalidInput(_("Too large."), field=field, code="amount_too_large")
    amount = Decimal(text)
    if allow_negative and amount != 0:
        if abs(amount) > MAX_AMOUNT:
            raise InvalidInput(_("Too large."), field=field, code="amount_too_large")
        return round_money(amount)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise InvalidInput(
            _("Must be more than zero.") if not allow_zero else _("Must not be negative."),
            field=field,
            code="amount_not_positive" if not allow_zero else "amount_negative",
        )
    if amount > MAX_AMOUNT:
        raise InvalidInput(_("Too large."), field=field, code="amount_too_large")
    return round_money(amount)
