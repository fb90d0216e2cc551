"""Django admin: every registered model's list, search, filters and forms answer without error."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from demo.seed import demo_seed
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client():
    demo_seed()
    user = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client


def test_every_model_has_a_working_changelist_search_and_add_page(operator_client):
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert operator_client.get(changelist).status_code == 200, changelist
        if model_admin.search_fields:
            assert operator_client.get(changelist, {"q": "demo"}).status_code == 200, changelist
        add = operator_client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
        assert add.status_code in (200, 403), meta.label
        first = model.objects.order_by("pk").first()
        if first is not None:
            change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk])
            assert operator_client.get(change).status_code == 200, change


def test_catalog_models_are_registered():
    registered = {model._meta.label for model in admin.site._registry}
    assert {
        "packages.BillingItem",
        "packages.RetentionTier",
        "packages.Plan",
        "packages.PlanQuota",
        "packages.TrafficPackSpec",
        "packages.TrafficDiscountTier",
        "packages.VoucherGrantTier",
        "workspaces.Account",
        "workspaces.Membership",
        "workspaces.Workspace",
        "workspaces.User",
        "wallet.Wallet",
        "django_celery_beat.PeriodicTask",
    } <= registered


def test_admin_action_upgrades_free_workspaces(operator_client):
    from workspaces.models import Workspace

    free = list(Workspace.objects.filter(plan="free").values_list("pk", flat=True))
    response = operator_client.post(
        reverse("admin:workspaces_workspace_changelist"),
        {"action": "upgrade_to_commercial", "_selected_action": free},
        follow=True,
    )
    assert response.status_code == 200
    assert not Workspace.objects.filter(pk__in=free, plan="free").exists()


def test_operators_grant_a_subscription_through_the_grant_form(operator_client):
    from quota.models import Subscription
    from workspaces.models import Account, Workspace

    account = Account.objects.get(name="Other Corp")
    workspace = Workspace.objects.get(account=account)
    url = reverse("admin:orders_order_add")
    form = {
        "account": account.pk,
        "kind": "new_package",
        "plan": 1,
        "workspaces": "999999",
        "traffic_packs": "",
        "price": "0.00",
        "reason": "pilot",
    }
    refused = operator_client.post(url, form)
    assert refused.status_code == 200
    assert "No such workspace in this account" in refused.content.decode()
    assert not Subscription.objects.filter(account=account).exists()
    created = operator_client.post(
        url, {**form, "workspaces": str(workspace.pk), "traffic_packs": "logs 30000000"}
    )
    subscription = Subscription.objects.get(account=account)
    assert created.status_code == 302
    assert subscription.orders.get().kind == "grant"
    assert subscription.traffic_packs.get().daily_price == 36


def test_operators_credit_cash_with_a_reference(operator_client):
    from wallet.models import LedgerEntry
    from workspaces.models import Account

    account = Account.objects.get(name="Other Corp")
    url = reverse("admin:wallet_wallet_add")
    response = operator_client.post(
        url, {"account": account.pk, "amount": "250.00", "reference": "BANK-42"}
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(account=account, kind="cash_credit")
    assert (entry.amount, entry.reference) == (250, "BANK-42")
