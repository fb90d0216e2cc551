"""SPEC 3.2 worked examples and the rules around them, with exact amounts, through the real run."""

from datetime import date
from decimal import Decimal

import pytest

from common.dates import ONE_DAY
from packages.selectors import plan_get
from quota.services import (
    PackRequest,
    subscription_add_traffic_packs,
    subscription_change_plan,
    subscription_set_workspaces,
)
from tests.factories import make_workspace
from tests.quota.helpers import bill, bill_of, lines_of, send, subscribe

pytestmark = pytest.mark.django_db
D = date(2026, 3, 10)


def startup_day_usage(workspace, day=D):
    send(workspace, "datakit", 25, day)
    send(workspace, "logs", 40_000_000, day, retention=30)
    send(workspace, "traces", 5_000_000, day, retention=14)
    send(workspace, "rum_pv", 400_000, day, retention=14)
    send(workspace, "task_calls", 210_000, day)


def test_one_day_startup_example_costs_132(account):
    workspace = make_workspace(account, commercial=True)
    subscribe(account, [workspace], start=D)
    startup_day_usage(workspace)
    bill(D)
    lines = lines_of(workspace, D)
    expected = {
        ("datakit", None): (25, 25, 20, 5, "15.00"),
        ("logs", 30): (40_000_000, 80_000_000, 40_000_000, 40_000_000, "60.00"),
        ("traces", 14): (5_000_000, 10_000_000, 5_000_000, 5_000_000, "15.00"),
        ("rum_pv", 14): (400_000, 800_000, 400_000, 400_000, "40.00"),
        ("task_calls", None): (210_000, 210_000, 190_000, 20_000, "2.00"),
    }
    assert set(lines) == set(expected)
    for key, (raw, converted, plan_covered, payg, amount) in expected.items():
        line = lines[key]
        assert (
            line.quantity,
            line.converted_quantity,
            line.plan_covered,
            line.traffic_covered,
        ) == (
            raw,
            converted,
            plan_covered,
            0,
        ), key
        assert line.payg_quantity == payg, key
        assert line.amount == Decimal(amount), key
    assert lines[("logs", 30)].unit_price == Decimal(
        "1.5"
    )  # default-retention price, not the 30 d one
    assert bill_of(workspace, D).total == Decimal("132.00")


def test_with_a_30_million_log_pack_the_day_costs_87(account):
    workspace = make_workspace(account, commercial=True)
    subscription = subscribe(account, [workspace], start=D, packs=[("logs", 30_000_000)])
    startup_day_usage(workspace)
    bill(D)
    logs = lines_of(workspace, D)[("logs", 30)]
    assert (logs.plan_covered, logs.traffic_covered, logs.payg_quantity) == (
        40_000_000,
        30_000_000,
        10_000_000,
    )
    assert logs.amount == Decimal("15.00")
    pack = subscription.traffic_packs.get()
    assert logs.traffic_by_pack == {str(pack.pk): 30_000_000}
    assert pack.daily_price == Decimal("36.00")
    assert bill_of(workspace, D).total == Decimal("87.00")


def test_second_workspace_pays_what_the_first_left_uncovered(account):
    first = make_workspace(account, name="A", commercial=True)
    second = make_workspace(account, name="B", commercial=True)
    subscribe(account, [first, second], start=D, packs=[("logs", 110_000_000)])  # pool 150,000,000
    send(first, "logs", 100_000_000, D, retention=14)
    send(second, "logs", 100_000_000, D, retention=14)
    bill(D)
    assert bill_of(first, D).total == Decimal("0.00")
    b_line = lines_of(second, D)[("logs", 14)]
    assert (b_line.plan_covered, b_line.traffic_covered, b_line.payg_quantity) == (
        0,
        50_000_000,
        50_000_000,
    )
    assert bill_of(second, D).total == Decimal("75.00")

    next_day = D + ONE_DAY
    send(first, "logs", 80_000_000, next_day, retention=14)
    send(second, "logs", 100_000_000, next_day, retention=14)
    bill(next_day)
    assert bill_of(first, next_day).total == Decimal("0.00")
    assert lines_of(second, next_day)[("logs", 14)].payg_quantity == 30_000_000
    assert bill_of(second, next_day).total == Decimal("45.00")


