"""The one place that rounds money and truncates unit counts (SPEC conventions, 1.1)."""

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


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
