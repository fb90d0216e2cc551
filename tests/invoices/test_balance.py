"""The invoiceable balance of SPEC 6.4, with exact amounts: cash spent on orders (prepaid cards
included) and bills − cash given back by credits − requests not rejected."""

import importlib.util
from decimal import Decimal

import pytest

from common.dates import ONE_DAY
from common.exceptions import Conflict
from invoices.models import InvoiceRequest
from invoices.services.decisions import invoice_request_reject
from quota.models import DailyBill
from tests.errors import raises_code
from tests.factories import make_workspace
from tests.invoices.helpers import (
    BILL_DAY,
    JAN_1,
    invoiceable,
    request_invoice,
    spec_6_4_example,
    verify,
)
from tests.orders.helpers import assert_ledger_clean, at, fund_cash, give_card, give_voucher, place
from tests.quota.helpers import bill, send
from wallet.models import Wallet
from wallet.services.adjustments import bill_adjust

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(account_a):
    account, owner = account_a
    owner.email = "finance@alpha.example"
    owner.save()
    verify(account)
    return account


def test_the_6_4_example_invoices_41100_and_refuses_one_cent_more(account):
    cash_left = spec_6_4_example(account)
    assert cash_left == Decimal("18900.00")  # 60,000 − 10,000 − 31,000 − 100
    assert invoiceable(account) == Decimal("41100.00")  # 10,000 + 31,000 + 100
    with raises_code(Conflict, "above_invoiceable") as refused:
        request_invoice(account, "41100.01")
    assert "¥41,100.00" in refused.value.message and refused.value.field == "amount"
    assert not InvoiceRequest.objects.exists()
    request_invoice(account, "41000.00")
    assert invoiceable(account) == Decimal("100.00")
    with raises_code(Conflict, "above_invoiceable"):
        request_invoice(account, "100.01")
    request_invoice(account, "100.00")
    assert invoiceable(account) == Decimal("0.00")
    assert_ledger_clean()


def test_a_refund_of_unspent_cash_changes_nothing(account):
    if importlib.util.find_spec("wallet.services.refunds") is None:
        pytest.skip("wallet.services.refunds.cash_refund is not written yet (SPEC 6.3)")
    from wallet.services.refunds import cash_refund

    cash_left = spec_6_4_example(account)
    request_invoice(account, "41000.00")
    cash_refund(
        account_id=account.pk, amount="5000.00", reference="REFUND-1", now=at(BILL_DAY + ONE_DAY)
    )
    assert Wallet.objects.get(account=account).cash_balance == cash_left - Decimal("5000.00")
    assert invoiceable(account) == Decimal("100.00")
    assert_ledger_clean()


def test_a_rejected_request_frees_its_amount(account):
    spec_6_4_example(account)
    first = request_invoice(account, "41000.00")
    invoice_request_reject(
        request_id=first.pk, reason="wrong title", actor=None, now=at(BILL_DAY + 2 * ONE_DAY)
    )
    assert invoiceable(account) == Decimal("41100.00")
    request_invoice(account, "41100.00")
    assert invoiceable(account) == Decimal("0.00")


def test_what_vouchers_and_partner_cards_paid_is_never_invoiceable(account):
    give_card(account, "50000", at(JAN_1, 8))  # a partner's card: no cash spent
    voucher = give_voucher(account, "2000.00", at(JAN_1, 8))
    card = account.prepaid_cards.get()
    packaged = make_workspace(account, commercial=True)
    place(
        account,
        {"kind": "new_package", "plan": "startup_acceleration", "workspaces": [packaged.pk]},
        {
            "prepaid_cards": [{"id": card.pk, "amount": "40000.00"}],
            "vouchers": [{"id": voucher.pk, "amount": "2000.00"}],
        },
        at(JAN_1, 10),
    )
    payg = make_workspace(account, commercial=True)
    send(payg, "task_calls", 1_000_000, BILL_DAY)
    bill(BILL_DAY)  # ¥100 from the card
    fund_cash(account, "5000.00", at(BILL_DAY + ONE_DAY))  # credited, never spent
    assert invoiceable(account) == Decimal("0.00")


def test_a_credit_gives_back_cash_and_a_debit_spends_it(account):
    fund_cash(account, "100.00", at(JAN_1))
    workspace = make_workspace(account, commercial=True)
    send(workspace, "task_calls", 1_000_000, BILL_DAY)
    bill(BILL_DAY)
    assert invoiceable(account) == Decimal("100.00")
    daily = DailyBill.objects.get(workspace=workspace, day=BILL_DAY)
    bill_adjust(bill_id=daily.pk, amount="-40.00", reason="duplicate", now=at(BILL_DAY + ONE_DAY))
    assert invoiceable(account) == Decimal("60.00")  # ¥40 of cash came back
    bill_adjust(bill_id=daily.pk, amount="5.00", reason="missed", now=at(BILL_DAY + 2 * ONE_DAY))
    assert invoiceable(account) == Decimal("65.00")


def test_arrears_paid_later_with_cash_count_when_they_are_paid(account):
    fund_cash(account, "10.00", at(JAN_1))
    workspace = make_workspace(account, commercial=True)
    send(workspace, "task_calls", 1_000_000, BILL_DAY)
    bill(BILL_DAY)  # ¥10 from cash, ¥90 owed
    assert invoiceable(account) == Decimal("10.00")
    fund_cash(account, "500.00", at(BILL_DAY + ONE_DAY))  # pays the debt first
    assert invoiceable(account) == Decimal("100.00")


def test_a_credit_after_invoicing_offsets_later_spending(account):
    """Invoiced ¥100, then ¥40 came back: shown as ¥0.00, and the next ¥50 spent adds ¥10."""
    fund_cash(account, "1000.00", at(JAN_1))
    workspace = make_workspace(account, commercial=True)
    send(workspace, "task_calls", 1_000_000, BILL_DAY)
    bill(BILL_DAY)
    request_invoice(account, "100.00")
    daily = DailyBill.objects.get(workspace=workspace, day=BILL_DAY)
    bill_adjust(bill_id=daily.pk, amount="-40.00", reason="duplicate", now=at(BILL_DAY + ONE_DAY))
    assert invoiceable(account) == Decimal("0.00")
    send(workspace, "task_calls", 500_000, BILL_DAY + ONE_DAY)  # ¥50.00
    bill(BILL_DAY + ONE_DAY)
    assert invoiceable(account) == Decimal("10.00")
