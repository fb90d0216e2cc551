"""The operators' side in Django admin: issue (number, date, PDF), reject with a reason, record
the mailing; verification rejected; every change e-mails through the outbox."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from post_office.models import Email

from invoices.models import EnterpriseVerification, InvoiceRequest
from tests.factories import UserFactory
from tests.invoices.helpers import (
    NAME,
    add_address,
    invoiceable,
    request_invoice,
    spend_cash_on_a_card,
    verify,
)

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.BILLING_OPERATOR_EMAILS = []
    return tmp_path


@pytest.fixture
def account(account_a):
    account, owner = account_a
    owner.email = "finance@alpha.example"
    owner.save()
    verify(account)
    spend_cash_on_a_card(account)
    return account


@pytest.fixture
def customer(account_a):
    client = Client()
    client.force_login(account_a[1])
    return client


@pytest.fixture
def operator():
    user = UserFactory(is_staff=True, is_superuser=True, email="ops@vendor.example")
    client = Client()
    client.force_login(user)
    return client


def admin_url(invoice, action: str = "change") -> str:
    if action == "change":
        return f"/admin/invoices/invoicerequest/{invoice.pk}/change/"
    return f"/admin/invoices/invoicerequest/{invoice.pk}/{action}/"


def issue(operator, invoice, number="25312000000012345678", content=PDF, day="2026-01-07"):
    upload = SimpleUploadedFile("scan.pdf", content, content_type="application/pdf")
    return operator.post(
        admin_url(invoice, "issue"),
        {"invoice_number": number, "issued_on": day, "pdf": upload},
    )


def sent_about(text: str) -> list:
    """The delivered e-mails whose subject names `text` (earlier notices go out in the same
    delivery pass)."""
    return [message for message in mail.outbox if text in message.subject]


def test_a_request_e_mails_the_operators(account, operator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = request_invoice(account, "300.00")
    assert [email.to for email in Email.objects.filter(subject__contains="invoice request")] == [
        ["ops@vendor.example"]
    ]
    [sent] = sent_about("invoice request")
    assert sent.to == ["ops@vendor.example"]
    assert f"invoice request #{invoice.pk}" in sent.subject and "¥300.00" in sent.subject
    assert NAME in sent.body and "finance@alpha.example" in sent.body


def test_issuing_in_admin_stores_the_pdf_for_the_customer_only(
    account, operator, customer, account_b, django_capture_on_commit_callbacks
):
    invoice = request_invoice(account, "300.00")
    page = operator.get(admin_url(invoice)).content.decode()
    assert admin_url(invoice, "issue") in page and admin_url(invoice, "reject") in page
    assert 'name="_save"' not in page  # a request is never edited by hand
    assert operator.get(admin_url(invoice, "issue")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        answer = issue(operator, invoice)
    assert answer.status_code == 302
    invoice.refresh_from_db()
    assert (invoice.status, invoice.invoice_number) == ("issued", "25312000000012345678")
    assert str(invoice.issued_on) == "2026-01-07" and invoice.decided_by is not None
    [sent] = sent_about("issued")
    assert sent.to == ["finance@alpha.example"]
    assert "invoice 25312000000012345678 issued" in sent.subject and "已开具" in sent.subject
    assert "¥300.00" in sent.body and "下载 PDF" in sent.body

    download = customer.get(f"/invoices/{invoice.pk}/pdf/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF
    assert "fapiao-25312000000012345678.pdf" in download["Content-Disposition"]
    listed = customer.get("/invoices/").content.decode()
    assert f"/invoices/{invoice.pk}/pdf/" in listed and "25312000000012345678" in listed

    stranger = Client()
    stranger.force_login(account_b[1])
    assert stranger.get(f"/invoices/{invoice.pk}/pdf/").status_code == 404
    stranger.force_login(account_b[1])
    assert stranger.get(f"/api/v1/invoices/{invoice.pk}/pdf/").status_code == 404

    page = operator.get(admin_url(invoice)).content.decode()
    assert admin_url(invoice, "issue") not in page and admin_url(invoice, "reject") not in page
    again = issue(operator, invoice, number="99999999")
    assert again.status_code == 200 and "is Issued; nothing was changed" in again.content.decode()


def test_the_api_serves_the_issued_pdf(account, operator, account_a):
    invoice = request_invoice(account, "300.00")
    issue(operator, invoice)
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(account_a[1])
    listed = api.get("/api/v1/invoices/").json()["results"][0]
    assert listed["status"] == "issued" and listed["pdf_url"].endswith(
        f"/invoices/{invoice.pk}/pdf/"
    )
    download = api.get(f"/api/v1/invoices/{invoice.pk}/pdf/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_issuing_refuses_a_file_that_is_not_a_pdf_and_a_number_issued_before(
    account, operator, media
):
    first = request_invoice(account, "300.00")
    second = request_invoice(account, "200.00")
    refused = issue(operator, first, content=b"GIF89a not a pdf")
    assert refused.status_code == 200 and "This file is not a PDF." in refused.content.decode()
    first.refresh_from_db()
    assert first.status == "requested" and not first.pdf
    assert issue(operator, first).status_code == 302
    first.refresh_from_db()
    taken = issue(operator, second)  # the same number
    assert "was issued already" in taken.content.decode()
    second.refresh_from_db()
    assert second.status == "requested"
    assert [path.name for path in media.rglob("*.pdf")] == [
        f"{first.pk}-fapiao-{first.invoice_number}.pdf"
    ]
    future = issue(operator, second, number="2", day="2999-01-01")
    assert "The issue date is in the future." in future.content.decode()


def test_rejecting_needs_a_reason_tells_the_customer_and_frees_the_amount(
    account, operator, customer, django_capture_on_commit_callbacks
):
    invoice = request_invoice(account, "1000.00")
    assert invoiceable(account) == Decimal("0.00")
    empty = operator.post(admin_url(invoice, "reject"), {"reason": "  "})
    assert empty.status_code == 200
    invoice.refresh_from_db()
    assert invoice.status == "requested"
    with django_capture_on_commit_callbacks(execute=True):
        done = operator.post(admin_url(invoice, "reject"), {"reason": "抬头与营业执照不符"})
    assert done.status_code == 302
    invoice.refresh_from_db()
    assert (invoice.status, invoice.reason) == ("rejected", "抬头与营业执照不符")
    assert invoiceable(account) == Decimal("1000.00")
    [sent] = sent_about(f"#{invoice.pk} rejected")
    assert (
        "rejected" in sent.subject
        and "被驳回" in sent.subject
        and "抬头与营业执照不符" in sent.body
    )
    listed = customer.get("/invoices/").content.decode()
    assert "抬头与营业执照不符" in listed and "badge-rejected" in listed


def test_the_mailing_of_a_paper_invoice_is_recorded_and_told(
    account, operator, customer, django_capture_on_commit_callbacks
):
    add_address(account)
    paper = request_invoice(account, "600.00", type="vat_ordinary")
    electronic = request_invoice(account, "400.00")
    issue(operator, paper, number="11")
    issue(operator, electronic, number="12")
    assert admin_url(paper, "mail") in operator.get(admin_url(paper)).content.decode()
    assert admin_url(electronic, "mail") not in operator.get(admin_url(electronic)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = operator.post(
            admin_url(paper, "mail"),
            {"courier": "顺丰速运", "tracking_number": "SF1234567890", "mailed_on": "2026-01-08"},
        )
    assert done.status_code == 302
    paper.refresh_from_db()
    assert (paper.courier, paper.tracking_number) == ("顺丰速运", "SF1234567890")
    [sent] = sent_about("mailed")
    assert "SF1234567890" in sent.body and "已寄出" in sent.subject
    assert "SF1234567890" in customer.get("/invoices/").content.decode()
    refused = operator.post(
        admin_url(electronic, "mail"),
        {"courier": "EMS", "tracking_number": "1", "mailed_on": "2026-01-08"},
    )
    assert "An electronic invoice is not mailed." in refused.content.decode()


def test_an_operator_rejects_a_verification_and_requests_stop(
    account, operator, customer, django_capture_on_commit_callbacks
):
    verification = EnterpriseVerification.objects.get(account=account)
    url = f"/admin/invoices/enterpriseverification/{verification.pk}/"
    assert f"{url}reject/" in operator.get(f"{url}change/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        operator.post(f"{url}reject/", {"reason": "营业执照上的名称不同"})
    verification.refresh_from_db()
    assert (verification.status, verification.reason) == ("rejected", "营业执照上的名称不同")
    [sent] = sent_about("verification rejected")
    assert sent.to == ["finance@alpha.example"] and "营业执照上的名称不同" in sent.body
    page = customer.get("/invoices/").content.decode()
    assert 'data-testid="invoice-form"' not in page and "营业执照上的名称不同" in page
    operator.post(f"{url}verify/", {"confirm": "on"})
    verification.refresh_from_db()
    assert verification.status == "verified"
    assert not InvoiceRequest.objects.exists()
