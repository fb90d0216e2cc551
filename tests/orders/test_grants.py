"""Operators' grants: a package given in admin is an order of kind `grant` through the checkout,
¥0.00 without a ledger entry or a price paid from cash, with its reason and the operator."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from common.exceptions import InvalidInput
from orders.models import Order
from orders.requests import order_request_parse
from orders.services.grants import order_grant
from quota.services.subscriptions import PackRequest
from tests.factories import UserFactory, make_account, make_workspace
from tests.orders.helpers import at, fund_cash
from wallet.models import LedgerEntry, Wallet

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 2)


@pytest.fixture
def operator():
    return UserFactory(is_staff=True, is_superuser=True)


def _grant_startup(account, workspace, operator, price="0.00"):
    return order_grant(
        account=account,
        granted_kind="new_package",
        plan_code="startup_acceleration",
        workspace_ids=(workspace.pk,),
        price=price,
        reason="pilot customer",
        actor=operator,
        now=at(DAY),
    )


def test_a_free_grant_is_an_order_of_kind_grant_with_no_ledger_entry(operator):
    account, _owner = make_account()
    workspace = make_workspace(account, commercial=True)
    order = _grant_startup(account, workspace, operator)
    assert (order.kind, order.total, order.created_by) == ("grant", Decimal("0.00"), operator)
    assert order.request["grant"] == {
        "kind": "new_package",
        "price": "0.00",
        "reason": "pilot customer",
    }
    amounts = list(order.lines.order_by("position").values_list("amount", flat=True))
    assert amounts == [Decimal("42000.00"), Decimal("-42000.00")]
    assert order.subscription.account == account
    assert not LedgerEntry.objects.filter(order=order).exists()
    assert not LedgerEntry.objects.filter(account=account).exists()


def test_a_priced_grant_of_traffic_packs_is_paid_from_cash_through_the_checkout(operator):
    account, _owner = make_account()
    workspace = make_workspace(account, commercial=True)
    subscription = _grant_startup(account, workspace, operator).subscription
    fund_cash(account, "100.00", at(DAY, 8))
    order = order_grant(
        account=account,
        granted_kind="traffic_packs",
        subscription_id=subscription.pk,
        traffic_packs=(PackRequest(item_code="logs", capacity=10_000_000),),
        price="30.00",
        reason="goodwill, half price",
        actor=operator,
        now=at(DAY),
    )
    assert (order.kind, order.total, order.subscription) == (
        "grant",
        Decimal("30.00"),
        subscription,
    )
    entry = LedgerEntry.objects.get(order=order)
    assert (entry.kind, entry.amount, entry.actor) == ("order_payment", Decimal("-30.00"), operator)
    assert Wallet.objects.get(account=account).cash_balance == Decimal("70.00")
    assert subscription.traffic_packs.count() == 1


def test_a_grant_costs_at_most_its_list_price_and_needs_a_reason(operator):
    account, _owner = make_account()
    workspace = make_workspace(account, commercial=True)
    with pytest.raises(InvalidInput) as above:
        _grant_startup(account, workspace, operator, price="42000.01")
    assert above.value.code == "grant_price_out_of_range"
    with pytest.raises(InvalidInput) as no_reason:
        order_grant(
            account=account,
            granted_kind="new_package",
            plan_code="startup_acceleration",
            workspace_ids=(workspace.pk,),
            price="0.00",
            reason="  ",
            actor=operator,
            now=at(DAY),
        )
    assert no_reason.value.code == "no_reason"
    assert not Order.objects.exists()


def test_customers_cannot_order_a_grant():
    with pytest.raises(InvalidInput) as refused:
        order_request_parse({"kind": "grant"})
    assert refused.value.code == "unknown_kind"


def test_the_grant_page_places_a_grant_shown_in_the_customers_order_history(operator):
    account, owner = make_account()
    workspace = make_workspace(account, commercial=True)
    admin_client = Client()
    admin_client.force_login(operator)
    form = {
        "account": account.pk,
        "kind": "new_package",
        "plan": "",
        "workspaces": str(workspace.pk),
        "price": "0.00",
        "reason": "pilot customer",
    }
    from packages.models import Plan

    form["plan"] = Plan.objects.get(code="startup_acceleration").pk
    response = admin_client.post(reverse("admin:orders_order_add"), form)
    assert response.status_code == 302
    order = Order.objects.get(account=account)
    assert (order.kind, order.created_by, order.total) == ("grant", operator, Decimal("0.00"))
    customer = Client()
    customer.force_login(owner)
    history = customer.get("/orders/")
    assert history.status_code == 200
    assert f"/orders/{order.pk}/" in history.content.decode()
    subscription_page = admin_client.get(
        reverse("admin:quota_subscription_change", args=[order.subscription_id])
    )
    assert "Grant an upgrade" in subscription_page.content.decode()
