"""Django admin as the operators' console: nothing money depends on is edited by hand, amounts
are formatted, the ledger lists newest first, and the account page links to everything."""

import pytest
from django.test import Client
from django.urls import reverse

from common.money import format_cny
from demo.seed import DEMO_ACCOUNT, demo_seed
from tests.factories import UserFactory
from wallet.models import LedgerEntry, Wallet
from workspaces.models import Account, Membership, Role, Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    demo_seed()
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def demo_account():
    return Account.objects.get(name=DEMO_ACCOUNT)


def _inline_post(account: Account, **workspace_changes) -> dict:
    """The account page's form as sent back, with changes to its first workspace row."""
    memberships = list(account.memberships.order_by("pk"))
    workspaces = list(account.workspaces.order_by("pk"))
    data = {
        "name": account.name,
        "memberships-TOTAL_FORMS": len(memberships),
        "memberships-INITIAL_FORMS": len(memberships),
        "workspaces-TOTAL_FORMS": len(workspaces),
        "workspaces-INITIAL_FORMS": len(workspaces),
    }
    for index, membership in enumerate(memberships):
        prefix = f"memberships-{index}-"
        data |= {
            f"{prefix}id": membership.pk,
            f"{prefix}account": account.pk,
            f"{prefix}user": membership.user_id,
            f"{prefix}role": membership.role,
        }
    for index, workspace in enumerate(workspaces):
        prefix = f"workspaces-{index}-"
        data |= {f"{prefix}id": workspace.pk, f"{prefix}account": account.pk}
        data[f"{prefix}name"] = workspace.name
        if index == 0:
            data |= {f"{prefix}{key}": value for key, value in workspace_changes.items()}
    return data


def test_changing_a_plan_in_the_account_page_inline_is_not_possible_and_no_500(
    operator, demo_account
):
    free = demo_account.workspaces.order_by("pk").first()
    url = reverse("admin:workspaces_account_change", args=[demo_account.pk])
    response = operator.post(url, _inline_post(demo_account, plan="commercial", status="locked"))
    assert response.status_code == 302
    free.refresh_from_db()
    before = Workspace.objects.get(pk=free.pk)
    assert (before.plan, before.status) == (free.plan, free.status)
    assert free.status != "locked"


def test_a_workspace_keeps_its_account_and_its_status_is_not_set_by_hand(operator, demo_account):
    workspace = demo_account.workspaces.order_by("pk").first()
    other = Account.objects.exclude(pk=demo_account.pk).first()
    url = reverse("admin:workspaces_workspace_change", args=[workspace.pk])
    response = operator.post(url, {"name": "Renamed", "account": other.pk, "status": "locked"})
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert (workspace.name, workspace.account_id, workspace.status) == (
        "Renamed",
        demo_account.pk,
        "active",
    )


def test_the_owner_membership_is_not_deleted_and_the_last_owner_not_demoted(operator, demo_account):
    owner = Membership.objects.get(account=demo_account, role=Role.OWNER)
    delete = reverse("admin:workspaces_membership_delete", args=[owner.pk])
    assert operator.post(delete, {"post": "yes"}).status_code == 403
    change = reverse("admin:workspaces_membership_change", args=[owner.pk])
    response = operator.post(change, {"role": Role.MEMBER})
    assert response.status_code == 200
    assert "An account keeps an owner" in response.content.decode()
    data = _inline_post(demo_account)
    index = list(demo_account.memberships.order_by("pk")).index(owner)
    account_page = reverse("admin:workspaces_account_change", args=[demo_account.pk])
    deleted = operator.post(account_page, {**data, f"memberships-{index}-DELETE": "on"})
    assert "An owner&#x27;s membership is not deleted" in deleted.content.decode()
    demoted = operator.post(account_page, {**data, f"memberships-{index}-role": Role.ADMIN})
    assert "An account keeps an owner" in demoted.content.decode()
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


def test_the_ledger_lists_newest_first_with_formatted_amounts(operator, demo_account):
    response = operator.get(reverse("admin:wallet_ledgerentry_changelist"))
    shown = list(response.context["cl"].result_list)
    newest = LedgerEntry.objects.order_by("-created_at", "-pk").first()
    assert shown[0] == newest
    assert format_cny(newest.amount) in response.content.decode()


def test_credit_cash_is_named_on_the_wallet_list_and_the_account_page(operator, demo_account):
    wallets = operator.get(reverse("admin:wallet_wallet_changelist")).content.decode()
    assert "Credit cash (bank remittance)" in wallets
    assert "Add wallet" not in wallets
    wallet = Wallet.objects.get(account=demo_account)
    assert format_cny(wallet.cash_balance) in wallets
    page = operator.get(reverse("admin:workspaces_account_change", args=[demo_account.pk]))
    text = page.content.decode()
    assert "Credit cash (bank remittance)" in text
    assert f"{reverse('admin:wallet_wallet_add')}?account={demo_account.pk}" in text
    credit = operator.get(reverse("admin:wallet_wallet_add"), {"account": demo_account.pk})
    assert credit.context["form"].initial["account"] == str(demo_account.pk)


def test_the_account_page_shows_balances_and_links_to_every_record(operator, demo_account):
    page = operator.get(reverse("admin:workspaces_account_change", args=[demo_account.pk]))
    text = page.content.decode()
    wallet = Wallet.objects.get(account=demo_account)
    assert f"cash {format_cny(wallet.cash_balance)}" in text
    assert f"arrears {format_cny(wallet.arrears)}" in text
    assert reverse("admin:wallet_wallet_change", args=[wallet.pk]) in text
    for name in (
        "workspaces_workspace",
        "quota_subscription",
        "orders_order",
        "quota_dailybill",
        "quota_billadjustment",
        "wallet_ledgerentry",
        "wallet_voucher",
        "wallet_prepaidcard",
        "wallet_refund",
        "invoices_invoicerequest",
    ):
        link = f"{reverse(f'admin:{name}_changelist')}?account__id__exact={demo_account.pk}"
        assert link in text, name
        assert operator.get(link).status_code == 200, name
