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


def _parse(value, *, field: str, text, suffix: str, spelling: str, messages, code: str):
    """A date from input written as `text` matches (with `suffix` appended to make a day),
    within FIRST_DAY … LAST_DAY; None when absent."""
    if value in (None, ""):
        return None
    try:
        if not isinstance(value, str) or not text.fullmatch(value):
            raise ValueError(value)
        day = date.fromisoformat(value + suffix)
    except ValueError:
        raise InvalidInput(messages[0], field=field, code=code) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidInput(
            messages[1] % {"first": f"{FIRST_DAY:{spelling}}", "last": f"{LAST_DAY:{spelling}}"},
            field=field,
            code="date_out_of_range",
        )
    return day


def parse_day(value, *, field: str) -> date | None:
    """A day from input, written YYYY-MM-DD (API.md), or None when absent. The one parser of
    days for the API, the pages and the commands (Python's fromisoformat alone would also take
    "20261203" or week dates); a day outside FIRST_DAY … LAST_DAY is refused."""
    messages = (_("Use the format YYYY-MM-DD."), _("Give a day from %(first)s to %(last)s."))
    return _parse(
        value,
        field=field,
        text=DAY_TEXT,
        suffix="",
        spelling="%Y-%m-%d",
        messages=messages,
        code="invalid_date",
    )


def parse_month(value, *, field: str) -> date | None:
    """The first day of a month written YYYY-MM, or None when absent; a month outside
    FIRST_DAY … LAST_DAY is refused."""
    messages = (_("Use the format YYYY-MM."), _("Give a month from %(first)s to %(last)s."))
    return _parse(
        value,
        field=field,
        text=MONTH_TEXT,
        suffix="-01",
        spelling="%Y-%m",
        messages=messages,
        code="invalid_month",
    )
