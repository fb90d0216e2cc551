"""The consumption page's reading aids: each bill's lines with priced units and the formula of
each charge, totals per item, workspace and day, and the chart of what each day cost.

Pure over the bills the page already loaded (lines and adjustments prefetched): no queries.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from common.money import ZERO
from quota.charts import Chart, cost_chart
from quota.explain import Charge, bill_charges, counted, price_per_unit


@dataclass(frozen=True)
class LineView:
    line: object  # DailyBillLine
    unit_price: str  # "¥1.50 per 1,000,000 records"


@dataclass(frozen=True)
class BillView:
    bill: object  # DailyBill
    lines: list[LineView]
    charges: list[Charge]


@dataclass
class ItemTotal:
    code: str
    name: str
    order: int
    quantity: int = 0
    amount: Decimal = ZERO

    @property
    def quantity_text(self) -> str:
        return counted(self.code, self.quantity, self.name)


@dataclass
class GroupTotal:
    """The bills of one workspace or one day."""

    key: object  # a Workspace or a date
    bills: int = 0
    amount_due: Decimal = ZERO


@dataclass(frozen=True)
class BillsOverview:
    bills: list[BillView]
    items: list[ItemTotal]
    adjustments: Decimal
    workspaces: list[GroupTotal]
    days: list[GroupTotal]
    total: Decimal
    chart: Chart


def bill_view(bill) -> BillView:
    lines = list(bill.lines.all())
    return BillView(
        bill=bill,
        lines=[
            LineView(
                line=line,
                unit_price=price_per_unit(
                    line.item.code, line.item.unit_size, line.unit_price, line.item.display_name
                ),
            )
            for line in lines
        ],
        charges=bill_charges(lines=lines, package=bill.subscription_id is not None),
    )


def _item_totals(bills: Sequence) -> list[ItemTotal]:
    totals: dict[str, ItemTotal] = {}
    for bill in bills:
        for line in bill.lines.all():
            item = line.item
            total = totals.setdefault(
                item.code,
                ItemTotal(code=item.code, name=item.display_name, order=item.display_order),
            )
            total.quantity += line.payg_quantity
            total.amount += line.amount
    return sorted(totals.values(), key=lambda total: (total.order, total.code))


def conversion_legend(items) -> list[tuple[str, list[tuple[int, int]]]]:
    """Items whose longer retentions count more against a package quota: (name, [(days,
    factor)…]) for the legend of the consumption page (SPEC 1.2)."""
    legend = []
    for item in items:
        tiers = [(tier.days, tier.conversion_factor) for tier in item.retention_tiers.all()]
        counted_more = sorted((days, factor) for days, factor in tiers if factor > 1)
        if counted_more:
            legend.append((item.display_name, counted_more))
    return legend


def bills_overview(*, bills: Sequence, date_from: date, date_to: date) -> BillsOverview:
    """Everything the consumption page shows above and inside the bills of the range."""
    by_workspace: dict[int, GroupTotal] = {}
    span = (date_to - date_from).days + 1
    range_days = [date_from + timedelta(days=offset) for offset in range(span)]
    by_day = {day: GroupTotal(key=day) for day in range_days}
    adjustments = ZERO
    for bill in bills:
        due = bill.amount_due
        adjustments += due - bill.total
        workspace = by_workspace.setdefault(bill.workspace_id, GroupTotal(key=bill.workspace))
        for group in (workspace, by_day.get(bill.day)):
            if group is not None:
                group.bills += 1
                group.amount_due += due
    days = list(by_day.values())
    return BillsOverview(
        bills=[bill_view(bill) for bill in bills],
        items=_item_totals(bills),
        adjustments=adjustments,
        workspaces=sorted(by_workspace.values(), key=lambda total: total.key.name),
        days=days,
        total=sum((bill.amount_due for bill in bills), ZERO),
        chart=cost_chart(days),
    )
