"""Billing days: calendar days in the billing time zone (Asia/Shanghai, settings.TIME_ZONE)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings


def billing_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def billing_day(moment: datetime) -> date:
    """The billing day a moment falls on."""
    return moment.astimezone(billing_zone()).date()


def day_start(day: date) -> datetime:
    """The first instant of a billing day."""
    return datetime(day.year, day.month, day.day, tzinfo=billing_zone())


def days_between(first: date, last: date) -> int:
    """Days from first to last, both inclusive."""
    return (last - first).days + 1


ONE_DAY = timedelta(days=1)
