"""A quote: the lines an order is priced by and its total (SPEC 1.3-1.5, 4.1). The quote the
customer sees and the total that is charged are one computation (`orders.services.kinds`)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from common.exceptions import InvalidInput
from common.money import MAX_AMOUNT, ZERO, format_cny, round_money
from orders.line_texts import LineText, item_ref, line_text
from orders.models import OrderKind
from packages.models import Plan
from quota.models import Subscription
from quota.services.subscriptions import PackRequest, traffic_packs_price


@dataclass(frozen=True)
class QuoteLine:
    description: str
    quantity: int
    unit_price: Decimal
    amount: Decimal
    # A traffic pack's line names its pack, so that a page can show each pack's daily price.
    item_code: str | None = None
    capacity: int | None = None
    # What the description says, as data: the order line keeps it to be read in any language.
    text: LineText | None = None

    @classmethod
    def saying(cls, text: LineText, quantity: int, unit_price: Decimal, amount: Decimal, **more):
        """A line whose description is `text` in the active language."""
        return cls(text.render(), quantity, unit_price, amount, text=text, **more)

    def as_dict(self) -> dict:
        line = {
            "description": self.description,
            "quantity": self.quantity,
            "unit_price": f"{self.unit_price:.2f}",
            "amount": f"{self.amount:.2f}",
        }
        if self.item_code is not None:
            line["item"] = self.item_code
            line["capacity"] = self.capacity
        return line


@dataclass
class Quote:
    kind: str
    lines: list[QuoteLine]
    total: Decimal
    plan: Plan | None = None
    subscription: Subscription | None = None
    workspace_ids: list[int] = field(default_factory=list)
    packs: list[PackRequest] = field(default_factory=list)
    face_value: Decimal | None = None

    @property
    def vouchers_allowed(self) -> bool:
        return self.kind != OrderKind.PREPAID_CARD

    @property
    def cards_allowed(self) -> bool:
        return self.kind != OrderKind.PREPAID_CARD


def quote_total(lines: list[QuoteLine]) -> Decimal:
    """The order total; one that no order can hold (above MAX_AMOUNT) is bad input, not a 500."""
    total = sum((line.amount for line in lines), ZERO)
    if total > MAX_AMOUNT:
        raise InvalidInput(
            _("This order would cost %(total)s, more than one order can hold (%(maximum)s).")
            % {"total": format_cny(total), "maximum": format_cny(MAX_AMOUNT)},
            field="traffic_packs",
            code="amount_too_large",
        )
    return total


def pack_lines(packs: list[PackRequest], days: int) -> list[QuoteLine]:
    """One line per traffic pack: its daily price for `days` days."""
    return [
        QuoteLine.saying(
            line_text(
                "traffic_pack", item=item_ref(spec.item), capacity=f"{capacity:,}", days=days
            ),
            days,
            daily,
            round_money(daily * days),
            item_code=spec.item.code,
            capacity=capacity,
        )
        for spec, capacity, daily in traffic_packs_price(packs)
    ]
