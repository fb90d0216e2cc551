"""Billing days: calendar days in the billing time zone (Asia/Shanghai, settings.TIME_ZONE)."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from common.exceptions import InvalidInput

DAY_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MONTH_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}")


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


def parse_day(value, *, field: str) -> date | None:
    """A day from input, written YYYY-MM-DD (API.md), or None when absent. The one parser of
    days for the API, the pages and the commands (Python's fromisoformat alone would also take
    "20261203" or week dates)."""
    if value in (None, ""):
        return None
    try:
        if not isinstance(value, str) or not DAY_TEXT.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            _("Use the format YYYY-MM-DD."), field=field, code="invalid_date"
        ) from None


def parse_month(value, *, field: str) -> date | None:
    """The first day of a month written YYYY-MM, or None when absent."""
    if value in (None, ""):
        return None
    try:
        if not isinstance(value, str) or not MONTH_TEXT.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(f"{value}-01")
    except ValueError:
        raise InvalidInput(
            _("Use the format YYYY-MM."), field=field, code="invalid_month"
        ) from None
