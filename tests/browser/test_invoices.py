"""Requesting a VAT invoice in Chromium: verify the enterprise, add an address, request a paper
invoice (a cent too much first), see it listed, in English and in Simplified Chinese."""

from decimal import Decimal

import pytest
from django.utils import timezone

from invoices.models import InvoiceRequest
from orders.requests import OrderRequest, PaymentSplit
from orders.services.checkout import order_place
from tests.factories import PASSWORD, make_account
from wallet.services.balances import cash_credit
from workspaces.models import Membership

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
NAME = "阿尔法科技（上海）有限公司"
CODE = "91350100M000100Y43"


def account_that_spent_cash():
    """¥2,000.00 of cash spent on a prepaid card: ¥2,000.00 invoiceable."""
    account, owner = make_account(name="Invoice Corp", owner="invoice-owner")
    owner.email = "finance@invoice.example"
    owner.save()
    now = timezone.now()
    cash_credit(account_id=account.pk, amount="2000.00", reference="remit", now=now)
    order_place(
        membership=Membership.objects.get(account=account, user=owner),
        request=OrderRequest(kind="prepaid_card", face_value=Decimal("2000.00")),
        payment=PaymentSplit(cash=Decimal("2000.00")),
        idempotency_key=None,
        now=now,
    )
    return account, owner


def test_verify_add_an_address_and_request_a_paper_invoice(pages):
    account, owner = account_that_spent_cash()
    browser = pages(1280, prefix="invoices")
    page = browser.page
    browser.login(owner.username, PASSWORD)
    page.click("[data-testid=nav-invoices]")
    page.wait_for_url(browser.base + "/invoices/")
    browser.snap("unverified")
    assert page.inner_text("[data-testid=invoiceable]") == "¥2,000.00"
    assert page.locator("[data-testid=invoice-form]").count() == 0

    page.click("text=Verify the enterprise to request invoices")
    page.fill("#id_registered_name", NAME)
    page.fill("#id_taxpayer_id", "91350100M000100Y44")  # a typo in the check character
    page.click("[data-testid=verify]")
    assert "wrong check character" in page.inner_text("[data-testid=verification-form]")
    assert page.input_value("#id_registered_name") == NAME  # what was typed is kept
    browser.snap("verification-typo")
    page.fill("#id_taxpayer_id", CODE)
    page.click("[data-testid=verify]")
    page.wait_for_url(browser.base + "/invoices/")
    assert page.inner_text("[data-testid=verification-status]") == "Verified"

    page.click("text=Mailing addresses")
    page.fill("#id_recipient", "王芳")
    page.fill("#id_phone", "138 0013 8000")
    page.fill("#id_address", "上海市徐汇区漕溪北路 88 号")
    page.click("text=Add the address")
    page.wait_for_selector("[data-testid=addresses] >> text=王芳")
    browser.snap("addresses")
    browser.go("/invoices/")

    assert page.input_value("#id_title") == NAME  # pre-filled from the verification
    assert page.input_value("#id_amount") == "2000.00"  # and the whole balance
    page.check("input[name=type][value=vat_ordinary]")
    page.fill("#id_amount", "2000.01")
    page.click("[data-testid=request-invoice]")
    page.wait_for_selector("[data-testid=amount-error]")
    assert "The invoiceable balance is ¥2,000.00" in page.inner_text("[data-testid=amount-error]")
    assert page.input_value("#id_amount") == "2000.01"
    assert page.is_checked("input[name=type][value=vat_ordinary]")
    browser.snap("above-balance")
    page.fill("#id_amount", "1500.00")
    page.click("[data-testid=request-invoice]")
    page.wait_for_url(browser.base + "/invoices/")
    browser.snap("requested")
    assert "Invoice request" in page.inner_text(".messages")
    assert page.inner_text("[data-testid=invoiceable]") == "¥500.00"
    row = page.locator("[data-testid=invoice-requests] tbody tr").first
    assert "¥1,500.00" in row.inner_text() and "Requested" in row.inner_text()
    invoice = InvoiceRequest.objects.get(account=account)
    assert (invoice.type, invoice.amount, invoice.title) == (
        "vat_ordinary",
        Decimal("1500.00"),
        NAME,
    )
    assert invoice.mail_recipient == "王芳"

    page.select_option("[data-testid=language]", "zh-hans")
    page.wait_for_selector("text=可开票金额")
    browser.snap("zh")
    assert "已申请" in page.inner_text("[data-testid=invoice-requests]")
