"""Order history and receipts in Chromium: open the history from the menu, filter it, open an
order's receipt, print it on A4, and download its PDF through the page's link."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from invoices.services.verification import EnterpriseDetails, verification_update
from tests.factories import PASSWORD, make_account, make_workspace
from tests.orders.helpers import cash, place
from tests.pdf import pdf_ready, pdf_text  # noqa: F401 — pdf_ready is a fixture
from wallet.services.balances import cash_credit
from wallet.services.instruments import prepaid_card_issue
from workspaces.models import Membership

CODE = "91350100M000100Y43"  # a unified social credit code with its check character
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def two_orders():
    """Receipt Corp's Startup package (cash 37,000 and a ¥5,000 card) and, a day later, a
    ¥10,000 prepaid card bought with cash."""
    account, owner = make_account(name="Receipt Corp", owner="receipt-owner")
    workspace = make_workspace(account, name="Prod", commercial=True)
    placed = timezone.now() - timedelta(days=1)
    cash_credit(account_id=account.pk, amount="50000.00", reference="remit", now=placed)
    card = prepaid_card_issue(account_id=account.pk, amount="5000", now=placed)
    package = place(
        account,
        {"kind": "new_package", "plan": "startup_acceleration", "workspaces": [workspace.pk]},
        {"cash": "37000.00", "prepaid_cards": [{"id": card.pk, "amount": "5000.00"}]},
        placed,
    )
    bought = place(
        account,
        {"kind": "prepaid_card", "face_value": "10000.00"},
        cash("10000.00"),
        timezone.now(),
    )
    return owner, package, bought, card


def open_receipt_from_the_menu(pages):
    owner, package, bought, card = two_orders()
    browser = pages(1280, prefix="receipts")
    page = browser.page
    browser.login(owner.username, PASSWORD)
    page.click("nav.mainnav >> text=Orders")
    page.wait_for_url(browser.base + "/orders/")
    browser.snap("history")
    rows = page.locator("[data-testid=order-list] tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).get_attribute("data-order") == str(bought.pk)
    page.select_option("select[name=kind]", "new_package")
    page.click("[data-testid=order-filters] button[type=submit]")
    page.wait_for_url("**/orders/?kind=new_package*")
    browser.snap("history-filtered")
    assert [rows.nth(i).get_attribute("data-order") for i in range(rows.count())] == [
        str(package.pk)
    ]
    row = page.locator(f"tr[data-order='{package.pk}']")
    assert "¥42,000.00" in row.inner_text()
    row.locator("text=Receipt").click()
    page.wait_for_url(f"**/orders/{package.pk}/receipt/")
    browser.snap("receipt")
    return browser, package, card


def test_the_receipt_opened_from_the_history_prints_on_a4_without_its_buttons(pages):
    browser, package, card = open_receipt_from_the_menu(pages)
    page = browser.page
    assert page.inner_text("[data-testid=receipt-total]") == "¥42,000.00"
    payment = page.inner_text("[data-testid=receipt-payment]")
    assert "¥37,000.00" in payment and f"{card.number}" in payment and "¥5,000.00" in payment
    assert page.is_visible("[data-testid=receipt-pdf]")
    page.emulate_media(media="print")
    browser.snap("receipt-print")
    assert page.is_hidden(".receipt-tools")
    printed = page.pdf(format="A4", print_background=True)
    assert printed.startswith(b"%PDF")
    text, _ = pdf_text(printed)
    assert f"Order no. {package.pk}" in text and "¥42,000.00" in text
    assert "This receipt is not a VAT invoice (fapiao)." in text
    assert "Download PDF" not in text


@pytest.mark.usefixtures("pdf_ready")
def test_the_receipt_pdf_downloads_through_its_link(pages, tmp_path: Path):
    browser, package, _ = open_receipt_from_the_menu(pages)
    page = browser.page
    with page.expect_download() as download_info:
        page.click("[data-testid=receipt-pdf]")
    download = download_info.value
    assert download.suggested_filename == f"receipt-{package.pk}.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    content = saved.read_bytes()
    assert content.startswith(b"%PDF")
    text, _ = pdf_text(content)
    assert f"Order no. {package.pk}" in text
    assert "¥42,000.00" in text and "¥37,000.00" in text


@pytest.mark.usefixtures("pdf_ready")
def test_download_a_receipt_then_request_the_vat_invoice_of_the_cash_spent(pages, tmp_path: Path):
    """The customer's end of issue 12 in one go: a receipt downloaded, then the invoice asked
    for the cash the two orders took (37,000 + 10,000; the card's ¥5,000 is never invoiceable)."""
    browser, package, _ = open_receipt_from_the_menu(pages)
    page = browser.page
    with page.expect_download() as download_info:
        page.click("[data-testid=receipt-pdf]")
    saved = tmp_path / "receipt.pdf"
    download_info.value.save_as(saved)
    assert f"Order no. {package.pk}" in pdf_text(saved.read_bytes())[0]

    verification_update(
        membership=Membership.objects.get(account_id=package.account_id, role="owner"),
        details=EnterpriseDetails(registered_name="收据科技有限公司", taxpayer_id=CODE),
        now=timezone.now(),
    )
    browser.go("/invoices/")
    assert page.inner_text("[data-testid=invoiceable]") == "¥47,000.00"
    page.check("input[name=type][value=electronic]")
    page.fill("#id_email", "finance@receipt.example")
    page.fill("#id_amount", "47000.00")
    page.click("[data-testid=request-invoice]")
    page.wait_for_url(browser.base + "/invoices/")
    browser.snap("invoice-requested")
    assert page.inner_text("[data-testid=invoiceable]") == "¥0.00"
    row = page.locator("[data-testid=invoice-requests] tbody tr").first
    assert "¥47,000.00" in row.inner_text() and "Requested" in row.inner_text()
