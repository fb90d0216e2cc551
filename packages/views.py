"""Pages of the catalog: the three plans side by side."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from packages import pricing
from packages.models import BillingItem, Plan
from packages.selectors import billing_item_list, plan_list


@dataclass(frozen=True)
class PlanCard:
    plan: Plan
    quotas: list[tuple[BillingItem, int]]
    daily_list_value: Decimal
    list_value: Decimal
    saving: Decimal
    saving_percent: Decimal


def _plan_cards() -> tuple[list[PlanCard], list[BillingItem]]:
    plans = list(plan_list())
    covered_codes = {quota.item.code for plan in plans for quota in plan.quotas.all()}
    items = [item for item in billing_item_list() if item.code in covered_codes]
    cards = []
    for plan in plans:
        quota_map = pricing.plan_quota_map(plan=plan)
        list_value = pricing.plan_list_value(plan=plan)
        saving = pricing.plan_saving(plan=plan)
        cards.append(
            PlanCard(
                plan=plan,
                quotas=[(item, quota_map.get(item.code, 0)) for item in items],
                daily_list_value=pricing.plan_daily_list_value(plan=plan),
                list_value=list_value,
                saving=saving,
                saving_percent=(saving * 100 / list_value).quantize(Decimal("1"))
                if list_value
                else Decimal(0),
            )
        )
    return cards, items


@login_required
def plan_catalog(request: HttpRequest) -> HttpResponse:
    cards, items = _plan_cards()
    return render(
        request,
        "packages/plan_catalog.html",
        {"cards": cards, "items": items, "comparison_days": pricing.COMPARISON_DAYS},
    )
