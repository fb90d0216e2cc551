"""Quotes and paying orders (SPEC 1.3-1.5, 4), with exact amounts."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from common.dates import ONE_DAY, billing_day
from common.exceptions import Conflict, InvalidInput, NotFound
from orders.models import Order
from quota.selectors import subscription_view
from tests.errors import raises_code
from tests.factories import make_workspace
from tests.orders.helpers import (
    assert_ledger_clean,
    at,
    cash,
    fund_cash,
    give_card,
    give_voucher,
    paid_by_entries,
    place,
    quote_of,
)
from wallet.models import LedgerEntry, PrepaidCard, Voucher, Wallet

pytestmark = pytest.mark.django_db
JAN_1 = date(2026, 1, 1)


def new_package(workspaces, plan="startup_acceleration", packs=()):
    return {
        "kind": "new_package",
        "plan": plan,
        "workspaces": [workspace.pk for workspace in workspaces],
        "traffic_packs": [{"item": item, "capacity": capacity} for item, capacity in packs],
    }


def startup_package(account, funds: str, funded_at):
    """Startup Acceleration for a new commercial workspace, bought on JAN_1 with ¥42,000 of
    cash out of `funds` credited at `funded_at`; returns the subscription."""
    workspace = make_workspace(account, commercial=True)
    fund_cash(account, funds, funded_at)
    return place(account, new_package([workspace]), cash("42000.00"), at(JAN_1)).subscription


def test_a_new_package_with_a_log_pack_is_priced_for_the_whole_term(account):
    workspace = make_workspace(account, commercial=True)
    quote = quote_of(
        account=account, data=new_package([workspace], packs=[("logs", 30_000_000)]), today=JAN_1
    )
    assert [line.amount for line in quote.lines] == [Decimal("42000.00"), Decimal("13140.00")]
    assert quote.total == Decimal("55140.00")


def test_buying_a_package_starts_the_subscription_on_the_day_it_is_paid(account):
    workspace = make_workspace(account, commercial=True)
    fund_cash(account, "42000.00", at(JAN_1, 9))
    order = place(account, new_package([workspace]), cash("42000.00"), at(JAN_1))
    assert (order.kind, order.status, order.total) == ("new_package", "paid", Decimal("42000.00"))
    subscription = order.subscription
    assert (subscription.start_date, subscription.end_date) == (JAN_1, date(2026, 12, 31))
    assert Wallet.objects.get(account=account).cash_balance == Decimal("0.00")
    assert paid_by_entries(order) == order.total
    assert_ledger_clean()


def test_the_upgrade_example_costs_119326_03(account):
    subscription = startup_package(account, "200000.00", at(JAN_1, 9))
    upgrade = {"kind": "upgrade", "subscription": subscription.pk, "plan": "growth_development"}
    july_2 = date(2026, 7, 2)
    assert quote_of(account=account, data=upgrade, today=july_2).total == Decimal("119326.03")
    order = place(account, upgrade, cash("119326.03"), at(july_2))
    assert order.total == Decimal("119326.03")
    assert (
        subscription_view(subscription=subscription, today=july_2).plan.code == "growth_development"
    )
    assert (
        subscription_view(subscription=subscription, today=july_2 - ONE_DAY).plan.code
        == "startup_acceleration"
    )
    assert subscription.end_date == date(2026, 12, 31)
    assert_ledger_clean()


def test_a_30_million_log_pack_with_100_days_left_costs_3600(account):
    subscription = startup_package(account, "50000.00", at(JAN_1, 9))
    hundred_days_left = subscription.end_date - timedelta(days=99)
    data = {
        "kind": "traffic_packs",
        "subscription": subscription.pk,
        "traffic_packs": [{"item": "logs", "capacity": 30_000_000}],
    }
    quote = quote_of(account=account, data=data, today=hundred_days_left)
    assert (quote.lines[0].unit_price, quote.lines[0].quantity, quote.total) == (
        Decimal("36.00"),
        100,
        Decimal("3600.00"),
    )
    order = place(account, data, cash("3600.00"), at(hundred_days_left))
    pack = order.subscription.traffic_packs.get()
    assert (pack.start_date, pack.end_date, pack.daily_price) == (
        hundred_days_left,
        subscription.end_date,
        Decimal("36.00"),
    )


def test_a_split_off_by_one_cent_is_refused_and_nothing_is_written(account):
    workspace = make_workspace(account, commercial=True)
    fund_cash(account, "30000.00", at(JAN_1, 8))
    card = give_card(account, "20000", at(JAN_1, 8))
    with pytest.raises(InvalidInput) as error:
        place(
            account,
            new_package([workspace]),
            {"cash": "22000.00", "prepaid_cards": [{"id": card.pk, "amount": "19999.99"}]},
            at(JAN_1),
        )
    assert error.value.field == "payment"
    assert "41,999.99" in error.value.message and "42,000.00" in error.value.message
    assert Order.objects.count() == 0
    assert Wallet.objects.get(account=account).cash_balance == Decimal("30000.00")
    assert PrepaidCard.objects.get(pk=card.pk).balance == Decimal("20000.00")
    assert not workspace.bindings.exists()


def test_an_expired_voucher_is_refused(account):
    workspace = make_workspace(account, commercial=True)
    voucher = give_voucher(account, "1000.00", at(JAN_1 - timedelta(days=40)), valid_days=30)
    fund_cash(account, "41000.00", at(JAN_1, 8))
    with raises_code(Conflict, "instrument_expired"):
        place(
            account,
            new_package([workspace]),
            {"cash": "41000.00", "vouchers": [{"id": voucher.pk, "amount": "1000.00"}]},
            at(JAN_1),
        )
    assert Order.objects.count() == 0


def test_another_accounts_card_answers_404(account, account_b):
    workspace = make_workspace(account, commercial=True)
    theirs = give_card(account_b[0], "50000", at(JAN_1, 8))
    with pytest.raises(NotFound):
        place(
            account,
            new_package([workspace]),
            {"prepaid_cards": [{"id": theirs.pk, "amount": "42000.00"}]},
            at(JAN_1),
        )
    assert PrepaidCard.objects.get(pk=theirs.pk).balance == Decimal("50000.00")


def test_an_instrument_must_cover_its_part_and_cash_its_part(account):
    workspace = make_workspace(account, commercial=True)
    card = give_card(account, "100", at(JAN_1, 8))
    with raises_code(Conflict, "insufficient_balance"):
        place(
            account,
            new_package([workspace]),
            {"cash": "41800.00", "prepaid_cards": [{"id": card.pk, "amount": "200.00"}]},
            at(JAN_1),
        )
    with raises_code(Conflict, "insufficient_balance"):
        place(account, new_package([workspace]), cash("42000.00"), at(JAN_1))


def test_a_prepaid_card_of_10000_grants_a_1000_voucher_and_takes_cash_only(account):
    fund_cash(account, "10000.00", at(JAN_1, 8))
    voucher = give_voucher(account, "50.00", at(JAN_1, 8))
    with raises_code(InvalidInput, "cash_only"):
        place(
            account,
            {"kind": "prepaid_card", "face_value": "10000.00"},
            {"cash": "9950.00", "vouchers": [{"id": voucher.pk, "amount": "50.00"}]},
            at(JAN_1),
        )
    order = place(
        account, {"kind": "prepaid_card", "face_value": "10000.00"}, cash("10000.00"), at(JAN_1)
    )
    card = PrepaidCard.objects.get(order=order)
    assert (card.face_value, card.balance, card.source) == (
        Decimal("10000.00"),
        Decimal("10000.00"),
        "purchase",
    )
    granted = Voucher.objects.get(granted_by=order)
    assert (granted.kind, granted.face_value, granted.balance) == (
        "full_reduction",
        Decimal("1000.00"),
        Decimal("1000.00"),
    )
    assert Wallet.objects.get(account=account).cash_balance == Decimal("0.00")
    assert_ledger_clean()


@pytest.mark.parametrize("face_value", ["150.00", "0", "-100", "abc", "100.001"])
def test_prepaid_card_values_must_be_multiples_of_100(account, face_value):
    with pytest.raises(InvalidInput):
        quote_of(
            account=account, data={"kind": "prepaid_card", "face_value": face_value}, today=JAN_1
        )


def test_validation_of_what_is_bought(account, account_b):
    free = make_workspace(account)
    mine = make_workspace(account, commercial=True)
    theirs = make_workspace(account_b[0], commercial=True)
    with raises_code(InvalidInput, "workspace_not_commercial"):
        quote_of(account=account, data=new_package([free]), today=JAN_1)
    with raises_code(InvalidInput, "not_found"):
        quote_of(account=account, data=new_package([theirs]), today=JAN_1)
    with raises_code(InvalidInput, "pack_not_a_multiple"):
        quote_of(
            account=account, data=new_package([mine], packs=[("logs", 1_500_000)]), today=JAN_1
        )
    with raises_code(InvalidInput, "unknown_plan"):
        quote_of(account=account, data=new_package([mine], plan="platinum"), today=JAN_1)
    with raises_code(InvalidInput, "duplicate_workspace"):
        quote_of(account=account, data=new_package([mine, mine]), today=JAN_1)


def test_a_bound_workspace_a_downgrade_and_an_expired_subscription_are_refused(account):
    workspace = make_workspace(account, commercial=True)
    fund_cash(account, "300000.00", at(JAN_1, 8))
    subscription = place(
        account, new_package([workspace], plan="growth_development"), cash("280000.00"), at(JAN_1)
    ).subscription
    with raises_code(Conflict, "workspace_bound_elsewhere"):
        quote_of(account=account, data=new_package([workspace]), today=JAN_1 + ONE_DAY)
    with raises_code(InvalidInput, "not_an_upgrade"):
        quote_of(
            account=account,
            data={
                "kind": "upgrade",
                "subscription": subscription.pk,
                "plan": "startup_acceleration",
            },
            today=JAN_1,
        )
    after_end = subscription.end_date + ONE_DAY
    for data in (
        {
            "kind": "traffic_packs",
            "subscription": subscription.pk,
            "traffic_packs": [{"item": "logs", "capacity": 1_000_000}],
        },
        {"kind": "upgrade", "subscription": subscription.pk, "plan": "enterprise_standard"},
        {"kind": "renewal", "subscription": subscription.pk},
    ):
        with raises_code(Conflict, "subscription_expired"):
            quote_of(account=account, data=data, today=after_end)


def test_renewal_is_a_new_purchase_from_the_day_after_the_end(account):
    subscription = startup_package(account, "84000.00", at(JAN_1, 8))
    order = place(
        account,
        {"kind": "renewal", "subscription": subscription.pk},
        cash("42000.00"),
        at(date(2026, 12, 1)),
    )
    assert order.subscription.start_date == date(2027, 1, 1)
    assert order.subscription.renewal_of == subscription
    with raises_code(Conflict, "already_renewed"):
        quote_of(
            account=account,
            data={"kind": "renewal", "subscription": subscription.pk},
            today=date(2026, 12, 2),
        )


def test_the_same_idempotency_key_returns_the_first_order(account):
    workspace = make_workspace(account, commercial=True)
    fund_cash(account, "84000.00", at(JAN_1, 8))
    first = place(account, new_package([workspace]), cash("42000.00"), at(JAN_1), key="checkout-1")
    again = place(account, new_package([workspace]), cash("42000.00"), at(JAN_1), key="checkout-1")
    assert again.pk == first.pk
    assert Order.objects.count() == 1
    assert Wallet.objects.get(account=account).cash_balance == Decimal("42000.00")
    with raises_code(Conflict, "idempotency_key_reused"):
        place(
            account,
            {"kind": "prepaid_card", "face_value": "100.00"},
            cash("100.00"),
            at(JAN_1),
            key="checkout-1",
        )


def test_the_suggested_payment_uses_vouchers_then_cards_by_expiry_then_cash(account_a):
    account, owner = account_a
    workspace = make_workspace(account, commercial=True)
    now = timezone.now()
    late = give_voucher(account, "500.00", now, valid_days=300)
    early = give_voucher(account, "300.00", now, valid_days=30)
    card = give_card(account, "1000", now)
    fund_cash(account, "50000.00", now)
    client = APIClient()
    client.force_authenticate(owner)
    body = client.post("/api/v1/orders/quote/", new_package([workspace]), format="json").json()
    assert body["total"] == "42000.00"
    assert body["suggested_payment"] == {
        "cash": "40200.00",
        "prepaid_cards": [{"id": card.pk, "amount": "1000.00"}],
        "vouchers": [{"id": early.pk, "amount": "300.00"}, {"id": late.pk, "amount": "500.00"}],
    }
    assert body["payment_shortfall"] is None
    assert Order.objects.count() == 0


def test_the_suggested_cash_never_exceeds_the_balance_and_the_quote_names_what_is_missing(
    account_a,
):
    account, owner = account_a
    workspace = make_workspace(account, commercial=True)
    now = timezone.now()
    voucher = give_voucher(account, "500.00", now)
    card = give_card(account, "1000", now)
    fund_cash(account, "30000.00", now)
    client = APIClient()
    client.force_authenticate(owner)
    body = client.post("/api/v1/orders/quote/", new_package([workspace]), format="json").json()
    assert body["suggested_payment"] == {
        "cash": "30000.00",
        "prepaid_cards": [{"id": card.pk, "amount": "1000.00"}],
        "vouchers": [{"id": voucher.pk, "amount": "500.00"}],
    }
    assert body["payment_shortfall"] == {
        "missing": "10500.00",
        "total": "42000.00",
        "cash_balance": "30000.00",
        "prepaid_cards": "1000.00",
        "vouchers": "500.00",
    }


def test_order_api_with_idempotency_key_and_errors(account_a):
    account, owner = account_a
    workspace = make_workspace(account, commercial=True)
    fund_cash(account, "42000.00", timezone.now())
    client = APIClient()
    client.force_authenticate(owner)
    body = {**new_package([workspace]), "payment": {"cash": "42000.00"}}
    first = client.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    assert first.status_code == 201, first.content
    replay = client.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == first.json()["id"]
    assert first.json()["payment"] == {"cash": "42000.00", "prepaid_cards": [], "vouchers": []}
    listed = client.get("/api/v1/orders/").json()
    assert [order["id"] for order in listed["results"]] == [first.json()["id"]]
    assert (listed["next"], listed["previous"]) == (None, None)
    assert client.get(f"/api/v1/orders/{first.json()['id']}/").json()["total"] == "42000.00"
    off = client.post(
        "/api/v1/orders/",
        {"kind": "prepaid_card", "face_value": "100.00", "payment": {"cash": "99.99"}},
        format="json",
    )
    assert off.status_code == 400 and "payment" in off.json()["errors"]
    broke = client.post(
        "/api/v1/orders/",
        {"kind": "prepaid_card", "face_value": "100.00", "payment": {"cash": "100.00"}},
        format="json",
    )
    assert broke.status_code == 409 and broke.json()["codes"]["detail"] == ["insufficient_balance"]
    for bad in (
        {"kind": "bananas"},
        {"kind": "new_package", "plan": 5},
        {"kind": "upgrade", "subscription": "x"},
        [],
        {"kind": "new_package", "plan": "startup_acceleration", "workspaces": [{}]},
    ):
        response = client.post("/api/v1/orders/", bad, format="json")
        assert response.status_code == 400, (bad, response.content.decode())
        assert "errors" in response.json()


def test_admins_may_quote_but_not_buy(account_a, admin_user):
    account, _ = account_a
    workspace = make_workspace(account, commercial=True)
    client = APIClient()
    client.force_authenticate(admin_user)
    assert (
        client.post("/api/v1/orders/quote/", new_package([workspace]), format="json").status_code
        == 200
    )
    assert (
        client.post(
            "/api/v1/orders/", {**new_package([workspace]), "payment": {}}, format="json"
        ).status_code
        == 403
    )


def test_another_accounts_order_is_404(account_a, account_b):
    other, _ = account_b
    fund_cash(other, "100.00", timezone.now())
    order = place(
        other, {"kind": "prepaid_card", "face_value": "100.00"}, cash("100.00"), timezone.now()
    )
    client = APIClient()
    client.force_authenticate(account_a[1])
    assert client.get(f"/api/v1/orders/{order.pk}/").status_code == 404
    card = PrepaidCard.objects.get(order=order)
    mine = make_workspace(account_a[0], commercial=True)
    response = client.post(
        "/api/v1/orders/",
        {
            **new_package([mine]),
            "payment": {"prepaid_cards": [{"id": card.pk, "amount": "42000.00"}]},
        },
        format="json",
    )
    assert response.status_code == 404
    assert billing_day(timezone.now())
    assert LedgerEntry.objects.filter(prepaid_card=card, kind="order_payment").count() == 0
