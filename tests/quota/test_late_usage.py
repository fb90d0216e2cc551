"""Late usage, re-rated (SPEC 6.2): a billed day's late samples are stored, the next run
re-rates the whole day of the subscription and writes the differences as adjustments."""

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from billing.services.nightly import deduction_run_due, late_usage_rerate
from common.dates import ONE_DAY
from quota.models import AdjustmentKind, BillAdjustment, DailyBill, LateUsage
from tests.factories import make_workspace
from tests.orders.helpers import assert_ledger_clean, fund_cash
from tests.quota.helpers import after, bill, bill_of, send, subscribe
from wallet.models import Wallet
from wallet.services.adjustments import bill_amount_due

pytestmark = pytest.mark.django_db
D = date(2026, 3, 10)


def adjustments_of(workspace) -> list[BillAdjustment]:
    return list(BillAdjustment.objects.filter(bill__workspace=workspace).order_by("pk"))


def day_cost(*workspaces) -> Decimal:
    return sum((bill_amount_due(bill_of(w, D)) for w in workspaces), start=Decimal("0.00"))


@pytest.fixture
def a_then_b(account):
    """Startup package (logs 40,000,000), A then B, 30,000,000 logs each at 14 d on D."""
    fund_cash(account, "1000.00", after(D - ONE_DAY))
    first = make_workspace(account, name="A", commercial=True)
    second = make_workspace(account, name="B", commercial=True)
    subscribe(account, [first, second], start=D)
    send(first, "logs", 30_000_000, D, retention=14, hour=10)
    send(second, "logs", 30_000_000, D, retention=14, hour=10)
    bill(D)
    assert bill_of(first, D).total == Decimal("0.00")
    assert bill_of(second, D).total == Decimal("30.00")
    return first, second


def test_a_late_hour_of_the_first_workspace_raises_both_bills_by_15(account, a_then_b):
    first, second = a_then_b
    send(first, "logs", 20_000_000, D, retention=14, hour=11)  # late: D is billed
    late = LateUsage.objects.get()
    assert (late.day, late.samples, late.rerated_at) == (D, 1, None)
    assert not BillAdjustment.objects.exists()  # nothing until the next run

    rerated_at = after(D + ONE_DAY)
    report = deduction_run_due(now=rerated_at)
    assert report.rerated.account_days == 1
    (on_a,) = adjustments_of(first)
    (on_b,) = adjustments_of(second)
    assert (
        on_a.amount,
        on_a.quantity_delta,
        on_a.plan_covered_delta,
        on_a.payg_quantity_delta,
    ) == (
        Decimal("15.00"),
        20_000_000,
        10_000_000,
        10_000_000,
    )
    assert (
        on_b.amount,
        on_b.quantity_delta,
        on_b.plan_covered_delta,
        on_b.payg_quantity_delta,
    ) == (
        Decimal("15.00"),
        0,
        -10_000_000,
        10_000_000,
    )
    for adjustment in (on_a, on_b):
        assert adjustment.kind == AdjustmentKind.LATE_USAGE
        assert (adjustment.day, adjustment.settled_on) == (D, D + 2 * ONE_DAY)
        assert adjustment.reason.startswith("late usage received 2026-03-11")
        assert adjustment.item.code == "logs" and adjustment.retention_days == 14
    assert day_cost(first, second) == Decimal("60.00")  # (80M − 40M) at ¥1.50 a million
    assert bill_of(first, D).total == Decimal("0.00")  # bills are never edited
    assert Wallet.objects.get(account=account).cash_balance == Decimal("940.00")
    assert LateUsage.objects.get().rerated_at == rerated_at

    # the same data re-rated again writes nothing, by the run or by hand
    assert late_usage_rerate(now=rerated_at + timedelta(hours=1)).adjustments == []
    out = StringIO()
    call_command("rerate_day", "--date", str(D), stdout=out)
    assert "0 adjustment(s)" in out.getvalue()
    assert BillAdjustment.objects.count() == 2
    assert_ledger_clean()


def test_a_lower_resend_of_the_second_workspace_credits_30(account, a_then_b):
    first, second = a_then_b
    send(second, "logs", 10_000_000, D, retention=14, hour=10)  # the same hour, sent again
    deduction_run_due(now=after(D + ONE_DAY))
    assert adjustments_of(first) == []
    (on_b,) = adjustments_of(second)
    assert (on_b.amount, on_b.quantity_delta, on_b.payg_quantity_delta) == (
        Decimal("-30.00"),
        -20_000_000,
        -20_000_000,
    )
    assert bill_amount_due(bill_of(second, D)) == Decimal("0.00")  # fully covered now
    assert on_b.sources == {"cash": "30.00"}  # given back to what paid it
    assert Wallet.objects.get(account=account).cash_balance == Decimal("1000.00")
    assert_ledger_clean()


def test_the_first_usage_of_a_workspace_arriving_late_gets_a_bill_of_its_own(account):
    fund_cash(account, "100.00", after(D - ONE_DAY))
    early = make_workspace(account, name="early", commercial=True)
    late = make_workspace(account, name="late", commercial=True)
    send(early, "task_calls", 10_000, D)
    bill(D)
    assert bill_of(late, D) is None
    send(late, "task_calls", 20_000, D)
    deduction_run_due(now=after(D + ONE_DAY))
    empty = DailyBill.objects.get(workspace=late, day=D)
    assert empty.total == Decimal("0.00")
    (adjustment,) = adjustments_of(late)
    assert adjustment.amount == Decimal("2.00")  # ¥1 per 10,000 task calls
    assert bill_amount_due(empty) == Decimal("2.00")
    assert_ledger_clean()


def test_rerate_day_by_hand_for_one_account(account, a_then_b):
    first, _second = a_then_b
    send(first, "logs", 20_000_000, D, retention=14, hour=11)
    out = StringIO()
    call_command("rerate_day", "--date", str(D), "--account", str(account.pk), stdout=out)
    assert "2 adjustment(s), +30.00 in all" in out.getvalue()
    assert LateUsage.objects.get().rerated_at is not None
    assert late_usage_rerate(now=after(D + ONE_DAY)).adjustments == []
