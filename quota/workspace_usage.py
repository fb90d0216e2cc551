"""What each workspace of a shared package used of each item, and what the plan quota and the
traffic packs covered for it: today, yesterday and the last days (reads only).

Today — and yesterday until the night bills it — comes live from the samples through the pure
deduction (quota.day_usage), so it is what the night will bill; billed days are the bills'
lines plus the adjustments of an item (late usage moves coverage between workspaces).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from common.dates import ONE_DAY
from common.money import round_money
from packages.vocabulary import item_display_name
from quota.day_usage import deduction_compute_accounts, subscription_pools_on
from quota.models import Subscription
from quota.selectors import (
    bindings_on,
    catalog_snapshot,
    day_is_billed,
    subscription_billed_use_by_workspace,
)
from workspaces.models import Workspace


@dataclass(frozen=True)
class UseFigures:
    """What one workspace used of one item in a period, and what covered it."""

    used: int = 0  # converted
    plan_covered: int = 0
    traffic_covered: int = 0
    payg_quantity: int = 0
    payg_amount: Decimal = Decimal("0.00")

    @classmethod
    def of(cls, values) -> "UseFigures":
        used, plan_covered, traffic_covered, payg, amount = values
        return cls(used, plan_covered, traffic_covered, payg, round_money(amount))


NOTHING = UseFigures()


@dataclass(frozen=True)
class WorkspaceUse:
    workspace_id: int
    name: str
    priority: int | None  # place in today's order (1 first); None: no longer bound
    today: UseFigures
    yesterday: UseFigures
    last_days: UseFigures


@dataclass(frozen=True)
class ItemWorkspaceUse:
    item_code: str
    item_name: str  # as stored (what the API answers)
    workspaces: list[WorkspaceUse]

    @property
    def display_name(self) -> str:
        return item_display_name(self.item_code, self.item_name)

    @property
    def used(self) -> bool:
        """Whether any workspace used the item in any of the periods."""
        return any(
            period.used or period.payg_amount
            for row in self.workspaces
            for period in (row.today, row.yesterday, row.last_days)
        )


@dataclass(frozen=True)
class SubscriptionWorkspaceUse:
    today: date
    yesterday_billed: bool
    first: date | None  # the billed days summed in last_days, when any
    last: date | None
    days: int
    items: list[ItemWorkspaceUse]


def _live_use(subscription: Subscription, day: date, catalog) -> dict[tuple[int, str], list]:
    """Per (workspace, item): figures of an unbilled day, computed from its samples so far."""
    figures: dict[tuple[int, str], list] = defaultdict(lambda: [0, 0, 0, 0, Decimal("0.00")])
    computed = deduction_compute_accounts(
        day=day, account_ids=[subscription.account_id], catalog=catalog
    )
    for workspace_id, (subscription_id, lines) in computed.items():
        for line in lines if subscription_id == subscription.pk else ():
            values = figures[(workspace_id, line.item_code)]
            for index, value in enumerate(
                (line.converted_quantity, line.plan_covered, line.traffic_covered)
                + (line.payg_quantity, line.amount)
            ):
                values[index] += value
    return figures


def _periods(subscription: Subscription, today: date, days: int, catalog):
    """(today's, yesterday's, the last days' figures, yesterday billed, first, last)."""
    in_term = subscription.start_date <= today <= subscription.end_date
    today_use = _live_use(subscription, today, catalog) if in_term else {}
    yesterday = today - ONE_DAY
    first = max(today - timedelta(days=days), subscription.start_date)
    last = min(yesterday, subscription.end_date)
    billed = (
        subscription_billed_use_by_workspace(
            subscription=subscription, first=first, last=last, day=yesterday
        )
        if first <= last
        else {}
    )
    yesterday_billed = day_is_billed(day=yesterday)
    yesterday_use = {key: on_day for key, (on_day, _all) in billed.items()}
    if not yesterday_billed and subscription.start_date <= yesterday <= subscription.end_date:
        yesterday_use = _live_use(subscription, yesterday, catalog)
    last_use = {key: in_all for key, (_day, in_all) in billed.items()}
    span = (first, last) if first <= last else (None, None)
    return today_use, yesterday_use, last_use, yesterday_billed, span


def _figures(period: dict, key: tuple[int, str]) -> UseFigures:
    return UseFigures.of(period[key]) if key in period else NOTHING


def subscription_workspace_usage(
    *, subscription: Subscription, today: date, days: int = 30
) -> SubscriptionWorkspaceUse:
    """Per item, what each workspace of a shared package used and what the plan quota and the
    traffic packs covered for it: today (live, from the samples so far), yesterday (billed, or
    live until the night bills it) and the last `days` billed days — in today's priority order,
    then the workspaces no longer bound. Reads only; the same queries whatever the history."""
    catalog = catalog_snapshot()
    *periods, yesterday_billed, (first, last) = _periods(subscription, today, days, catalog)
    day = min(max(today, subscription.start_date), subscription.end_date)
    order = bindings_on(subscription_ids=[subscription.pk], day=day).get(subscription.pk, [])
    quotas, capacity = subscription_pools_on(subscription=subscription, day=day)
    used = {key for period in periods for key, values in period.items() if any(values)}
    ids = set(order) | {workspace_id for workspace_id, _code in used}
    names = dict(Workspace.objects.filter(pk__in=ids).values_list("pk", "name"))
    items = []
    for code in catalog:
        users = {workspace_id for workspace_id, used_code in used if used_code == code}
        if not (quotas.get(code) or capacity.get(code) or users):
            continue
        rows = [
            WorkspaceUse(
                workspace_id,
                names.get(workspace_id, str(workspace_id)),
                order.index(workspace_id) + 1 if workspace_id in order else None,
                *(_figures(period, (workspace_id, code)) for period in periods),
            )
            for workspace_id in [*order, *sorted(users - set(order))]
        ]
        items.append(ItemWorkspaceUse(code, catalog[code].name, rows))
    return SubscriptionWorkspaceUse(today, yesterday_billed, first, last, days, items)
