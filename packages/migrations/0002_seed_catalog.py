"""Seed the catalog with exactly the numbers of SPEC.md 1.1-1.4 (admins may edit them later)."""

from decimal import Decimal

from django.db import migrations

# code, name, unit size, default price, default retention, aggregation, vouchers may pay,
# retention tiers: (days, price, conversion factor)
BILLING_ITEMS = [
    ("datakit", "DataKit hosts", 1, "3", None, "max", True, []),
    (
        "logs",
        "Log records",
        1_000_000,
        "1.5",
        14,
        "sum",
        True,
        [(7, "1.2", 1), (14, "1.5", 1), (30, "2", 2), (60, "2.5", 3)],
    ),
    ("backup_logs", "Backup log records", 10_000_000, "2", None, "sum", True, []),
    (
        "traces",
        "APM traces",
        1_000_000,
        "3",
        7,
        "sum",
        True,
        [(3, "2", 1), (7, "3", 1), (14, "6", 2)],
    ),
    (
        "rum_pv",
        "RUM page views",
        10_000,
        "1",
        7,
        "sum",
        True,
        [(3, "0.7", 1), (7, "1", 1), (14, "2", 2)],
    ),
    ("api_tests", "API dial tests", 10_000, "1", None, "sum", False, []),
    ("task_calls", "Task calls", 10_000, "1", None, "sum", True, []),
    ("sms", "SMS alerts", 10, "1", None, "sum", False, []),
]

PLANS = [
    (
        "startup_acceleration",
        "Startup Acceleration Package",
        "42000",
        {
            "datakit": 20,
            "logs": 40_000_000,
            "traces": 5_000_000,
            "rum_pv": 400_000,
            "task_calls": 190_000,
        },
    ),
    (
        "growth_development",
        "Growth Development Package",
        "280000",
        {
            "datakit": 100,
            "logs": 400_000_000,
            "traces": 50_000_000,
            "rum_pv": 2_000_000,
            "task_calls": 1_400_000,
        },
    ),
    (
        "enterprise_standard",
        "Enterprise Standard Package",
        "510000",
        {
            "datakit": 200,
            "logs": 800_000_000,
            "traces": 100_000_000,
            "rum_pv": 4_000_000,
            "task_calls": 2_400_000,
        },
    ),
]

# item, base unit, minimum capacity, price per base unit per day
TRAFFIC_PACKS = [
    ("datakit", 1, 20, "3"),
    ("logs", 1_000_000, 1_000_000, "1.5"),
    ("backup_logs", 10_000_000, 10_000_000, "2"),
    ("traces", 1_000_000, 1_000_000, "3"),
    ("rum_pv", 10_000, 100_000, "1"),
    ("api_tests", 10_000, 100_000, "1"),
    ("task_calls", 10_000, 300_000, "1"),
    ("sms", 1, 100, "0.1"),
]

DISCOUNT_TIERS = [(30, "0.8"), (10, "0.9")]

VOUCHER_GRANTS = [("10000", "1000"), ("30000", "5000"), ("100000", "20000")]


def seed(apps, schema_editor):
    BillingItem = apps.get_model("packages", "BillingItem")
    RetentionTier = apps.get_model("packages", "RetentionTier")
    Plan = apps.get_model("packages", "Plan")
    PlanQuota = apps.get_model("packages", "PlanQuota")
    TrafficPackSpec = apps.get_model("packages", "TrafficPackSpec")
    TrafficDiscountTier = apps.get_model("packages", "TrafficDiscountTier")
    VoucherGrantTier = apps.get_model("packages", "VoucherGrantTier")

    items = {}
    for order, (code, name, unit_size, price, retention, aggregation, vouchers, tiers) in enumerate(
        BILLING_ITEMS
    ):
        item, _ = BillingItem.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "unit_size": unit_size,
                "unit_price": Decimal(price),
                "default_retention_days": retention,
                "aggregation": aggregation,
                "voucher_payable": vouchers,
                "display_order": order,
            },
        )
        items[code] = item
        for days, tier_price, factor in tiers:
            RetentionTier.objects.update_or_create(
                item=item,
                days=days,
                defaults={"unit_price": Decimal(tier_price), "conversion_factor": factor},
            )

    for order, (code, name, price, quotas) in enumerate(PLANS):
        plan, _ = Plan.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "price": Decimal(price),
                "term_days": 365,
                "display_order": order,
            },
        )
        for item_code, daily_quantity in quotas.items():
            PlanQuota.objects.update_or_create(
                plan=plan, item=items[item_code], defaults={"daily_quantity": daily_quantity}
            )

    for item_code, base_unit, minimum, price in TRAFFIC_PACKS:
        TrafficPackSpec.objects.update_or_create(
            item=items[item_code],
            defaults={
                "base_unit": base_unit,
                "min_capacity": minimum,
                "unit_price": Decimal(price),
            },
        )

    for multiple, rate in DISCOUNT_TIERS:
        TrafficDiscountTier.objects.update_or_create(
            min_multiple=multiple, defaults={"rate": Decimal(rate)}
        )

    for card_value, voucher in VOUCHER_GRANTS:
        VoucherGrantTier.objects.update_or_create(
            min_card_value=Decimal(card_value), defaults={"voucher_amount": Decimal(voucher)}
        )


class Migration(migrations.Migration):
    dependencies = [("packages", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
