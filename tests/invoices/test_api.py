"""The invoice API: verification, requests, the invoiceable balance, addresses; roles and
isolation (another account's anything is 404)."""

from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from invoices.models import EnterpriseVerification, InvoiceRequest
from invoices.services.verification import verification_reject
from tests.factories import add_member
from tests.invoices.helpers import (
    CODE,
    NAME,
    OTHER_CODE,
    SPECIAL,
    add_address,
    spec_6_4_example,
    spend_cash_on_a_card,
    verify,
)
from workspaces.models import Membership, Role

pytestmark = pytest.mark.django_db
VERIFICATION = "/api/v1/account/verification/"
INVOICES = "/api/v1/invoices/"


@pytest.fixture
def owner(account_a):
    account, owner = account_a
    owner.email = "finance@alpha.example"
    owner.save()
    return owner


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def api(owner):
    return client_of(owner)


def body(amount: str = "100.00", **more) -> dict:
    return {"type": "electronic", "title": NAME, "amount": amount, **more}


def test_verification_starts_unverified_and_a_valid_code_verifies_at_once(api, account):
    assert api.get(VERIFICATION).json()["status"] == "unverified"
    answer = api.put(
        VERIFICATION, {"registered_name": NAME, "taxpayer_id": "9135 0100 m000 100y43"}
    )
    assert answer.status_code == 200, answer.json()
    data = answer.json()
    assert (data["registered_name"], data["taxpayer_id"], data["status"]) == (
        NAME,
        CODE,
        "verified",
    )
    assert EnterpriseVerification.objects.get(account=account).status == "verified"


@pytest.mark.parametrize(
    ("given", "field", "code"),
    [
        (
            {"registered_name": NAME, "taxpayer_id": "91350100M000100Y44"},
            "taxpayer_id",
            "taxpayer_id_check_failed",
        ),
        (
            {"registered_name": NAME, "taxpayer_id": "91350100M00010"},
            "taxpayer_id",
            "invalid_taxpayer_id",
        ),
        (
            {"registered_name": NAME, "taxpayer_id": "91350100I000100Y43"},
            "taxpayer_id",
            "invalid_taxpayer_id",
        ),
        ({"registered_name": "   ", "taxpayer_id": CODE}, "registered_name", "required"),
        ({"taxpayer_id": CODE}, "registered_name", "required"),
        ({"registered_name": "A\u0000B", "taxpayer_id": CODE}, "registered_name", "invalid"),
        (
            {"registered_name": NAME, "taxpayer_id": CODE, "registered_phone": "call me"},
            "registered_phone",
            "invalid_phone",
        ),
        ({"registered_name": NAME, "taxpayer_id": 42}, "taxpayer_id", "invalid"),
    ],
)
def test_verification_refuses_bad_details(api, given, field, code):
    answer = api.put(VERIFICATION, given, format="json")
    assert answer.status_code == 400
    assert answer.json()["codes"] == {field: [code]}


def test_only_an_owner_changes_the_verification_and_members_see_nothing(account, api):
    admin = add_member(account, role=Role.ADMIN)
    member = add_member(account, role=Role.MEMBER)
    refused = client_of(admin).put(VERIFICATION, {"registered_name": NAME, "taxpayer_id": CODE})
    assert refused.status_code == 403 and refused.json()["codes"] == {"detail": ["owner_required"]}
    assert client_of(admin).get(VERIFICATION).status_code == 200
    for path in (VERIFICATION, INVOICES, f"{INVOICES}invoiceable/", "/api/v1/account/addresses/"):
        answer = client_of(member).get(path)
        assert answer.status_code == 403, path
        assert answer.json()["codes"] == {"detail": ["billing_access_required"]}
    assert client_of(member).post(INVOICES, body(), format="json").status_code == 403


def test_a_rejected_verification_stays_rejected_with_the_same_details(account, api):
    verification = verify(account)
    verification_reject(
        verification_id=verification.pk, reason="name differs", actor=None, now=timezone.now()
    )
    same = api.put(VERIFICATION, {"registered_name": NAME, "taxpayer_id": CODE}).json()
    assert (same["status"], same["reason"]) == ("rejected", "name differs")
    spend_cash_on_a_card(account)
    refused = api.post(INVOICES, body(), format="json")
    assert refused.status_code == 409
    assert refused.json()["codes"] == {"detail": ["verification_rejected"]}
    changed = api.put(VERIFICATION, {"registered_name": NAME, "taxpayer_id": OTHER_CODE}).json()
    assert (changed["status"], changed["reason"]) == ("verified", "")
    assert api.post(INVOICES, body(), format="json").status_code == 201


