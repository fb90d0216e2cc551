"""Money under concurrency, on PostgreSQL with real threads: no overdraft, one order per key,
one redemption per code, and no money lost when the nightly settlement races a checkout."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from billing.services.nightly import deduction_run_day
from common.dates import ONE_DAY, billing_day
from orders.models import Order
from packages.selectors import plan_get
from quota.models import TrafficPack
from quota.services import subscription_create
from tests.factories import make_account, make_workspace
from tests.orders.helpers import fund_cash, give_card, give_voucher, paid_by_entries
from tests.quota.helpers import after, send
from tests.threads import in_threads
from wallet.models import BillSettlement, LedgerEntry, PrepaidCard, Voucher, Wallet
from wallet.services.instruments import voucher_issue

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def ledger_verify_passes() -> None:
    out = StringIO()
    call_command("ledger_verify", stdout=out)
    assert "ledger clean" in out.getvalue()


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_twenty_orders_racing_for_one_card_and_one_voucher_never_overdraw():
    account, owner = make_account(name="Racer")
    workspace = make_workspace(account, commercial=True)
    now = timezone.now()
    today = billing_day(now)
    subscription = subscription_create(
        account=account,
        plan=plan_get(code="startup_acceleration"),
        start_date=today - timedelta(days=360),
        workspace_ids=[workspace.pk],
    )
    days_left = (subscription.end_date - today).days + 1
    price = Decimal(10 * days_left)  # an SMS pack of 100 a day costs ¥10 a day
    card = give_card(account, "300", now)
    voucher = give_voucher(account, "200.00", now)
    card_part, voucher_part = Decimal("15.00"), price - Decimal("15.00")
    assert voucher_part > 0
    body = {
        "kind": "traffic_packs",
        "subscription": subscription.pk,
        "traffic_packs": [{"item": "sms", "capacity": 100}],
        "payment": {
            "prepaid_cards": [{"id": card.pk, "amount": f"{card_part:.2f}"}],
            "vouchers": [{"id": voucher.pk, "amount": f"{voucher_part:.2f}"}],
        },
    }

    def order(index):
        response = client_for(owner).post(
            "/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY=f"race-{index}"
        )
        return response.status_code

    statuses = in_threads(20, order)
    paid = statuses.count(201)
    assert set(statuses) <= {201, 409}
    expected = min(300 // int(card_part), int(Decimal("200.00") // voucher_part))
    assert paid == expected
    card.refresh_from_db()
    voucher.refresh_from_db()
    assert card.balance == Decimal("300.00") - card_part * paid >= 0
    assert voucher.balance == Decimal("200.00") - voucher_part * paid >= 0
    assert Order.objects.filter(account=account, kind="traffic_packs").count() == paid
    assert TrafficPack.objects.filter(subscription=subscription).count() == paid
    for placed in Order.objects.filter(account=account):
        assert paid_by_entries(placed) == placed.total
    ledger_verify_passes()


def test_the_same_idempotency_key_ten_times_at_once_makes_one_order():
    account, owner = make_account(name="Double clicker")
    fund_cash(account, "1000.00", timezone.now())
    body = {"kind": "prepaid_card", "face_value": "500.00", "payment": {"cash": "500.00"}}

    def order(_):
        response = client_for(owner).post(
            "/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="same-key"
        )
        return response.status_code, response.json()["id"]

    results = in_threads(10, order)
    assert {status for status, _ in results} == {201}
    assert len({order_id for _, order_id in results}) == 1
    assert Order.objects.filter(account=account).count() == 1
    assert PrepaidCard.objects.filter(account=account).count() == 1
    assert Wallet.objects.get(account=account).cash_balance == Decimal("500.00")
    ledger_verify_passes()


def test_a_voucher_code_redeemed_twice_at_once_is_redeemed_once():
    first, first_owner = make_account(name="First")
    second, second_owner = make_account(name="Second")
    code = voucher_issue(account_id=None, amount="88.00", now=timezone.now()).code
    owners = [first_owner, second_owner]

    def redeem(index):
        return (
            client_for(owners[index])
            .post("/api/v1/vouchers/redeem/", {"code": code}, format="json")
            .status_code
        )

    assert sorted(in_threads(2, redeem)) == [201, 409]
    voucher = Voucher.objects.get(code=code)
    assert voucher.account_id in (first.pk, second.pk)
    assert LedgerEntry.objects.filter(voucher=voucher, kind="redeem").count() == 1
    ledger_verify_passes()


@pytest.mark.parametrize("rounds", [3])
def test_the_nightly_settlement_racing_a_checkout_loses_no_money(rounds):
    for round_number in range(rounds):
        account, owner = make_account(name=f"Racing night {round_number}")
        workspace = make_workspace(account, commercial=True)
        day = billing_day(timezone.now()) - (round_number + 1) * ONE_DAY
        send(workspace, "task_calls", 800_000, day)  # ¥80.00 of PAYG
        fund_cash(account, "100.00", after(day) - timedelta(hours=1))
        body = {"kind": "prepaid_card", "face_value": "100.00", "payment": {"cash": "100.00"}}

        def work(index, day=day, owner=owner, body=body):
            if index == 0:
                deduction_run_day(day=day, now=after(day))
                return "billed"
            return client_for(owner).post("/api/v1/orders/", body, format="json").status_code

        outcome = in_threads(2, work)
        wallet = Wallet.objects.get(account=account)
        settled = BillSettlement.objects.get(bill__workspace=workspace, day=day)
        ordered = Order.objects.filter(account=account).count()
        assert outcome[1] in (201, 409)
        # the bill is paid whole: by the card if the order came first, else by cash and arrears
        assert settled.prepaid_cards + settled.cash + settled.arrears == Decimal("80.00")
        # every yuan of the ¥100 cash went somewhere exactly once
        assert wallet.cash_balance + settled.cash + Decimal(100 * ordered) == Decimal("100.00")
        assert wallet.arrears == settled.arrears
        if ordered:
            card = PrepaidCard.objects.get(account=account)
            assert card.balance == Decimal("100.00") - settled.prepaid_cards
        ledger_verify_passes()
