"""Helpers for deduction tests: send usage, bill a day, read bills — all through the services."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from billing.services.nightly import deduction_run_day
from common.dates import ONE_DAY, day_start
from packages.selectors import plan_get
from quota.models import NO_RETENTION, DailyBill, DailyBillLine
from quota.services import PackRequest, subscription_create, usage_ingest


def hour_of(day: date, hour: int = 12) -> str:
    return (day_start(day) + timedelta(hours=hour)).isoformat()


def after(day: date, minutes: int = 10) -> datetime:
    """A moment just after `day` ended: when the nightly run bills it."""
    return day_start(day + ONE_DAY) + timedelta(minutes=minutes)


def send(
    workspace, item: str, quantity: int, day: date, retention: int | None = None, hour: int = 12
) -> None:
    sample = {
        "workspace": workspace.pk,
        "item": item,
        "hour": hour_of(day, hour),
        "quantity": quantity,
    }
    if retention is not None:
        sample["retention_days"] = retention
    usage_ingest(samples=[sample], now=after(day, minutes=1))


def send_many(samples: list[dict], day: date):
    return usage_ingest(samples=samples, now=after(day, minutes=1))


def bill(day: date, **kwargs):
    return deduction_run_day(day=day, now=after(day), **kwargs)


def subscribe(account, workspaces, start: date, plan: str = "startup_acceleration", packs=()):
    return subscription_create(
        account=account,
        plan=plan_get(code=plan),
        start_date=start,
        workspace_ids=[workspace.pk for workspace in workspaces],
        traffic_packs=[PackRequest(item_code=code, capacity=capacity) for code, capacity in packs],
    )


def bill_of(workspace, day: date) -> DailyBill | None:
    return DailyBill.objects.filter(workspace=workspace, day=day).first()


def lines_of(workspace, day: date) -> dict[tuple[str, int | None], DailyBillLine]:
    return {
        (line.item.code, None if line.retention_days == NO_RETENTION else line.retention_days): line
        for line in DailyBillLine.objects.filter(
            bill__workspace=workspace, bill__day=day
        ).select_related("item")
    }


def money(value: str) -> Decimal:
    return Decimal(value)
