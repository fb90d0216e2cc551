"""Every price computation of the catalog (SPEC 1.1-1.4), in one place.

Pure functions over catalog objects: no queries beyond the related rows that the selectors
prefetch, no writes. The deduction, quotes and pages all call these.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from common.exceptions import InvalidInput
from common.money import ZERO, round_money, truncate_units
from packages.models import BillingItem, Plan, TrafficDiscountTier, TrafficPackSpec
from packages.vocabulary import item_display_name

COMPARISON_DAYS = 372  # SPEC 1.3: plans are compared by their list value over 372 days
FULL_RATE = Decimal("1")


def amount_for_quantity(*, quantity: int, unit_size: int, unit_price: Decimal) -> Decimal:
    """Units truncated to 2 decimals, times the unit price, rounded once (SPEC 1.1)."""
    return round_money(truncate_units(quantity, unit_size) * unit_price)


@dataclass(frozen=True)
class ItemPricing:
    """A plain snapshot of one item's prices and factors: what the deduction loops over."""

    id: int
    code: str
    unit_size: int
    unit_price: Decimal  # default retention
    default_retention_days: int | None
    aggregation: str
    voucher_payable: bool
    tiers: dict[int, tuple[Decimal, int]] = field(default_factory=dict)  # days → (price, factor)
    name: str = ""

    @classmethod
    def of(cls, item: BillingItem) -> "ItemPricing":
        return cls(
            id=item.pk,
            code=item.code,
            unit_size=item.unit_size,
            unit_price=item.unit_price,
            default_retention_days=item.default_retention_days,
            aggregation=item.aggregation,
            voucher_payable=item.voucher_payable,
            tiers={
                tier.days: (tier.unit_price, tier.conversion_factor)
                for tier in item.retention_tiers.all()
            },
            name=item.name,
        )

    @property
    def display_name(self) -> str:
        return item_display_name(self.code, self.name)

    def resolve_retention(self, retention_days: int | None) -> int | None:
        """The retention a sample is stored with; refuses one the item does not list."""
        if not self.tiers:
            if retention_days is None or retention_days == self.default_retention_days:
                return self.default_retention_days
            raise InvalidInput(
                _("%(item)s has no retention tiers; leave retention_days out.")
                % {"item": self.code},
                field="retention_days",
                code="unknown_retention",
            )
        if retention_days is None:
            return self.default_retention_days
        if retention_days not in self.tiers:
            listed = ", ".join(str(days) for days in sorted(self.tiers))
            raise InvalidInput(
                _("%(item)s is not sold with %(days)s-day retention (choose %(listed)s).")
                % {"item": self.code, "days": retention_days, "listed": listed},
                field="retention_days",
                code="unknown_retention",
            )
        return retention_days

    def tier_price(self, retention_days: int | None) -> Decimal:
        """PAYG price per unit at this retention (a workspace without a package)."""
        tier = self.tiers.get(self.resolve_retention(retention_days))
        return tier[0] if tier is not None else self.unit_price

    def factor(self, retention_days: int | None) -> int:
        """How many times one unit counts against a package quota at this retention (SPEC 1.2)."""
        tier = self.tiers.get(self.resolve_retention(retention_days))
        return tier[1] if tier is not None else 1

    def amount(self, quantity: int, unit_price: Decimal) -> Decimal:
        return amount_for_quantity(
            quantity=quantity, unit_size=self.unit_size, unit_price=unit_price
        )


def item_resolve_retention(*, item: BillingItem, retention_days: int | None) -> int | None:
    return ItemPricing.of(item).resolve_retention(retention_days)


def item_unit_price(*, item: BillingItem, retention_days: int | None) -> Decimal:
    """PAYG price per unit of an item stored with this retention (no package)."""
    return ItemPricing.of(item).tier_price(retention_days)


def item_amount(*, item: BillingItem, quantity: int, retention_days: int | None = None) -> Decimal:
    """PAYG amount of a quantity at the price of its own retention tier."""
    pricing = ItemPricing.of(item)
    return pricing.amount(quantity, pricing.tier_price(retention_days))


def item_default_amount(*, item: BillingItem, quantity: int) -> Decimal:
    """Amount at the default-retention price (overage of a package workspace, SPEC 1.2)."""
    return amount_for_quantity(
        quantity=quantity, unit_size=item.unit_size, unit_price=item.unit_price
    )


def retention_factor(*, item: BillingItem, retention_days: int | None) -> int:
    return ItemPricing.of(item).factor(retention_days)


def converted_quantity(*, item: BillingItem, quantity: int, retention_days: int | None) -> int:
    """Raw quantity × the retention's conversion factor."""
    return quantity * retention_factor(item=item, retention_days=retention_days)


def plan_quota_map(*, plan: Plan) -> dict[str, int]:
    """Daily quota per item code; items the plan does not list are absent (quota 0)."""
    return {quota.item.code: quota.daily_quantity for quota in plan.quotas.all()}


def plan_daily_list_value(*, plan: Plan) -> Decimal:
    """What one day of the plan's quotas would cost PAYG at default-retention prices."""
    return sum(
        (
            item_default_amount(item=quota.item, quantity=quota.daily_quantity)
            for quota in plan.quotas.all()
        ),
        ZERO,
    )


def plan_list_value(*, plan: Plan, days: int = COMPARISON_DAYS) -> Decimal:
    """The plan's daily list value over `days` days (372 on the plan page)."""
    return plan_daily_list_value(plan=plan) * days


def plan_saving(*, plan: Plan, days: int = COMPARISON_DAYS) -> Decimal:
    """How much less the plan costs than its list value over `days` days."""
    return plan_list_value(plan=plan, days=days) - plan.price


def traffic_pack_validate_capacity(*, spec: TrafficPackSpec, capacity: int) -> None:
    """Capacity must be a whole multiple of the base unit and at least the minimum (SPEC 1.4)."""
    if capacity < spec.min_capacity:
        raise InvalidInput(
            _("The smallest %(item)s traffic pack is %(minimum)s.")
            % {"item": spec.item.display_name, "minimum": f"{spec.min_capacity:,}"},
            field="capacity",
            code="pack_too_small",
        )
    if capacity % spec.base_unit:
        raise InvalidInput(
            _("%(item)s capacity must be a multiple of %(unit)s.")
            % {"item": spec.item.display_name, "unit": f"{spec.base_unit:,}"},
            field="capacity",
            code="pack_not_a_multiple",
        )


def traffic_pack_discount_rate(
    *, spec: TrafficPackSpec, capacity: int, tiers: Iterable[TrafficDiscountTier]
) -> Decimal:
    """The rate of the highest tier the capacity reaches; the full price below every tier."""
    reached = [tier for tier in tiers if capacity >= tier.min_multiple * spec.min_capacity]
    if not reached:
        return FULL_RATE
    return max(reached, key=lambda tier: tier.min_multiple).rate


def traffic_pack_daily_price(
    *, spec: TrafficPackSpec, capacity: int, tiers: Iterable[TrafficDiscountTier]
) -> Decimal:
    """round(capacity / base unit × unit price × discount) — the price of one day."""
    traffic_pack_validate_capacity(spec=spec, capacity=capacity)
    rate = traffic_pack_discount_rate(spec=spec, capacity=capacity, tiers=tiers)
    return round_money(Decimal(capacity // spec.base_unit) * spec.unit_price * rate)
