"""The invoice pages: balance, request form (pre-filled, keeps what was typed), list, the
verification and mailing addresses; roles; Simplified Chinese."""

from decimal import Decimal

import pytest
from django.test import Client

from invoices.models import EnterpriseVerification, InvoiceRequest, MailingAddress
from tests.factories import add_member
from tests.invoices.helpers import CODE, NAME, add_address, spend_cash_on_a_card, verify
from workspaces.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(account_a):
    account, owner = account_a
    owner.email = "finance@alpha.example"
    owner.save()
    return owner


@pytest.fixture
def page(owner):
    client = Client()
    client.force_login(owner)
    return client


def in_chinese(client: Client) -> Client:
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    return client


def request_form(amount: str, key: str = "k1", **more) -> dict:
    return {"type": "electronic", "title": NAME, "amount": amount, "idempotency_key": key, **more}


def test_the_menu_links_the_invoices_page(page):
    assert 'href="/invoices/"' in page.get("/").content.decode()


def test_the_page_shows_the_balance_and_prefills_the_form(account, page):
    verify(account)
    spend_cash_on_a_card(account, "1000.00")
    html = page.get("/invoices/").content.decode()
    assert 'data-testid="invoiceable">¥1,000.00<' in html
    assert f'value="{NAME}"' in html and 'value="1000.00"' in html
    assert 'value="finance@alpha.example"' in html


def test_an_unverified_account_sees_no_form_but_the_way_to_verify(account, page):
    html = in_chinese(page).get("/invoices/").content.decode()
    assert 'data-testid="invoice-form"' not in html
    assert "完成企业认证后即可申请开票" in html and "可开票金额" in html and "未认证" in html


def test_a_request_above_the_balance_keeps_what_was_typed_and_says_why(account, page):
    verify(account)
    spend_cash_on_a_card(account, "1000.00")
    answer = page.post("/invoices/request/", request_form("1000.01"))
    assert answer.status_code == 400
    html = answer.content.decode()
    assert 'value="1000.01"' in html and "The invoiceable balance is ¥1,000.00" in html
    chinese = in_chinese(page).post("/invoices/request/", request_form("abc")).content.decode()
    assert 'value="abc"' in chinese and "不是有效金额" in chinese
    assert not InvoiceRequest.objects.exists()


def test_a_request_is_sent_once_and_listed(account, page):
    verify(account)
    spend_cash_on_a_card(account, "1000.00")
    first = page.post("/invoices/request/", request_form("400.00"))
    assert first.status_code == 302 and first["Location"] == "/invoices/"
    again = page.post("/invoices/request/", request_form("400.00"))  # a double click
    assert again.status_code == 302
    assert InvoiceRequest.objects.get().amount == Decimal("400.00")
    html = in_chinese(page).get("/invoices/").content.decode()
    assert "¥400.00" in html and "已申请" in html and 'data-testid="invoiceable">¥600.00<' in html


def test_a_paper_request_without_an_address_says_so_at_the_address(account, page):
    verify(account)
    spend_cash_on_a_card(account, "1000.00")
    answer = page.post("/invoices/request/", request_form("100.00", type="vat_ordinary"))
    assert "add a mailing address first" in answer.content.decode()
    address = add_address(account)
    done = page.post("/invoices/request/", request_form("100.00", key="k2", type="vat_ordinary"))
    assert done.status_code == 302
    assert InvoiceRequest.objects.get().mail_address == address.address


def test_the_owner_verifies_and_a_wrong_code_keeps_the_typed_values(account, page):
    wrong = page.post(
        "/invoices/verification/", {"registered_name": NAME, "taxpayer_id": "91350100M000100Y44"}
    )
    assert wrong.status_code == 400
    html = wrong.content.decode()
    assert 'value="91350100M000100Y44"' in html and f'value="{NAME}"' in html
    assert "wrong check character" in html
    empty = in_chinese(page).post(
        "/invoices/verification/", {"registered_name": "", "taxpayer_id": CODE}
    )
    assert empty.status_code == 400 and "企业名称" in empty.content.decode()
    done = page.post("/invoices/verification/", {"registered_name": NAME, "taxpayer_id": CODE})
    assert done.status_code == 302
    assert EnterpriseVerification.objects.get(account=account).status == "verified"


def test_admins_read_the_verification_and_members_are_refused(account):
    verify(account)
    admin, member = add_member(account, role=Role.ADMIN), add_member(account, role=Role.MEMBER)
    client = Client()
    client.force_login(admin)
    html = client.get("/invoices/verification/").content.decode()
    assert "readonly" in html and "Only an owner" in html
    assert (
        client.post(
            "/invoices/verification/", {"registered_name": "X", "taxpayer_id": CODE}
        ).status_code
        == 403
    )
    assert client.get("/invoices/").status_code == 200
    client.force_login(member)
    for path in ("/invoices/", "/invoices/verification/", "/invoices/addresses/"):
        assert client.get(path).status_code == 403, path


def test_mailing_addresses_are_added_made_default_and_deleted(account, page, account_b):
    bad = page.post(
        "/invoices/addresses/", {"recipient": "王芳", "phone": "call", "address": "上海"}
    )
    assert bad.status_code == 400 and 'value="call"' in bad.content.decode()
    page.post(
        "/invoices/addresses/",
        {"recipient": "王芳", "phone": "13800138000", "address": "上海 1 号"},
    )
    page.post(
        "/invoices/addresses/",
        {"recipient": "李雷", "phone": "13900139000", "address": "北京 2 号"},
    )
    first, second = MailingAddress.objects.filter(account=account).order_by("pk")
    assert (first.is_default, second.is_default) == (True, False)
    page.post(f"/invoices/addresses/{second.pk}/default/")
    assert MailingAddress.objects.get(is_default=True) == second
    page.post(f"/invoices/addresses/{second.pk}/delete/")
    assert list(MailingAddress.objects.filter(account=account)) == [first]
    assert MailingAddress.objects.get(pk=first.pk).is_default
    theirs = add_address(account_b[0])
    assert page.post(f"/invoices/addresses/{theirs.pk}/delete/").status_code == 404
    assert in_chinese(page).get("/invoices/addresses/").content.decode().count("设为默认") == 0
