"""What the last billed days would have cost under each plan: real usage replayed in memory
through the deduction code (nothing is written)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection

from common.money import ZERO, round_money
from packages.models import Plan
from packages.pricing import traffic_pack_daily_price
from packages.selectors import plan_list, traffic_discount_tier_list, traffic_pack_spec_list
from quota.deduction import PackLot, UsageLine, bill_total, deduct_package_day, deduct_payg_day
from quota.models import BillingRun, RunStatus, UsageSample
from quota.selectors import catalog_snapshot
from quota.services.subscriptions import PackRequest


@dataclass(frozen=True)
class PlanEstimate:
    plan: Plan
    package_cost: Decimal  # the plan's price spread over the days replayed
    packs_cost: Decimal  # the chosen traffic packs over the same days
    overage_without_packs: Decimal
    overage_with_packs: Decimal

    @property
    def total_without_packs(self) -> Decimal:
        return self.package_cost + self.overage_without_packs

    @property
    def total_with_packs(self) -> Decimal:
        return self.package_cost + self.packs_cost + self.overage_with_packs


@dataclass(frozen=True)
class Estimate:
    days: list[date]
    payg_only: Decimal  # what the same usage costs with no package, at tier prices
    plans: list[PlanEstimate]


def _usage_by_day(
    days: list[date], workspace_ids: list[int], catalog
) -> dict[date, list[UsageLine]]:
    by_id = {pricing.id: pricing for pricing in catalog.values()}
    usage: dict[date, list[UsageLine]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT day, workspace_id, item_id, retention_days, SUM(quantity), MAX(quantity) "
            f"FROM {UsageSample._meta.db_table} WHERE day = ANY(%s) AND workspace_id = ANY(%s) "
            f"GROUP BY day, workspace_id, item_id, retention_days",
            [days, workspace_ids],
        )
        for day, workspace_id, item_id, retention, total, peak in cursor.fetchall():
            pricing = by_id[item_id]
            quantity = int(peak if pricing.aggregation == "max" else total)
            usage[day].append(UsageLine(workspace_id, pricing.code, retention, quantity))
    return usage


def usage_replay_estimate(
    *, workspace_ids: list[int], packs: list[PackRequest], today: date, days: int = 30
) -> Estimate:
    """Replay the last `days` billed days of these workspaces (in this priority order)."""
    billed = list(
        BillingRun.objects.filter(status=RunStatus.DONE, day__lt=today)
        .order_by("-day")
        .values_list("day", flat=True)[:days]
    )
    catalog = catalog_snapshot()
    usage = _usage_by_day(billed, workspace_ids, catalog) if workspace_ids and billed else {}
    specs = {spec.item.code: spec for spec in traffic_pack_spec_list()}
    tiers = traffic_discount_tier_list()
    lots = [
        PackLot(pack_id=index + 1, item_code=pack.item_code, capacity=pack.capacity)
        for index, pack in enumerate(packs)
        if pack.item_code in specs
    ]
    packs_daily = sum(
        (
            traffic_pack_daily_price(spec=specs[lot.item_code], capacity=lot.capacity, tiers=tiers)
            for lot in lots
        ),
        ZERO,
    )
    payg_only = sum(
        (
            bill_total(lines)
            for day in billed
            for lines in deduct_payg_day(catalog=catalog, usage=usage.get(day, [])).values()
        ),
        ZERO,
    )
    estimates = []
    for plan in plan_list():
        quotas = {quota.item.code: quota.daily_quantity for quota in plan.quotas.all()}
        overage = {False: ZERO, True: ZERO}
        for day in billed:
            for with_packs in (False, True):
                result = deduct_package_day(
                    catalog=catalog,
                    plan_quotas=quotas,
                    packs=lots if with_packs else [],
                    workspace_order=workspace_ids,
                    usage=usage.get(day, []),
                )
                overage[with_packs] += sum((bill_total(lines) for lines in result.values()), ZERO)
        estimates.append(
            PlanEstimate(
                plan=plan,
                package_cost=round_money(plan.price * len(billed) / plan.term_days),
                packs_cost=packs_daily * len(billed),
                overage_without_packs=overage[False],
                overage_with_packs=overage[True],
            )
        )
    return Estimate(days=billed, payg_only=payg_only, plans=estimates)


@dataclass(frozen=True)
class CheapestChoice:
    """The cheapest way to pay for the replayed usage, and by how much a day it beats the
    alternative: pay-as-you-go when a plan wins, else the cheapest plan. `plan` None is PAYG."""

    plan: Plan | None
    compared_with: Plan | None
    daily_saving: Decimal


def estimate_cheapest(estimate: Estimate, *, with_packs: bool) -> CheapestChoice | None:
    """None when there is nothing to compare (no billed day, no plan). A tie goes to
    pay-as-you-go, which commits to nothing."""
    if not estimate.days or not estimate.plans:
        return None
    plans = sorted(
        estimate.plans,
        key=lambda entry: entry.total_with_packs if with_packs else entry.total_without_packs,
    )
    best = plans[0]
    best_total = best.total_with_packs if with_packs else best.total_without_packs
    days = len(estimate.days)
    if best_total < estimate.payg_only:
        saving = round_money((estimate.payg_only - best_total) / days)
        return CheapestChoice(plan=best.plan, compared_with=None, daily_saving=saving)
    saving = round_money((best_total - estimate.payg_only) / days)
    return CheapestChoice(plan=None, compared_with=best.plan, daily_saving=saving)
