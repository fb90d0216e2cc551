"""One parser of days and months for the API, the pages and the commands."""

from datetime import date

import pytest

from common.dates import parse_day, parse_month
from common.exceptions import InvalidInput
from tests.errors import raises_code


def test_days_and_months_are_read_as_api_md_writes_them():
    assert parse_day("2026-12-03", field="date") == date(2026, 12, 3)
    assert parse_month("2026-12", field="month") == date(2026, 12, 1)
    assert parse_day("", field="date") is None and parse_month(None, field="month") is None


@pytest.mark.parametrize(
    "text", ["20261203", "2026-W49-4", "2026-12-3", "2026-13-01", " 2026-12-03"]
)
def test_other_spellings_of_a_day_are_refused(text):
    with raises_code(InvalidInput, "invalid_date") as error:
        parse_day(text, field="date_from")
    assert error.value.field == "date_from"


@pytest.mark.parametrize("text", ["2026-1", "202612", "2026-12-01", "2026-00"])
def test_other_spellings_of_a_month_are_refused(text):
    with raises_code(InvalidInput, "invalid_month"):
        parse_month(text, field="month")


@pytest.mark.django_db
def test_the_ledger_api_refuses_a_compact_date(owner_api):
    response = owner_api.get("/api/v1/ledger/?date_from=20261203")
    assert response.status_code == 400
    assert response.json()["codes"] == {"date_from": ["invalid_date"]}
