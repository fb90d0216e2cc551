"""Price computations of SPEC.md 1.1-1.4 with their exact amounts."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.exceptions import InvalidInput
from common.money import round_money, truncate_units
from packages import pricing
from packages.selectors import (
    billing_item_get,
    plan_get,
    traffic_discount_tier_list,
    traffic_pack_spec_list,
    voucher_grant_tier_for_card,
)

pytestmark = pytest.mark.django_db


def spec(code):
    return traffic_pack_spec_list().get(item__code=code)


def test_truncation_example_1234567_logs_cost_1_85():
    logs = billing_item_get(code="logs")
    assert truncate_units(1_234_567, 1_000_000) == Decimal("1.23")
    assert pricing.item_amount(item=logs, quantity=1_234_567, retention_days=14) == Decimal("1.85")


def test_units_are_truncated_not_rounded_before_pricing():
    logs = billing_item_get(code="logs")
    # 1,999,999 records are 1.99 units, not 2.00
    assert pricing.item_amount(item=logs, quantity=1_999_999, retention_days=14) == Decimal("2.99")


def test_amount_uses_the_price_of_the_sample_retention_tier():
    logs = billing_item_get(code="logs")
    assert pricing.item_amount(item=logs, quantity=10_000_000, retention_days=7) == Decimal("12.00")
    assert pricing.item_amount(item=logs, quantity=10_000_000, retention_days=30) == Decimal(
        "20.00"
    )
    assert pricing.item_amount(item=logs, quantity=10_000_000, retention_days=60) == Decimal(
        "25.00"
    )
    assert pricing.item_amount(item=logs, quantity=10_000_000) == Decimal("15.00")


def test_default_retention_amount_ignores_the_tier():
    traces = billing_item_get(code="traces")
    assert pricing.item_default_amount(item=traces, quantity=5_000_000) == Decimal("15.00")


@pytest.mark.parametrize(
    ("code", "days", "factor"),
    [
        ("logs", 7, 1),
        ("logs", 14, 1),
        ("logs", 30, 2),
        ("logs", 60, 3),
        ("traces", 3, 1),
        ("traces", 7, 1),
        ("traces", 14, 2),
        ("rum_pv", 3, 1),
        ("rum_pv", 7, 1),
        ("rum_pv", 14, 2),
        ("datakit", None, 1),
        ("task_calls", None, 1),
        ("sms", None, 1),
    ],
)
def test_retention_conversion_factors(code, days, factor):
    item = billing_item_get(code=code)
    assert pricing.retention_factor(item=item, retention_days=days) == factor
    assert (
        pricing.converted_quantity(item=item, quantity=40_000_000, retention_days=days)
        == 40_000_000 * factor
    )


def test_retention_the_item_does_not_list_is_refused():
    with pytest.raises(InvalidInput) as error:
        pricing.item_resolve_retention(item=billing_item_get(code="logs"), retention_days=90)
    assert error.value.field == "retention_days"
    assert "7, 14, 30, 60" in error.value.message
    with pytest.raises(InvalidInput):
        pricing.item_resolve_retention(item=billing_item_get(code="datakit"), retention_days=7)


def test_missing_retention_means_the_default():
    assert (
        pricing.item_resolve_retention(item=billing_item_get(code="logs"), retention_days=None)
        == 14
    )
    assert (
        pricing.item_resolve_retention(item=billing_item_get(code="sms"), retention_days=None)
        is None
    )


@pytest.mark.parametrize(
    ("code", "daily", "over_372_days", "saving"),
    [
        ("startup_acceleration", "194.00", "72168.00", "30168.00"),
        ("growth_development", "1390.00", "517080.00", "237080.00"),
        ("enterprise_standard", "2740.00", "1019280.00", "509280.00"),
    ],
)
def test_plan_daily_list_values_and_372_day_values(code, daily, over_372_days, saving):
    plan = plan_get(code=code)
    assert pricing.plan_daily_list_value(plan=plan) == Decimal(daily)
    assert pricing.plan_list_value(plan=plan) == Decimal(over_372_days)
    assert pricing.plan_saving(plan=plan) == Decimal(saving)


def test_items_a_plan_does_not_list_have_no_quota():
    quotas = pricing.plan_quota_map(plan=plan_get(code="startup_acceleration"))
    assert quotas.get("sms", 0) == 0
    assert quotas.get("backup_logs", 0) == 0


def test_30_million_log_pack_costs_36_a_day():
    assert pricing.traffic_pack_daily_price(
        spec=spec("logs"), capacity=30_000_000, tiers=traffic_discount_tier_list()
    ) == Decimal("36.00")


@pytest.mark.parametrize(
    ("code", "capacity", "rate", "daily"),
    [
        ("logs", 1_000_000, "1", "1.50"),
        ("logs", 9_000_000, "1", "13.50"),
        ("logs", 10_000_000, "0.9", "13.50"),
        ("logs", 29_000_000, "0.9", "39.15"),
        ("logs", 30_000_000, "0.8", "36.00"),
        ("datakit", 20, "1", "60.00"),
        ("datakit", 200, "0.9", "540.00"),
        ("sms", 100, "1", "10.00"),
        ("sms", 3_000, "0.8", "240.00"),
        ("rum_pv", 100_000, "1", "10.00"),
        ("task_calls", 300_000, "1", "30.00"),
        ("task_calls", 3_000_000, "0.9", "270.00"),
    ],
)
def test_traffic_pack_discount_and_daily_price(code, capacity, rate, daily):
    tiers = traffic_discount_tier_list()
    assert pricing.traffic_pack_discount_rate(
        spec=spec(code), capacity=capacity, tiers=tiers
    ) == Decimal(rate)
    assert pricing.traffic_pack_daily_price(
        spec=spec(code), capacity=capacity, tiers=tiers
    ) == Decimal(daily)


@pytest.mark.parametrize(
    ("code", "capacity", "reason"),
    [
        ("logs", 500_000, "smallest"),
        ("logs", 1_500_000, "multiple"),
        ("rum_pv", 90_000, "smallest"),
        ("task_calls", 305_000, "multiple"),
        ("datakit", 19, "smallest"),
    ],
)
def test_traffic_pack_capacity_rules(code, capacity, reason):
    with pytest.raises(InvalidInput) as error:
        pricing.traffic_pack_daily_price(
            spec=spec(code), capacity=capacity, tiers=traffic_discount_tier_list()
        )
    assert error.value.field == "capacity"
    assert reason in error.value.message


@pytest.mark.parametrize(
    ("face_value", "voucher"),
    [
        ("9999.99", None),
        ("10000", "1000.00"),
        ("29999", "1000.00"),
        ("30000", "5000.00"),
        ("100000", "20000.00"),
    ],
)
def test_voucher_grant_tier_of_a_prepaid_card(face_value, voucher):
    tier = voucher_grant_tier_for_card(face_value=Decimal(face_value))
    assert (tier.voucher_amount if tier else None) == (Decimal(voucher) if voucher else None)


@given(
    quantity=st.integers(min_value=0, max_value=10**15),
    unit_size=st.sampled_from([1, 10, 10_000, 1_000_000, 10_000_000]),
    cents=st.integers(min_value=1, max_value=1_000_000),
)
def test_amount_is_truncated_units_times_price_rounded_half_up(quantity, unit_size, cents):
    price = Decimal(cents) / 1000
    amount = pricing.amount_for_quantity(quantity=quantity, unit_size=unit_size, unit_price=price)
    units = Decimal(quantity * 100 // unit_size) / 100
    assert amount == round_money(units * price)
    assert amount.as_tuple().exponent == -2