@pytest.mark.parametrize(("retention", "factor"), [(7, 1), (14, 1), (30, 2), (60, 3)])
def test_log_retention_factors_under_a_package(account, retention, factor):
    workspace = make_workspace(account, commercial=True)
    subscribe(account, [workspace], start=D)
    send(workspace, "logs", 30_000_000, D, retention=retention)
    bill(D)
    line = lines_of(workspace, D)[("logs", retention)]
    assert line.converted_quantity == 30_000_000 * factor
    assert line.plan_covered == min(30_000_000 * factor, 40_000_000)
    assert line.amount == Decimal("1.5") * (max(30 * factor - 40, 0))


@pytest.mark.parametrize(
    ("item", "retention", "factor"),
    [("traces", 7, 1), ("traces", 14, 2), ("rum_pv", 7, 1), ("rum_pv", 14, 2)],
)
def test_trace_and_page_view_factors(account, item, retention, factor):
    workspace = make_workspace(account, commercial=True)
    subscribe(account, [workspace], start=D)
    send(workspace, item, 100_000, D, retention=retention)
    bill(D)
    assert lines_of(workspace, D)[(item, retention)].converted_quantity == 100_000 * factor


def test_hosts_take_the_max_of_the_hours_while_logs_take_the_sum(account):
    workspace = make_workspace(account, commercial=True)
    for hour, hosts in [(1, 10), (2, 25), (3, 18)]:
        send(workspace, "datakit", hosts, D, hour=hour)
        send(workspace, "logs", 1_000_000 * hosts, D, retention=14, hour=hour)
    bill(D)
    lines = lines_of(workspace, D)
    assert lines[("datakit", None)].quantity == 25
    assert lines[("logs", 14)].quantity == 53_000_000
    # PAYG-only: 25 hosts × ¥3, 53 units × ¥1.5
    assert lines[("datakit", None)].amount == Decimal("75.00")
    assert lines[("logs", 14)].amount == Decimal("79.50")


def test_an_item_the_plan_does_not_cover_is_all_payg_at_the_default_price(account):
    workspace = make_workspace(account, commercial=True)
    subscribe(account, [workspace], start=D)
    send(workspace, "sms", 1_234, D)
    send(workspace, "backup_logs", 25_000_000, D)
    bill(D)
    lines = lines_of(workspace, D)
    assert (lines[("sms", None)].plan_covered, lines[("sms", None)].payg_quantity) == (0, 1_234)
    assert lines[("sms", None)].amount == Decimal("123.40")
    assert lines[("backup_logs", None)].amount == Decimal("5.00")


def test_a_workspace_without_a_package_pays_its_own_tier_price_without_conversion(account):
    workspace = make_workspace(account, commercial=True)
    send(workspace, "logs", 10_000_000, D, retention=30)
    send(workspace, "traces", 1_000_000, D, retention=3)
    bill(D)
    lines = lines_of(workspace, D)
    assert (lines[("logs", 30)].converted_quantity, lines[("logs", 30)].unit_price) == (
        10_000_000,
        Decimal("2"),
    )
    assert lines[("logs", 30)].amount == Decimal("20.00")
    assert lines[("traces", 3)].amount == Decimal("2.00")
    assert bill_of(workspace, D).subscription is None
    assert bill_of(workspace, D).total == Decimal("22.00")


def test_a_free_workspace_is_not_billed(account):
    free = make_workspace(account)
    send(free, "logs", 10_000_000, D, retention=14)
    run = bill(D)
    assert bill_of(free, D) is None
    assert run.status == "done"


def test_a_workspace_upgraded_later_is_not_billed_for_earlier_days(account):
    workspace = make_workspace(account, commercial=True, upgraded_at=after_day(D))
    send(workspace, "logs", 10_000_000, D, retention=14)
    bill(D)
    assert bill_of(workspace, D) is None


def after_day(day):
    from tests.quota.helpers import after

    return after(day, minutes=60)


