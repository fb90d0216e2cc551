"""A small multi-account day: packages of several workspaces, PAYG workspaces, a free one."""

from datetime import date

from quota.models import BillingChunk, BillingRun, DailyBill, DailyBillLine
from tests.factories import make_account, make_workspace
from tests.quota.helpers import hour_of, send_many, subscribe


def build_scenario(day: date, accounts: int = 5) -> None:
    samples = []
    for number in range(accounts):
        account, _ = make_account(name=f"Scenario {number}")
        workspaces = [
            make_workspace(account, name=f"s{number}-w{index}", commercial=True)
            for index in range(3)
        ]
        make_workspace(account, name=f"s{number}-free")
        if number % 2 == 0:
            subscribe(
                account,
                workspaces[:2][:: -1 if number % 4 else 1],
                start=day,
                packs=[("logs", 10_000_000)],
            )
        for index, workspace in enumerate(workspaces):
            for hour in range(0, 24, 6):
                samples += [
                    {
                        "workspace": workspace.pk,
                        "item": "logs",
                        "retention_days": 30,
                        "hour": hour_of(day, hour),
                        "quantity": 3_000_000 * (number + 1) + index * 1_234_567,
                    },
                    {
                        "workspace": workspace.pk,
                        "item": "datakit",
                        "hour": hour_of(day, hour),
                        "quantity": 5 + hour + index,
                    },
                    {
                        "workspace": workspace.pk,
                        "item": "sms",
                        "hour": hour_of(day, hour),
                        "quantity": 7 * index + number,
                    },
                ]
    send_many(samples, day)


def snapshot(day: date) -> list[tuple]:
    """Every bill of the day with its lines, independent of ids and write order."""
    rows = []
    for bill in (
        DailyBill.objects.filter(day=day).prefetch_related("lines__item").order_by("workspace_id")
    ):
        lines = sorted(
            (
                line.item.code,
                line.retention_days,
                line.quantity,
                line.converted_quantity,
                line.plan_covered,
                line.traffic_covered,
                tuple(sorted(line.traffic_by_pack.items())),
                line.payg_quantity,
                line.unit_price,
                line.amount,
            )
            for line in bill.lines.all()
        )
        rows.append(
            (bill.workspace_id, bill.account_id, bill.subscription_id, bill.total, tuple(lines))
        )
    return rows


def forget_day(day: date) -> None:
    """Test-only: remove a day's run and bills so the same day can be run again from scratch."""
    DailyBillLine.objects.filter(bill__day=day).delete()
    DailyBill.objects.filter(day=day).delete()
    BillingChunk.objects.filter(run__day=day).delete()
    BillingRun.objects.filter(day=day).delete()
