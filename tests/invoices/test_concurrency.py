"""Requests racing for one invoiceable balance (PostgreSQL, real threads): the wallet row
serializes them, so what is requested never exceeds what was spent."""

from decimal import Decimal

import pytest

from common.exceptions import ApplicationError
from invoices.models import InvoiceRequest
from tests.factories import make_account
from tests.invoices.helpers import invoiceable, request_invoice, spend_cash_on_a_card, verify
from tests.threads import in_threads

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def funded_account(name: str):
    account, owner = make_account(name=name)
    owner.email = "finance@race.example"
    owner.save()
    verify(account)
    spend_cash_on_a_card(account, "1000.00")
    return account


def attempt(account, amount: str, key: str | None = None):
    try:
        return request_invoice(account, amount, key=key).amount
    except ApplicationError as error:
        return error.code


def test_eight_threads_requesting_the_whole_balance_get_it_once():
    account = funded_account("Racing Corp")
    results = in_threads(8, lambda _: attempt(account, "1000.00"))
    assert sorted(results, key=str) == [Decimal("1000.00")] + ["above_invoiceable"] * 7
    assert InvoiceRequest.objects.filter(account=account).count() == 1
    assert invoiceable(account) == Decimal("0.00")


def test_threads_requesting_parts_never_request_more_than_the_balance():
    account = funded_account("Parts Corp")
    amounts = ["300.00", "300.00", "300.00", "300.00", "250.00", "250.00", "150.00", "50.00"]
    results = in_threads(len(amounts), lambda index: attempt(account, amounts[index]))
    granted = [result for result in results if isinstance(result, Decimal)]
    assert set(results) - set(granted) <= {"above_invoiceable"}
    total = sum(InvoiceRequest.objects.filter(account=account).values_list("amount", flat=True))
    assert total == sum(granted) <= Decimal("1000.00")
    assert invoiceable(account) == Decimal("1000.00") - total


def test_threads_posting_one_idempotency_key_make_one_request():
    account = funded_account("Double Click Corp")
    results = in_threads(6, lambda _: attempt(account, "100.00", key="same-click"))
    assert results == [Decimal("100.00")] * 6
    assert InvoiceRequest.objects.filter(account=account).count() == 1
