"""Reads of the catalog, with the related rows the pricing functions need prefetched."""

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from common.exceptions import InvalidInput
from packages.models import (
    BillingItem,
    Plan,
    PlanQuota,
    TrafficDiscountTier,
    TrafficPackSpec,
    VoucherGrantTier,
)


def billing_item_list() -> QuerySet[BillingItem]:
    return BillingItem.objects.prefetch_related("retention_tiers")


def billing_item_get(*, code: str) -> BillingItem:
    item = billing_item_list().filter(code=code).first()
    if item is None:
        raise InvalidInput(
            _("Unknown billing item %(item)s.") % {"item": repr(code)},
            field="item",
            code="unknown_item",
        )
    return item


def plan_list(*, active_only: bool = True) -> QuerySet[Plan]:
    plans = Plan.objects.prefetch_related(
        Prefetch(
            "quotas",
            queryset=PlanQuota.objects.select_related("item").order_by("item__display_order"),
        )
    )
    return plans.filter(is_active=True) if active_only else plans


def plan_get(*, code: str) -> Plan:
    plan = plan_list(active_only=False).filter(code=code).first()
    if plan is None:
        raise InvalidInput(
            _("Unknown plan %(plan)s.") % {"plan": repr(code)}, field="plan", code="unknown_plan"
        )
    return plan


def traffic_pack_spec_list() -> QuerySet[TrafficPackSpec]:
    return TrafficPackSpec.objects.filter(is_active=True).select_related("item")


def traffic_discount_tier_list() -> list[TrafficDiscountTier]:
    return list(TrafficDiscountTier.objects.all())


def voucher_grant_tier_for_card(*, face_value) -> VoucherGrantTier | None:
    """The highest grant tier a prepaid card of this face value reaches, if any."""
    return (
        VoucherGrantTier.objects.filter(min_card_value__lte=face_value)
        .order_by("-min_card_value")
        .first()
    )
