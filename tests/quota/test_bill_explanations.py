"""Bills that can be checked by hand (issue 13, point 5): each unit price shows its unit, each
charge shows the formula of SPEC 1.1 that gives its amount to the cent, and the consumption
page sums the bills per item, workspace and day. Bills are made by the real nightly run."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from common.dates import ONE_DAY
from common.money import round_money, truncate_units
from quota.bill_summary import bill_view, bills_overview
from quota.explain import counted, price_per_unit
from quota.selectors import daily_bill_list
from tests.factories import make_workspace
from tests.quota.helpers import bill, bill_of, send, subscribe

pytestmark = pytest.mark.django_db
D = date(2026, 4, 14)


def charges_of(workspace, day=D):
    view = bill_view(
        daily_bill_list(account=workspace.account, workspace_id=workspace.pk).get(day=day)
    )
    return view, {(charge.item_code, charge.parts[0][0]): charge for charge in view.charges}


def test_unit_prices_name_their_unit():
    assert price_per_unit("logs", 1_000_000, Decimal("1.500000")) == "¥1.50 per 1,000,000 records"
    assert price_per_unit("sms", 10, Decimal("1.000000")) == "¥1.00 per 10 messages"
    assert price_per_unit("datakit", 1, Decimal("3.000000")) == "¥3.00 per 1 host"
    assert price_per_unit("rum_pv", 10_000, Decimal("0.7")) == "¥0.70 per 10,000 page views"
    assert price_per_unit("custom", 1_000, Decimal("1.234567"), "Widgets") == (
        "¥1.234567 per 1,000 (Widgets)"
    )
    assert counted("task_calls", 1) == "1 call"
    with translation.override("zh-hans"):
        assert price_per_unit("logs", 1_000_000, Decimal("1.5")) == "每 1,000,000 条记录 ¥1.50"
        assert counted("sms", 24) == "24 条短信"


def test_pay_as_you_go_lines_are_each_priced_at_their_own_retention(account):
    solo = make_workspace(account, name="Solo", commercial=True)
    send(solo, "sms", 24, D)
    send(solo, "datakit", 7, D)
    send(solo, "logs", 2_500_000, D, retention=7)
    send(solo, "logs", 1_234_567, D, retention=14)
    send(solo, "logs", 4_617_000, D, retention=30)
    send(solo, "logs", 999_999, D, retention=60)
    bill(D)
    view, charges = charges_of(solo)
    expected = {
        ("sms", None): (
            "24 messages = 2.40 units of 10 messages; 2.40 × ¥1.00 = ¥2.40",
            "2.40",
        ),
        ("datakit", None): ("7 hosts × ¥3.00 = ¥21.00", "21.00"),
        ("logs", 7): (
            "2,500,000 records = 2.50 units of 1,000,000 records; 2.50 × ¥1.20 = ¥3.00",
            "3.00",
        ),
        ("logs", 14): (
            "1,234,567 records = 1.23 units of 1,000,000 records (not charged: 4,567 records, "
            "less than 0.01 unit); 1.23 × ¥1.50 = ¥1.845 → ¥1.85 (rounded to the cent)",
            "1.85",
        ),
        ("logs", 30): (
            "4,617,000 records = 4.61 units of 1,000,000 records (not charged: 7,000 records, "
            "less than 0.01 unit); 4.61 × ¥2.00 = ¥9.22",
            "9.22",
        ),
        ("logs", 60): (
            "999,999 records = 0.99 units of 1,000,000 records (not charged: 9,999 records, "
            "less than 0.01 unit); 0.99 × ¥2.50 = ¥2.475 → ¥2.48 (rounded to the cent)",
            "2.48",
        ),
    }
    assert {key: (charge.text, str(charge.amount)) for key, charge in charges.items()} == expected
    assert all(charge.matches for charge in charges.values())
    # the formula's amount is the billed line's, line by line, and the bill adds up
    lines = {(row.line.item.code, row.line.retention_days): row.line for row in view.lines}
    assert lines[("logs", 30)].amount == Decimal("9.22")
    assert lines[("sms", 0)].amount == Decimal("2.40")
    assert (
        bill_of(solo, D).total
        == sum((charge.amount for charge in charges.values()), Decimal("0"))
        == Decimal("39.95")
    )
    units = {
        row.line.item.code + str(row.line.retention_days): row.unit_price for row in view.lines
    }
    assert units["logs30"] == "¥2.00 per 1,000,000 records"
    assert units["sms0"] == "¥1.00 per 10 messages"


def test_under_a_package_an_items_retentions_are_charged_together(account):
    prod = make_workspace(account, name="Prod", commercial=True)
    subscribe(account, [prod], start=D)
    send(prod, "logs", 45_000_000, D, retention=14)  # 40,000,000 covered, 5,000,000 over
    send(prod, "logs", 617_000, D, retention=30)  # converted 1,234,000, all over
    send(prod, "datakit", 25, D)  # 20 covered
    send(prod, "task_calls", 210_000, D)  # 190,000 covered
    send(prod, "sms", 24, D)  # no quota for SMS
    bill(D)
    view, charges = charges_of(prod)
    logs = charges[("logs", 14)]
    assert logs.parts == ((14, 5_000_000), (30, 1_234_000))
    assert logs.text == (
        "5,000,000 (14 d) + 1,234,000 (30 d) charged together: 6,234,000 records = 6.23 units "
        "of 1,000,000 records (not charged: 4,000 records, less than 0.01 unit); 6.23 × ¥1.50 "
        "= ¥9.345 → ¥9.35 (rounded to the cent)"
    )
    line_amounts = [row.line.amount for row in view.lines if row.line.item.code == "logs"]
    assert line_amounts == [Decimal("7.50"), Decimal("1.85")]  # the lines share the ¥9.35
    assert logs.billed_amount == logs.amount == Decimal("9.35")
    assert charges[("datakit", None)].text == "5 hosts × ¥3.00 = ¥15.00"
    assert charges[("task_calls", None)].text == (
        "20,000 calls = 2.00 units of 10,000 calls; 2.00 × ¥1.00 = ¥2.00"
    )
    assert charges[("sms", None)].amount == Decimal("2.40")
    # covered lines charge nothing and need no formula; every formula gives the billed amount
    assert set(charges) == {("logs", 14), ("datakit", None), ("task_calls", None), ("sms", None)}
    for charge in charges.values():
        assert round_money(
            truncate_units(charge.quantity, charge.unit_size) * charge.unit_price
        ) == (charge.billed_amount)
    assert bill_of(prod, D).total == Decimal("28.75")


def test_the_summary_sums_per_item_workspace_and_day(account):
    first = make_workspace(account, name="First", commercial=True)
    second = make_workspace(account, name="Second", commercial=True)
    for day in (D, D + ONE_DAY):
        send(first, "sms", 24, day)
        send(second, "logs", 4_617_000, day, retention=30)
        bill(day)
    bills = list(daily_bill_list(account=account, date_from=D, date_to=D + 2 * ONE_DAY))
    overview = bills_overview(bills=bills, date_from=D, date_to=D + 2 * ONE_DAY)
    assert [(total.code, total.quantity, total.amount) for total in overview.items] == [
        ("logs", 9_234_000, Decimal("18.44")),
        ("sms", 48, Decimal("4.80")),
    ]
    assert overview.items[0].quantity_text == "9,234,000 records"
    assert [(total.key.name, total.bills, total.amount_due) for total in overview.workspaces] == [
        ("First", 2, Decimal("4.80")),
        ("Second", 2, Decimal("18.44")),
    ]
    assert [(total.key, total.bills, total.amount_due) for total in overview.days] == [
        (D, 2, Decimal("11.62")),
        (D + ONE_DAY, 2, Decimal("11.62")),
        (D + 2 * ONE_DAY, 0, Decimal("0.00")),
    ]
    assert overview.total == Decimal("23.24")
    assert [column.readout for column in overview.chart.columns] == [
        "2026-04-14 · Amount due ¥11.62 · Bills 2",
        "2026-04-15 · Amount due ¥11.62 · Bills 2",
        "2026-04-16 · Amount due ¥0.00 · Bills 0",
    ]


def test_the_consumption_page_explains_its_bills(client, account_a):
    account, owner = account_a
    solo = make_workspace(account, name="Solo", commercial=True)
    send(solo, "logs", 4_617_000, D, retention=30)
    bill(D)
    client.force_login(owner)
    page = client.get("/bills/", {"date_from": str(D), "date_to": str(D)}).content.decode()
    assert "¥2.00 per 1,000,000 records" in page
    assert "4.61 × ¥2.00 = ¥9.22" in page
    assert 'workspace «<span class="name">Solo</span>»' in page
    assert 'data-testid="bills-summary"' in page and 'data-testid="cost-chart"' in page
