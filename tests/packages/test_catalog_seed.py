"""The seeded catalog holds exactly the numbers of SPEC.md 1.1-1.4."""

from decimal import Decimal

import pytest

from packages.models import (
    BillingItem,
    Plan,
    PlanQuota,
    RetentionTier,
    TrafficDiscountTier,
    TrafficPackSpec,
    VoucherGrantTier,
)

pytestmark = pytest.mark.django_db

# code: (unit size, default price, default retention, aggregation, voucher payable,
#        {days: (price, factor)})
SPEC_ITEMS = {
    "datakit": (1, "3", None, "max", True, {}),
    "logs": (
        1_000_000,
        "1.5",
        14,
        "sum",
        True,
        {7: ("1.2", 1), 14: ("1.5", 1), 30: ("2", 2), 60: ("2.5", 3)},
    ),
    "backup_logs": (10_000_000, "2", None, "sum", True, {}),
    "traces": (1_000_000, "3", 7, "sum", True, {3: ("2", 1), 7: ("3", 1), 14: ("6", 2)}),
    "rum_pv": (10_000, "1", 7, "sum", True, {3: ("0.7", 1), 7: ("1", 1), 14: ("2", 2)}),
    "api_tests": (10_000, "1", None, "sum", False, {}),
    "task_calls": (10_000, "1", None, "sum", True, {}),
    "sms": (10, "1", None, "sum", False, {}),
}

SPEC_PLANS = {
    "startup_acceleration": (
        "Startup Acceleration Package",
        "42000.00",
        {
            "datakit": 20,
            "logs": 40_000_000,
            "traces": 5_000_000,
            "rum_pv": 400_000,
            "task_calls": 190_000,
        },
    ),
    "growth_development": (
        "Growth Development Package",
        "280000.00",
        {
            "datakit": 100,
            "logs": 400_000_000,
            "traces": 50_000_000,
            "rum_pv": 2_000_000,
            "task_calls": 1_400_000,
        },
    ),
    "enterprise_standard": (
        "Enterprise Standard Package",
        "510000.00",
        {
            "datakit": 200,
            "logs": 800_000_000,
            "traces": 100_000_000,
            "rum_pv": 4_000_000,
            "task_calls": 2_400_000,
        },
    ),
}

SPEC_TRAFFIC_PACKS = {
    "datakit": (1, 20, "3"),
    "logs": (1_000_000, 1_000_000, "1.5"),
    "backup_logs": (10_000_000, 10_000_000, "2"),
    "traces": (1_000_000, 1_000_000, "3"),
    "rum_pv": (10_000, 100_000, "1"),
    "api_tests": (10_000, 100_000, "1"),
    "task_calls": (10_000, 300_000, "1"),
    "sms": (1, 100, "0.1"),
}


def test_billing_items_are_exactly_those_of_the_spec():
    items = {item.code: item for item in BillingItem.objects.all()}
    assert set(items) == set(SPEC_ITEMS)
    for code, (
        unit_size,
        price,
        retention,
        aggregation,
        voucher_payable,
        tiers,
    ) in SPEC_ITEMS.items():
        item = items[code]
        assert item.unit_size == unit_size, code
        assert item.unit_price == Decimal(price), code
        assert item.default_retention_days == retention, code
        assert item.aggregation == aggregation, code
        assert item.voucher_payable is voucher_payable, code
        seeded = {
            tier.days: (tier.unit_price, tier.conversion_factor)
            for tier in item.retention_tiers.all()
        }
        assert seeded == {days: (Decimal(p), factor) for days, (p, factor) in tiers.items()}, code


def test_default_retention_tier_price_is_the_item_price():
    for item in BillingItem.objects.exclude(default_retention_days=None):
        assert (
            RetentionTier.objects.get(item=item, days=item.default_retention_days).unit_price
            == item.unit_price
        )


def test_vouchers_may_not_pay_api_tests_and_sms_only():
    assert set(
        BillingItem.objects.filter(voucher_payable=False).values_list("code", flat=True)
    ) == {
        "api_tests",
        "sms",
    }


def test_plans_are_exactly_those_of_the_spec():
    plans = {plan.code: plan for plan in Plan.objects.all()}
    assert set(plans) == set(SPEC_PLANS)
    for code, (name, price, quotas) in SPEC_PLANS.items():
        plan = plans[code]
        assert plan.name == name
        assert plan.price == Decimal(price)
        assert plan.term_days == 365
        seeded = dict(
            PlanQuota.objects.filter(plan=plan).values_list("item__code", "daily_quantity")
        )
        assert seeded == quotas


def test_traffic_pack_specifications_are_exactly_those_of_the_spec():
    specs = {spec.item.code: spec for spec in TrafficPackSpec.objects.select_related("item")}
    assert set(specs) == set(SPEC_TRAFFIC_PACKS)
    for code, (base_unit, minimum, price) in SPEC_TRAFFIC_PACKS.items():
        assert (specs[code].base_unit, specs[code].min_capacity, specs[code].unit_price) == (
            base_unit,
            minimum,
            Decimal(price),
        ), code


def test_discount_tiers_are_80_percent_from_30_and_90_percent_from_10_times_the_minimum():
    assert list(
        TrafficDiscountTier.objects.order_by("min_multiple").values_list("min_multiple", "rate")
    ) == [
        (10, Decimal("0.9")),
        (30, Decimal("0.8")),
    ]


def test_voucher_grant_tiers_are_those_of_the_spec():
    assert list(
        VoucherGrantTier.objects.order_by("min_card_value").values_list(
            "min_card_value", "voucher_amount"
        )
    ) == [
        (Decimal("10000.00"), Decimal("1000.00")),
        (Decimal("30000.00"), Decimal("5000.00")),
        (Decimal("100000.00"), Decimal("20000.00")),
    ]
