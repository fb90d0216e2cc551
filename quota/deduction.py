"""The deduction of one billing day (SPEC 3.2), as pure functions over plain values.

No database here: the run loads a chunk's usage, plans, packs and bindings, calls these, and
writes what they return. The usage page and the plan estimate replay usage through the same code.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from common.money import ZERO
from packages.pricing import ItemPricing

NO_RETENTION = 0  # stored retention of an item without tiers (quota.models.NO_RETENTION)


@dataclass(frozen=True)
class UsageLine:
    """The daily quantity of one workspace, item and retention (already aggregated)."""

    workspace_id: int
    item_code: str
    retention_days: int
    quantity: int


@dataclass(frozen=True)
class PackLot:
    """A traffic pack's capacity for the day; lots of an item are used oldest first."""

    pack_id: int
    item_code: str
    capacity: int


@dataclass
class LineResult:
    workspace_id: int
    item_code: str
    retention_days: int
    quantity: int
    converted_quantity: int
    plan_covered: int
    traffic_covered: int
    traffic_by_pack: dict[str, int]
    payg_quantity: int
    unit_price: Decimal
    amount: Decimal


@dataclass
class ItemPool:
    """What remains of an item's pool while workspaces are served: plan quota, then packs."""

    plan_remaining: int
    packs: list[list[int]] = field(default_factory=list)  # [pack_id, remaining] oldest first

    @property
    def remaining(self) -> int:
        return self.plan_remaining + sum(remaining for _, remaining in self.packs)

    def take(self, need: int) -> tuple[int, int, dict[str, int]]:
        """Cover up to `need` units: from the plan first, then each pack in order."""
        from_plan = min(need, self.plan_remaining)
        self.plan_remaining -= from_plan
        need -= from_plan
        from_packs = 0
        by_pack: dict[str, int] = {}
        for lot in self.packs:
            if need == 0:
                break
            used = min(need, lot[1])
            if used:
                lot[1] -= used
                need -= used
                from_packs += used
                by_pack[str(lot[0])] = used
        return from_plan, from_packs, by_pack


def stored_retention(retention_days: int) -> int | None:
    return None if retention_days == NO_RETENTION else retention_days


def build_pools(
    *, plan_quotas: Mapping[str, int], packs: Iterable[PackLot], item_codes: Iterable[str]
) -> dict[str, ItemPool]:
    pools = {code: ItemPool(plan_remaining=plan_quotas.get(code, 0)) for code in item_codes}
    for lot in packs:
        pools.setdefault(lot.item_code, ItemPool(plan_remaining=plan_quotas.get(lot.item_code, 0)))
        pools[lot.item_code].packs.append([lot.pack_id, lot.capacity])
    return pools


def _by_workspace(usage: Iterable[UsageLine]) -> dict[int, list[UsageLine]]:
    grouped: dict[int, list[UsageLine]] = defaultdict(list)
    for line in usage:
        if line.quantity > 0:
            grouped[line.workspace_id].append(line)
    return grouped


def _in_item_order(
    lines: Iterable[UsageLine], catalog: Mapping[str, ItemPricing]
) -> list[UsageLine]:
    """A workspace's lines in a fixed order (item, then retention): what a bill lists."""
    return sorted(lines, key=lambda line: (catalog[line.item_code].id, line.retention_days))


def _overage_share(pricing: ItemPricing, before: int, payg: int) -> Decimal:
    """This line's part of the item's overage, charged once for the workspace (SPEC 3.2 (4)).

    Under a package every retention's overage is one PAYG quantity at the default price, so units
    are truncated once over the item's total: each line carries the growth of that amount, and
    the item's lines add up to amount(total PAYG), never to a sum of separately truncated parts.
    """
    if not payg:
        return ZERO
    amount = pricing.amount(before + payg, pricing.unit_price)
    return amount - pricing.amount(before, pricing.unit_price) if before else amount


def _result(
    workspace_id: int,
    line: UsageLine,
    converted: int,
    plan_covered: int,
    traffic_covered: int,
    by_pack: dict[str, int],
    payg: int,
    unit_price: Decimal,
    amount: Decimal,
) -> LineResult:
    """A usage line's result. Built positionally, in field order: the nightly run makes one per
    bill line, and the dataclass built from keywords takes about three times as long."""
    return LineResult(
        workspace_id,
        line.item_code,
        line.retention_days,
        line.quantity,
        converted,
        plan_covered,
        traffic_covered,
        by_pack,
        payg,
        unit_price,
        amount,
    )


def deduct_package_day(
    *,
    catalog: Mapping[str, ItemPricing],
    plan_quotas: Mapping[str, int],
    packs: Sequence[PackLot],
    workspace_order: Sequence[int],
    usage: Iterable[UsageLine],
) -> dict[int, list[LineResult]]:
    """One subscription's day: workspaces in priority order take from the shared pool."""
    grouped = _by_workspace(usage)
    pools = build_pools(plan_quotas=plan_quotas, packs=packs, item_codes=catalog)
    results: dict[int, list[LineResult]] = {}
    for workspace_id in workspace_order:
        lines = _in_item_order(grouped.get(workspace_id, ()), catalog)
        if not lines:
            continue
        workspace_lines = []
        payg_so_far: dict[str, int] = defaultdict(int)
        for line in lines:
            pricing = catalog[line.item_code]
            converted = line.quantity * pricing.factor(stored_retention(line.retention_days))
            plan_covered, traffic_covered, by_pack = pools[line.item_code].take(converted)
            payg = converted - plan_covered - traffic_covered
            before = payg_so_far[line.item_code]
            payg_so_far[line.item_code] = before + payg
            amount = _overage_share(pricing, before, payg)
            workspace_lines.append(
                _result(
                    workspace_id,
                    line,
                    converted,
                    plan_covered,
                    traffic_covered,
                    by_pack,
                    payg,
                    pricing.unit_price,
                    amount,
                )
            )
        results[workspace_id] = workspace_lines
    return results


def deduct_payg_day(
    *, catalog: Mapping[str, ItemPricing], usage: Iterable[UsageLine]
) -> dict[int, list[LineResult]]:
    """Workspaces without an active package: each line at its own retention tier's price."""
    results: dict[int, list[LineResult]] = {}
    for workspace_id, lines in _by_workspace(usage).items():
        workspace_lines = []
        for line in _in_item_order(lines, catalog):
            pricing = catalog[line.item_code]
            price = pricing.tier_price(stored_retention(line.retention_days))
            amount = pricing.amount(line.quantity, price)
            workspace_lines.append(
                _result(workspace_id, line, line.quantity, 0, 0, {}, line.quantity, price, amount)
            )
        results[workspace_id] = workspace_lines
    return results


def bill_total(lines: Iterable[LineResult]) -> Decimal:
    """The bill total is the sum of its rounded line amounts."""
    return sum((line.amount for line in lines), ZERO)
