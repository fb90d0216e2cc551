"""Billing days: calendar days in the billing time zone (Asia/Shanghai, settings.TIME_ZONE)."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from common.exceptions import InvalidInput

DAY_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MONTH_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}")
# The days input may name: billing began after the first and nothing is planned past the last;
# within them a day's start, the next day and the next month are always dates (year 1 and 9999
# were not: `day_start(9999-12-31) + ONE_DAY` overflowed into a 500).
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2999, 12, 31)


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


def _in_range(day: date, *, field: str, message: str, spelling: str) -> date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidInput(
            message % {"first": f"{FIRST_DAY:{spelling}}", "last": f"{LAST_DAY:{spelling}}"},
            field=field,
            code="date_out_of_range",
        )
    return day


def parse_day(value, *, field: str) -> date | None:
    """A day from input, written YYYY-MM-DD (API.md), or None when absent. The one parser of
    days for the API, the pages and the commands (Python's fromisoformat alone would also take
    "20261203" or week dates); a day outside FIRST_DAY … LAST_DAY is refused."""
    if value in (None, ""):
        return None
    try:
        if not isinstance(value, str) or not DAY_TEXT.fullmatch(value):
            raise ValueError(value)
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            _("Use the format YYYY-MM-DD."), field=field, code="invalid_date"
        ) from None
    return _in_range(
        day, field=field, message=_("Give a day from %(first)s to %(last)s."), spelling="%Y-%m-%d"
    )


def parse_month(value, *, field: str) -> date | None:
    """The first day of a month written YYYY-MM, or None when absent; a month outside
    FIRST_DAY … LAST_DAY is refused."""
    if value in (None, ""):
        return None
    try:
        if not isinstance(value, str) or not MONTH_TEXT.fullmatch(value):
            raise ValueError(value)
        month = date.fromisoformat(f"{value}-01")
    except ValueError:
        raise InvalidInput(
            _("Use the format YYYY-MM."), field=field, code="invalid_month"
        ) from None
    return _in_range(
        month, field=field, message=_("Give a month from %(first)s to %(last)s."), spelling="%Y-%m"
    )
