"""How a bill line's amount comes about, in words a customer can check by hand (SPEC 1.1, 3.2).

Pure functions over loaded bill lines: nothing is queried or written. The formula shown is built
from the same numbers and the same two helpers the deduction uses (units truncated to 0.01,
the amount rounded once), so what it says reproduces the billed amount to the cent.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.money import ZERO, format_cny, format_price, round_money, truncate_units
from quota.deduction import NO_RETENTION

# What one counted thing of an item is called, by item code; each call is a literal ngettext so
# that the catalog extractor finds it. An item added later reads "1,000 (Its name)".
UNIT_NOUNS: dict[str, Callable[[int], str]] = {
    "datakit": lambda n: ngettext("%(count)s host", "%(count)s hosts", n),
    "logs": lambda n: ngettext("%(count)s record", "%(count)s records", n),
    "backup_logs": lambda n: ngettext("%(count)s record", "%(count)s records", n),
    "traces": lambda n: ngettext("%(count)s trace", "%(count)s traces", n),
    "rum_pv": lambda n: ngettext("%(count)s page view", "%(count)s page views", n),
    "api_tests": lambda n: ngettext("%(count)s dial test", "%(count)s dial tests", n),
    "task_calls": lambda n: ngettext("%(count)s call", "%(count)s calls", n),
    "sms": lambda n: ngettext("%(count)s message", "%(count)s messages", n),
}


def counted(item_code: str, count: int, item_name: str = "") -> str:
    """A quantity with its noun: "4,617,000 records", "1 host", "10 messages"."""
    noun = UNIT_NOUNS.get(item_code)
    if noun is None:
        return _("%(count)s (%(item)s)") % {"count": f"{count:,}", "item": item_name}
    return noun(count) % {"count": f"{count:,}"}


def yuan(value: Decimal) -> str:
    """¥1,234.5678: a price or an unrounded product, with every decimal that carries a value."""
    whole, _sep, fraction = format_price(value).partition(".")
    return f"¥{int(whole):,}.{fraction}"


def price_per_unit(item_code: str, unit_size: int, unit_price: Decimal, item_name: str = "") -> str:
    """A unit price with its unit: "¥1.50 per 1,000,000 records", "¥1.00 per 10 messages"."""
    return _("%(price)s per %(unit)s") % {
        "price": yuan(unit_price),
        "unit": counted(item_code, unit_size, item_name),
    }


@dataclass(frozen=True)
class Charge:
    """One charged quantity of a bill and how its amount is computed.

    Under a package an item's overage is charged once for all its retentions (SPEC 3.2 (4),
    quota.deduction._overage_share), so `parts` holds each line's PAYG quantity and retention;
    without a package each line is its own charge at its tier's price.
    """

    item_code: str
    item_name: str
    parts: tuple[tuple[int | None, int], ...]  # (retention days or None, PAYG quantity)
    unit_size: int
    unit_price: Decimal
    billed_amount: Decimal  # the sum of the lines' amounts, as billed

    @property
    def quantity(self) -> int:
        return sum(quantity for _retention, quantity in self.parts)

    @property
    def units(self) -> Decimal:
        return truncate_units(self.quantity, self.unit_size)

    @property
    def uncharged(self) -> int:
        """What the truncation to 0.01 unit leaves out (not charged)."""
        return self.quantity - int(self.units * self.unit_size)

    @property
    def product(self) -> Decimal:
        return self.units * self.unit_price

    @property
    def amount(self) -> Decimal:
        return round_money(self.product)

    @property
    def matches(self) -> bool:
        """The formula gives the billed amount (false only if the catalog's unit size changed
        after the day was billed)."""
        return self.amount == self.billed_amount

    def _sum_text(self) -> str:
        if len(self.parts) == 1:
            return ""
        terms = " + ".join(
            f"{quantity:,} ({retention} d)" if retention else f"{quantity:,}"
            for retention, quantity in self.parts
        )
        return _("%(terms)s charged together: ") % {"terms": terms}

    @property
    def text(self) -> str:
        """The whole computation in one sentence, e.g. "4,617,000 records = 4.61 units of
        1,000,000 records (not charged: 7,000 records, less than 0.01 unit); 4.61 × ¥2.00 =
        ¥9.22"."""
        values = {
            "quantity": counted(self.item_code, self.quantity, self.item_name),
            "units": f"{self.units:,}",
            "unit": counted(self.item_code, self.unit_size, self.item_name),
            "price": yuan(self.unit_price),
            "product": yuan(self.product),
            "amount": format_cny(self.amount),
            "rest": counted(self.item_code, self.uncharged, self.item_name),
        }
        if self.unit_size == 1:
            text = _("%(quantity)s × %(price)s = %(product)s") % values
        else:
            text = _("%(quantity)s = %(units)s units of %(unit)s") % values
            if self.uncharged:
                text += _(" (not charged: %(rest)s, less than 0.01 unit)") % values
            text += _("; %(units)s × %(price)s = %(product)s") % values
        if self.product != self.amount:
            text += _(" → %(amount)s (rounded to the cent)") % values
        return self._sum_text() + text


def _retention(days: int) -> int | None:
    return None if days in (None, NO_RETENTION) else days


def bill_charges(*, lines: Iterable, package: bool) -> list[Charge]:
    """The charges of a bill's lines (DailyBillLine with `item` loaded), in line order; lines
    fully covered by the package charge nothing and have none."""
    groups: dict[object, list] = {}
    for line in lines:
        if not line.payg_quantity:
            continue
        key = line.item.code if package else (line.item.code, line.retention_days)
        groups.setdefault(key, []).append(line)
    charges = []
    for grouped in groups.values():
        item = grouped[0].item
        charges.append(
            Charge(
                item_code=item.code,
                item_name=item.display_name,
                parts=tuple(
                    (_retention(line.retention_days), line.payg_quantity) for line in grouped
                ),
                unit_size=item.unit_size,
                unit_price=grouped[0].unit_price,
                billed_amount=sum((line.amount for line in grouped), ZERO),
            )
        )
    return charges