def test_the_6_4_example_through_the_api(account, api):
    verify(account)
    spec_6_4_example(account)
    assert api.get(f"{INVOICES}invoiceable/").json() == {"invoiceable": "41100.00"}
    refused = api.post(INVOICES, body("41100.01"), format="json")
    assert refused.status_code == 409
    assert refused.json()["codes"] == {"detail": ["above_invoiceable"]}
    created = api.post(INVOICES, body("41000.00"), format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert {
        key: data[key] for key in ("type", "title", "amount", "status", "invoice_number", "reason")
    } == {
        "type": "electronic",
        "title": NAME,
        "amount": "41000.00",
        "status": "requested",
        "invoice_number": "",
        "reason": "",
    }
    assert (data["email"], data["taxpayer_id"], data["pdf_url"]) == (
        "finance@alpha.example",
        CODE,
        None,
    )
    assert api.get(f"{INVOICES}invoiceable/").json() == {"invoiceable": "100.00"}
    listed = api.get(INVOICES).json()
    assert [row["id"] for row in listed["results"]] == [data["id"]]
    assert api.get(INVOICES, {"status": "issued"}).json()["results"] == []
    assert api.get(INVOICES, {"status": "nope"}).json()["codes"] == {"status": ["unknown_status"]}


def test_requests_need_a_verified_enterprise(account, api):
    spend_cash_on_a_card(account)
    refused = api.post(INVOICES, body(), format="json")
    assert refused.status_code == 409
    assert refused.json()["codes"] == {"detail": ["verification_required"]}


def test_the_title_must_be_the_registered_name(account, api):
    verify(account)
    spend_cash_on_a_card(account)
    wrong = api.post(INVOICES, body(title="Alpha Corp"), format="json")
    assert wrong.status_code == 400 and wrong.json()["codes"] == {"title": ["title_mismatch"]}
    half_width = api.post(INVOICES, body(title="阿尔法科技(上海)有限公司"), format="json")
    assert half_width.status_code == 201
    assert half_width.json()["title"] == NAME  # printed as registered


def test_vat_special_needs_the_bank_and_address_details(account, api):
    verify(account)
    add_address(account)
    spend_cash_on_a_card(account)
    refused = api.post(INVOICES, body(type="vat_special"), format="json")
    assert refused.status_code == 409
    assert refused.json()["codes"] == {"detail": ["special_details_missing"]}
    verify(account, special=True)
    created = api.post(INVOICES, body(type="vat_special"), format="json")
    assert created.status_code == 201
    invoice = InvoiceRequest.objects.get(pk=created.json()["id"])
    assert (invoice.bank_name, invoice.bank_account) == (
        SPECIAL["bank_name"],
        SPECIAL["bank_account"],
    )
    assert (invoice.mail_recipient, invoice.email) == ("王芳", "")


def test_paper_invoices_go_to_an_address_of_the_account(account, api, account_b):
    verify(account)
    spend_cash_on_a_card(account)
    missing = api.post(INVOICES, body(type="vat_ordinary"), format="json")
    assert missing.status_code == 400 and missing.json()["codes"] == {
        "address": ["address_required"]
    }
    first = add_address(account, recipient="王芳")
    second = add_address(account, recipient="李雷")
    assert (first.is_default, second.is_default) == (True, False)
    by_default = api.post(INVOICES, body(type="vat_ordinary"), format="json").json()
    assert by_default["mail_recipient"] == "王芳"
    chosen = api.post(INVOICES, body(type="vat_ordinary", address=second.pk), format="json").json()
    assert chosen["mail_recipient"] == "李雷"
    theirs = add_address(account_b[0])
    other = api.post(INVOICES, body(type="vat_ordinary", address=theirs.pk), format="json")
    assert other.status_code == 404


def test_an_admin_may_request_and_another_account_is_404(account, api, account_b):
    verify(account)
    spend_cash_on_a_card(account)
    admin = add_member(account, role=Role.ADMIN)
    admin.email = "admin@alpha.example"
    admin.save()
    created = client_of(admin).post(INVOICES, body(), format="json")
    assert created.status_code == 201 and created.json()["email"] == "admin@alpha.example"
    stranger = client_of(account_b[1])
    header = {"HTTP_X_BILLING_ACCOUNT": str(account.pk)}
    assert stranger.get(INVOICES, **header).status_code == 404
    assert stranger.post(INVOICES, body(), format="json", **header).status_code == 404
    assert stranger.get(f"{INVOICES}{created.json()['id']}/pdf/").status_code == 404
    assert stranger.get(INVOICES).json()["results"] == []


def test_the_same_idempotency_key_makes_one_request(account, api):
    verify(account)
    spend_cash_on_a_card(account)
    first = api.post(INVOICES, body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.post(INVOICES, body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
    other = api.post(INVOICES, body("5.00"), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 409
    assert other.json()["codes"] == {"detail": ["idempotency_key_reused"]}
    assert InvoiceRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("given", "field", "code"),
    [
        (body("1e3"), "amount", "invalid_amount"),
        (body("10.001"), "amount", "too_many_decimals"),
        (body("0"), "amount", "amount_not_positive"),
        (body("-5"), "amount", "amount_not_positive"),
        (body(), None, None),
        ({**body(), "type": "paper"}, "type", "unknown_type"),
        ({**body(), "title": ""}, "title", "required"),
        ({**body(), "title": ["x"]}, "title", "invalid"),
        ({**body(), "email": "not-an-address"}, "email", "invalid_email"),
        ({**body(), "address": "abc"}, "address", "invalid"),
        ({**body(), "address": 2**70}, "address", "invalid"),
    ],
)
def test_bad_request_bodies_answer_400_with_the_field(account, api, given, field, code):
    verify(account)
    spend_cash_on_a_card(account)
    answer = api.post(INVOICES, given, format="json")
    if field is None:  # the control: the same body, well formed
        assert answer.status_code == 201
        return
    assert answer.status_code == 400, answer.json()
    assert answer.json()["codes"] == {field: [code]}


@pytest.mark.parametrize("raw", ["[]", '"text"', "null", "{", "[1, 2]"])
def test_a_body_that_is_not_an_object_is_400(api, raw):
    answer = api.post(INVOICES, raw, content_type="application/json")
    assert answer.status_code == 400


def test_addresses_through_the_api(account, api, account_b):
    created = api.post(
        "/api/v1/account/addresses/",
        {"recipient": "王芳", "phone": "13800138000", "address": "上海市 1 号"},
        format="json",
    )
    assert created.status_code == 201 and created.json()["is_default"] is True
    assert [row["recipient"] for row in api.get("/api/v1/account/addresses/").json()] == ["王芳"]
    bad = api.post("/api/v1/account/addresses/", {"recipient": "x", "phone": "?", "address": "y"})
    assert bad.status_code == 400 and bad.json()["codes"] == {"phone": ["invalid_phone"]}
    theirs = add_address(account_b[0])
    assert api.delete(f"/api/v1/account/addresses/{theirs.pk}/").status_code == 404
    assert api.delete(f"/api/v1/account/addresses/{created.json()['id']}/").status_code == 204
    assert api.get("/api/v1/account/addresses/").json() == []


def test_a_member_of_two_accounts_requests_for_the_one_named(account, api, account_b, owner):
    second, _ = account_b
    Membership.objects.create(account=second, user=owner, role=Role.OWNER)
    verify(account)
    spend_cash_on_a_card(account)
    refused = api.post(INVOICES, body(), format="json", HTTP_X_BILLING_ACCOUNT=str(second.pk))
    assert refused.status_code == 409  # Beta is not verified
    assert api.get(f"{INVOICES}invoiceable/", HTTP_X_BILLING_ACCOUNT=str(second.pk)).json() == {
        "invoiceable": "0.00"
    }
    assert Decimal(api.get(f"{INVOICES}invoiceable/").json()["invoiceable"]) == Decimal("1000.00")
