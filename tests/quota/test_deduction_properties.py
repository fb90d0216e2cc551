"""Properties of the deduction over random usage, bindings and packs (pure code, no database)."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from packages.pricing import ItemPricing
from quota.deduction import PackLot, UsageLine, deduct_package_day, deduct_payg_day

CATALOG = {
    "datakit": ItemPricing(1, "datakit", 1, Decimal("3"), None, "max", True, {}),
    "logs": ItemPricing(
        2,
        "logs",
        1_000_000,
        Decimal("1.5"),
        14,
        "sum",
        True,
        {
            7: (Decimal("1.2"), 1),
            14: (Decimal("1.5"), 1),
            30: (Decimal("2"), 2),
            60: (Decimal("2.5"), 3),
        },
    ),
    "traces": ItemPricing(
        3,
        "traces",
        1_000_000,
        Decimal("3"),
        7,
        "sum",
        True,
        {3: (Decimal("2"), 1), 7: (Decimal("3"), 1), 14: (Decimal("6"), 2)},
    ),
    "sms": ItemPricing(4, "sms", 10, Decimal("1"), None, "sum", False, {}),
}
RETENTIONS = {"datakit": [0], "logs": [7, 14, 30, 60], "traces": [3, 7, 14], "sms": [0]}

usage_line = st.sampled_from(sorted(CATALOG)).flatmap(
    lambda code: st.builds(
        lambda workspace, retention, quantity: UsageLine(workspace, code, retention, quantity),
        st.integers(min_value=1, max_value=6),
        st.sampled_from(RETENTIONS[code]),
        st.integers(min_value=0, max_value=200_000_000),
    )
)
scenario = st.fixed_dictionaries(
    {
        "usage": st.lists(usage_line, max_size=25),
        "order": st.permutations(list(range(1, 7))).map(lambda order: order[: 1 + order[0] % 6]),
        "quotas": st.fixed_dictionaries(
            {
                code: st.integers(min_value=0, max_value=150_000_000)
                for code in ["datakit", "logs", "traces"]
            }
        ),
        "packs": st.lists(
            st.tuples(
                st.sampled_from(sorted(CATALOG)), st.integers(min_value=1, max_value=80_000_000)
            ),
            max_size=4,
        ),
    }
)


def unique_usage(usage):
    """One line per (workspace, item, retention), as the run's aggregation produces."""
    merged = {}
    for line in usage:
        merged[(line.workspace_id, line.item_code, line.retention_days)] = line
    return list(merged.values())


def run(case):
    packs = [
        PackLot(pack_id=index + 1, item_code=code, capacity=capacity)
        for index, (code, capacity) in enumerate(case["packs"])
    ]
    usage = unique_usage(case["usage"])
    result = deduct_package_day(
        catalog=CATALOG,
        plan_quotas=case["quotas"],
        packs=packs,
        workspace_order=case["order"],
        usage=usage,
    )
    return usage, packs, result


@settings(max_examples=300, deadline=None)
@given(scenario)
def test_covered_plus_payg_is_the_converted_quantity(case):
    usage, _, result = run(case)
    for lines in result.values():
        for line in lines:
            factor = CATALOG[line.item_code].factor(
                None if line.retention_days == 0 else line.retention_days
            )
            assert line.converted_quantity == line.quantity * factor
            assert (
                line.plan_covered + line.traffic_covered + line.payg_quantity
                == line.converted_quantity
            )
            assert sum(line.traffic_by_pack.values()) == line.traffic_covered
            assert min(line.plan_covered, line.traffic_covered, line.payg_quantity) >= 0
    bound = set(case["order"])
    billed = {
        (line.workspace_id, line.item_code, line.retention_days)
        for lines in result.values()
        for line in lines
    }
    expected = {
        (u.workspace_id, u.item_code, u.retention_days)
        for u in usage
        if u.quantity > 0 and u.workspace_id in bound
    }
    assert billed == expected


@settings(max_examples=300, deadline=None)
@given(scenario)
def test_the_pool_is_never_over_used(case):
    _, packs, result = run(case)
    lines = [line for lines in result.values() for line in lines]
    for code in CATALOG:
        assert sum(line.plan_covered for line in lines if line.item_code == code) <= case[
            "quotas"
        ].get(code, 0)
    for pack in packs:
        used = sum(line.traffic_by_pack.get(str(pack.pack_id), 0) for line in lines)
        assert used <= pack.capacity
        assert all(
            line.item_code == pack.item_code
            for line in lines
            if str(pack.pack_id) in line.traffic_by_pack
        )


@settings(max_examples=300, deadline=None)
@given(scenario)
def test_a_workspace_gets_pool_only_when_every_workspace_before_it_is_fully_covered(case):
    _, _, result = run(case)
    for code in CATALOG:
        seen_uncovered = False
        for workspace_id in case["order"]:
            lines = [line for line in result.get(workspace_id, []) if line.item_code == code]
            covered = sum(line.plan_covered + line.traffic_covered for line in lines)
            if seen_uncovered:
                assert covered == 0
            if any(line.payg_quantity for line in lines):
                seen_uncovered = True


@settings(max_examples=200, deadline=None)
@given(scenario)
def test_plan_quota_is_used_before_any_traffic_pack(case):
    _, _, result = run(case)
    for code in CATALOG:
        lines = [line for lines in result.values() for line in lines if line.item_code == code]
        if any(line.traffic_covered for line in lines):
            assert sum(line.plan_covered for line in lines) == case["quotas"].get(code, 0)


@settings(max_examples=200, deadline=None)
@given(st.lists(usage_line, max_size=25))
def test_payg_lines_cost_their_own_tier_price_without_conversion(usage):
    usage = unique_usage(usage)
    result = deduct_payg_day(catalog=CATALOG, usage=usage)
    for lines in result.values():
        for line in lines:
            pricing = CATALOG[line.item_code]
            retention = None if line.retention_days == 0 else line.retention_days
            assert line.converted_quantity == line.payg_quantity == line.quantity
            assert line.unit_price == pricing.tier_price(retention)
            assert line.amount == pricing.amount(line.quantity, line.unit_price)
