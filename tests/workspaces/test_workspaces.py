"""Workspaces: create, owner-only upgrade of a free workspace, roles."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import make_workspace
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db


def test_new_workspace_is_free_and_active(owner_api):
    response = owner_api.post("/api/v1/workspaces/", {"name": "Payments"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["plan"], body["status"]) == ("Payments", "free", "active")


def test_owner_upgrades_a_free_workspace_to_commercial(owner_api, account_a):
    workspace = make_workspace(account_a[0])
    response = owner_api.post(f"/api/v1/workspaces/{workspace.pk}/upgrade/")
    assert response.status_code == 200
    assert response.json()["plan"] == "commercial"
    workspace.refresh_from_db()
    assert workspace.plan == "commercial"
    assert workspace.upgraded_by == account_a[1]
    assert workspace.upgraded_at is not None


@pytest.mark.parametrize("role_fixture", ["admin_user", "member_user"])
def test_only_owners_upgrade(request, account_a, role_fixture):
    workspace = make_workspace(account_a[0])
    client = APIClient()
    client.force_authenticate(request.getfixturevalue(role_fixture))
    response = client.post(f"/api/v1/workspaces/{workspace.pk}/upgrade/")
    assert response.status_code == 403
    assert response.json()["codes"]["detail"] == ["owner_required"]
    assert Workspace.objects.get(pk=workspace.pk).plan == "free"


def test_members_cannot_create_workspaces_or_read_the_account(member_user):
    client = APIClient()
    client.force_authenticate(member_user)
    assert client.post("/api/v1/workspaces/", {"name": "X"}, format="json").status_code == 403
    assert client.get("/api/v1/account/").status_code == 403
    assert client.get("/api/v1/workspaces/").status_code == 200


def test_admins_create_workspaces_and_read_the_account(admin_user):
    client = APIClient()
    client.force_authenticate(admin_user)
    assert client.post("/api/v1/workspaces/", {"name": "Ops"}, format="json").status_code == 201
    body = client.get("/api/v1/account/").json()
    assert body["role"] == "admin"
    assert (body["cash_balance"], body["arrears"], body["arrears_since"], body["lock_at"]) == (
        "0.00",
        "0.00",
        None,
        None,
    )


def test_upgrade_page_asks_for_confirmation_before_upgrading(account_a):
    account, owner = account_a
    workspace = make_workspace(account, name="Checkout")
    client = Client()
    client.force_login(owner)
    page = client.get(f"/workspaces/{workspace.pk}/upgrade/")
    assert page.status_code == 200
    assert "Confirm upgrade" in page.content.decode()
    assert Workspace.objects.get(pk=workspace.pk).plan == "free"
    done = client.post(f"/workspaces/{workspace.pk}/upgrade/", follow=True)
    assert "Checkout is now on the commercial plan." in done.content.decode()
    assert Workspace.objects.get(pk=workspace.pk).plan == "commercial"
    again = client.post(f"/workspaces/{workspace.pk}/upgrade/", follow=True)
    assert again.status_code == 200
    assert "already on the commercial plan" in again.content.decode()


def test_admin_cannot_open_the_upgrade_page(account_a, admin_user):
    workspace = make_workspace(account_a[0])
    client = Client()
    client.force_login(admin_user)
    assert client.get(f"/workspaces/{workspace.pk}/upgrade/").status_code == 403
    assert client.post(f"/workspaces/{workspace.pk}/upgrade/").status_code == 403


def test_workspace_form_keeps_what_was_typed_on_error(account_a):
    account, owner = account_a
    make_workspace(account, name="Taken")
    client = Client()
    client.force_login(owner)
    response = client.post("/workspaces/new/", {"name": "Taken"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "already has a workspace named" in html
    assert 'value="Taken"' in html
    created = client.post("/workspaces/new/", {"name": "Fresh"}, follow=True)
    assert "Workspace Fresh created." in created.content.decode()


@pytest.mark.parametrize(
    ("state", "expected"), [("arrears", "arrears"), ("locked", "locked"), ("clear", "active")]
)
def test_a_workspace_created_in_an_owing_or_locked_account_shows_the_accounts_state(
    owner_api, account_a, state, expected
):
    from django.utils import timezone

    from wallet.services.arrears import wallet_lock_workspaces, wallets_arrears_start
    from wallet.services.balances import wallet_lock

    account, _ = account_a
    make_workspace(account, name="there before")
    if state != "clear":
        wallets_arrears_start(wallets=[wallet_lock(account_id=account.pk)], since=timezone.now())
    if state == "locked":
        wallet_lock_workspaces(wallet=wallet_lock(account_id=account.pk), at=timezone.now())
    answer = owner_api.post("/api/v1/workspaces/", {"name": "created later"}, format="json")
    assert answer.status_code == 201
    assert answer.json()["status"] == expected
    listed = owner_api.get(f"/api/v1/workspaces/{answer.json()['id']}/")
    assert listed.json()["status"] == expected
