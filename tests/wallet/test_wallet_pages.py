"""The wallet page: buy a prepaid card (a double submit is one order), redeem a code."""

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from orders.models import Order
from tests.orders.helpers import fund_cash
from wallet.models import PrepaidCard, Voucher, Wallet
from wallet.services.instruments import voucher_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(account_a):
    client = Client()
    client.force_login(account_a[1])
    return client


def test_a_double_submit_of_the_card_form_creates_one_order(account_a, owner_client):
    account, _ = account_a
    fund_cash(account, "20000.00", timezone.now())
    page = owner_client.get("/wallet/").content.decode()
    key = page.split('name="idempotency_key" value="', 1)[1].split('"', 1)[0]
    form = {"face_value": "10000", "idempotency_key": key, "step": "confirm"}
    first = owner_client.post("/wallet/cards/buy/", form, follow=True)
    second = owner_client.post("/wallet/cards/buy/", form, follow=True)
    assert "paid: your prepaid card is ready" in first.content.decode()
    assert "already placed; nothing was charged twice" in second.content.decode()
    assert Order.objects.filter(account=account).count() == 1
    assert Wallet.objects.get(account=account).cash_balance == Decimal("10000.00")
    assert PrepaidCard.objects.filter(account=account).count() == 1
    assert Voucher.objects.get(account=account).face_value == Decimal("1000.00")
    assert "¥10,000.00" in second.content.decode()


def test_not_enough_cash_keeps_what_was_typed(account_a, owner_client):
    response = owner_client.post(
        "/wallet/cards/buy/", {"face_value": "500", "idempotency_key": "k1"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "cash balance is ¥0.00" in html
    assert 'value="500"' in html


def test_redeem_a_code_once(account_a, owner_client):
    code = voucher_issue(account_id=None, amount="88.00", now=timezone.now()).code
    assert (
        "Voucher of ¥88.00 added."
        in owner_client.post(
            "/wallet/vouchers/redeem/", {"code": code}, follow=True
        ).content.decode()
    )
    again = owner_client.post("/wallet/vouchers/redeem/", {"code": code})
    assert again.status_code == 400 and "already been redeemed" in again.content.decode()


def test_admins_see_the_wallet_without_buy_forms(account_a, admin_user):
    client = Client()
    client.force_login(admin_user)
    html = client.get("/wallet/").content.decode()
    assert "Buy a prepaid card" not in html
    assert (
        client.post("/wallet/cards/buy/", {"face_value": "100", "idempotency_key": "x"}).status_code
        == 403
    )


def test_vouchers_and_cards_export_as_csv(account_a, owner_client):
    voucher_issue(account_id=account_a[0].pk, amount="12.00", now=timezone.now())
    response = owner_client.get("/wallet/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().lstrip("\ufeff").splitlines()
    assert lines[0] == "instrument,id,kind_or_number,face_value,balance,expires_at,status"
    assert (
        lines[1].startswith("voucher,")
        and ",12.00,12.00," in lines[1]
        and lines[1].endswith(",active")
    )


def test_buy_page_shows_errors_next_to_their_step_and_keeps_the_input(
    account_a, account_b, owner_client
):
    from tests.factories import make_workspace
    from tests.quota.helpers import subscribe

    account, _ = account_a
    taken = make_workspace(account, name="Taken", commercial=True)
    subscribe(account, [taken], start=timezone.localdate())
    form = {
        "plan": "startup_acceleration",
        "pack_item": ["logs"],
        "pack_capacity": ["30000000"],
        "workspaces": str(taken.pk),
        "cash": "55140.00",
        "action": "pay",
        "idempotency_key": "k-taken",
    }
    response = owner_client.post("/buy/", form)
    assert response.status_code == 409
    html = response.content.decode()
    workspaces_step = html.split('id="step-workspaces"', 1)[1].split("</section>", 1)[0]
    assert "already bound to subscription" in workspaces_step
    assert 'value="30000000"' in html and 'value="55140.00"' in html
    assert 'value="startup_acceleration" checked' in html
    free = make_workspace(account, name="Free one")
    response = owner_client.post(
        "/buy/", {**form, "workspaces": str(free.pk), "idempotency_key": "k-free"}
    )
    workspaces_step = (
        response.content.decode().split('id="step-workspaces"', 1)[1].split("</section>", 1)[0]
    )
    assert "Upgrade to the commercial plan first" in workspaces_step
    assert Order.objects.count() == 0


def test_buy_page_shows_an_insufficient_balance_next_to_the_payment(account_a, owner_client):
    from tests.factories import make_workspace

    workspace = make_workspace(account_a[0], name="Mine", commercial=True)
    form = {
        "plan": "startup_acceleration",
        "workspaces": str(workspace.pk),
        "cash": "42000.00",
        "action": "pay",
        "idempotency_key": "k1",
    }
    response = owner_client.post("/buy/", form)
    assert response.status_code == 409
    pay_step = response.content.decode().split('id="step-pay"', 1)[1]
    assert "The cash balance is ¥0.00, less than ¥42,000.00." in pay_step
