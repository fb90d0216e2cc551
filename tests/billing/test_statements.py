"""Monthly statements (SPEC 5.3) with exact amounts: pay-as-you-go and how it was paid, orders
and how they were paid (cash, card, voucher), corrections and the arrears at the month's end."""

from datetime import date
from decimal import Decimal

import pytest

from billing.models import Statement
from billing.selectors import statement_months
from billing.services.statements import statements_generate
from quota.models import DailyBill
from tests.factories import make_workspace
from tests.orders.helpers import at, cash, fund_cash, give_voucher, place
from tests.quota.helpers import bill, send
from wallet.models import PrepaidCard, Voucher
from wallet.services.adjustments import bill_adjust

pytestmark = pytest.mark.django_db
JUNE_1, JUNE_10 = date(2026, 6, 1), date(2026, 6, 10)


@pytest.fixture
def june(account_a):
    return june_of(account_a[0])


def june_of(account):
    """¥41,050 cash; a ¥10,000 card bought with cash (→ ¥1,000 full-reduction voucher); a
    Startup package (¥42,000) paid with cash 31,000, the card 10,000 and the voucher 1,000; a ¥20
    voucher; a ¥100 PAYG bill on June 10 (voucher 20, cash 50, arrears 30); a ¥10 credit."""
    fund_cash(account, "41050.00", at(JUNE_1))
    place(account, {"kind": "prepaid_card", "face_value": "10000.00"}, cash("10000.00"), at(JUNE_1))
    card = PrepaidCard.objects.get(account=account)
    grant = Voucher.objects.get(account=account, kind="full_reduction")
    packaged = make_workspace(account, name="packaged", commercial=True)
    place(
        account,
        {"kind": "new_package", "plan": "startup_acceleration", "workspaces": [packaged.pk]},
        {
            "cash": "31000.00",
            "prepaid_cards": [{"id": card.pk, "amount": "10000.00"}],
            "vouchers": [{"id": grant.pk, "amount": "1000.00"}],
        },
        at(JUNE_1, 11),
    )
    give_voucher(account, "20.00", at(JUNE_1))
    payg = make_workspace(account, name="payg", commercial=True)
    send(payg, "task_calls", 1_000_000, JUNE_10)  # ¥100.00
    bill(JUNE_10)
    daily = DailyBill.objects.get(workspace=payg, day=JUNE_10)
    bill_adjust(bill_id=daily.pk, amount="-10.00", reason="goodwill", now=at(date(2026, 6, 12)))
    return account


def test_a_month_with_payg_orders_paid_three_ways_and_arrears(june, client, account_a):
    assert statements_generate(month=JUNE_1, now=at(date(2026, 7, 3))) == 1
    statement = Statement.objects.get(account=june)
    assert (
        statement.payg_charged,
        statement.paid_by_vouchers,
        statement.paid_by_cards,
        statement.paid_by_cash,
        statement.left_in_arrears,
    ) == (Decimal("100.00"), Decimal("20.00"), Decimal("0.00"), Decimal("50.00"), Decimal("30.00"))
    assert (statement.orders_count, statement.orders_total) == (2, Decimal("52000.00"))
    assert (
        statement.orders_paid_by_cash,
        statement.orders_paid_by_cards,
        statement.orders_paid_by_vouchers,
    ) == (Decimal("41000.00"), Decimal("10000.00"), Decimal("1000.00"))
    assert (statement.adjustments_credited, statement.adjustments_debited) == (
        Decimal("10.00"),
        Decimal("0.00"),
    )
    assert statement.arrears_at_month_end == Decimal("20.00")  # 30 owed, 10 credited back

    client.force_login(account_a[1])
    page = client.get("/statements/", {"month": "2026-06"}).content.decode()
    for shown in ("¥41,000.00", "¥10,000.00", "¥1,000.00", "¥52,000.00", "¥20.00", "final"):
        assert shown in page
    assert page.count('href="/orders/') >= 2  # the month's orders are listed
    csv = client.get("/statements/", {"month": "2026-06", "format": "csv"}).content.decode()
    assert "Orders paid from cash,41000.00" in csv


def test_the_month_picker_steps_month_by_month_and_labels_each_month():
    months = statement_months(today=date(2026, 12, 3), count=12)
    assert [f"{month:%Y-%m}" for month in months] == [
        "2026-12", "2026-11", "2026-10", "2026-09", "2026-08", "2026-07",
        "2026-06", "2026-05", "2026-04", "2026-03", "2026-02", "2026-01",
    ]  # fmt: skip
    assert statement_months(today=date(2027, 3, 31), count=3) == [
        date(2027, 3, 1),
        date(2027, 2, 1),
        date(2027, 1, 1),
    ]


def test_a_past_month_not_produced_yet_is_not_called_running(june, client, account_a):
    client.force_login(account_a[1])
    page = client.get("/statements/", {"month": "2026-06"}).content.decode()
    assert "not produced yet" in page and ">running<" not in page