def test_a_reorder_applies_from_the_next_day_and_today_keeps_the_old_order(account):
    first = make_workspace(account, name="A", commercial=True)
    second = make_workspace(account, name="B", commercial=True)
    subscription = subscribe(account, [first, second], start=D)
    effective = subscription_set_workspaces(
        subscription=subscription, workspace_ids=[second.pk, first.pk], today=D
    )
    assert effective == D + ONE_DAY
    for day in (D, D + ONE_DAY):
        send(first, "logs", 40_000_000, day, retention=14)
        send(second, "logs", 40_000_000, day, retention=14)
        bill(day)
    assert (bill_of(first, D).total, bill_of(second, D).total) == (
        Decimal("0.00"),
        Decimal("60.00"),
    )
    next_day = D + ONE_DAY
    assert (bill_of(first, next_day).total, bill_of(second, next_day).total) == (
        Decimal("60.00"),
        Decimal("0.00"),
    )


def test_removing_a_workspace_makes_it_payg_from_the_next_day(account):
    first = make_workspace(account, name="A", commercial=True)
    second = make_workspace(account, name="B", commercial=True)
    subscription = subscribe(account, [first, second], start=D)
    subscription_set_workspaces(subscription=subscription, workspace_ids=[first.pk], today=D)
    next_day = D + ONE_DAY
    send(second, "logs", 10_000_000, next_day, retention=30)
    bill(next_day)
    assert bill_of(second, next_day).subscription is None
    assert bill_of(second, next_day).total == Decimal("20.00")  # its own 30 d tier price


def test_an_upgrade_applies_its_quota_from_its_day(account):
    workspace = make_workspace(account, commercial=True)
    subscription = subscribe(account, [workspace], start=D)
    upgrade_day = D + ONE_DAY
    subscription_change_plan(
        subscription=subscription,
        plan=plan_get(code="growth_development"),
        effective_from=upgrade_day,
    )
    for day in (D, upgrade_day):
        send(workspace, "logs", 100_000_000, day, retention=14)
        bill(day)
    assert bill_of(workspace, D).total == Decimal("90.00")  # 60,000,000 over the startup quota
    assert bill_of(workspace, upgrade_day).total == Decimal("0.00")  # growth covers 400,000,000


def test_the_last_day_is_covered_and_the_day_after_is_payg(account):
    workspace = make_workspace(account, commercial=True)
    subscription = subscribe(account, [workspace], start=D)
    last_day = subscription.end_date
    assert last_day == D + 364 * ONE_DAY
    for day in (last_day, last_day + ONE_DAY):
        send(workspace, "logs", 40_000_000, day, retention=14)
        bill(day)
    assert bill_of(workspace, last_day).total == Decimal("0.00")
    assert bill_of(workspace, last_day).subscription == subscription
    after_end = bill_of(workspace, last_day + ONE_DAY)
    assert after_end.subscription is None
    assert after_end.total == Decimal("60.00")


def test_two_stacked_traffic_packs_are_used_oldest_first(account):
    workspace = make_workspace(account, commercial=True)
    subscription = subscribe(account, [workspace], start=D, packs=[("logs", 10_000_000)])
    later = subscription_add_traffic_packs(
        subscription=subscription,
        traffic_packs=[PackRequest("logs", 20_000_000)],
        start_date=D + ONE_DAY,
    )[0]
    older = subscription.traffic_packs.order_by("pk").first()
    day = D + ONE_DAY
    send(workspace, "logs", 65_000_000, day, retention=14)
    bill(day)
    line = lines_of(workspace, day)[("logs", 14)]
    assert (line.plan_covered, line.traffic_covered, line.payg_quantity) == (
        40_000_000,
        25_000_000,
        0,
    )
    assert line.traffic_by_pack == {str(older.pk): 10_000_000, str(later.pk): 15_000_000}
    assert bill_of(workspace, day).total == Decimal("0.00")
    # the day before, only the older pack existed
    send(workspace, "logs", 65_000_000, D, retention=14)
    bill(D)
    assert lines_of(workspace, D)[("logs", 14)].payg_quantity == 15_000_000
