"""A user sees only their own account: every object of another account answers 404."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import add_member, make_workspace
from workspaces.models import Role, Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_accounts(account_a, account_b):
    mine = make_workspace(account_a[0], name="Mine")
    theirs_free = make_workspace(account_b[0], name="Theirs free")
    theirs_commercial = make_workspace(account_b[0], name="Theirs commercial", commercial=True)
    return account_a, account_b, mine, [theirs_free, theirs_commercial]


def test_api_lists_only_the_users_workspaces(two_accounts):
    (account, owner), _, mine, theirs = two_accounts
    client = APIClient()
    client.force_authenticate(owner)
    ids = [workspace["id"] for workspace in client.get("/api/v1/workspaces/").json()]
    assert ids == [mine.pk]


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.MEMBER])
def test_api_answers_404_for_every_workspace_of_another_account(two_accounts, role):
    (account, owner), _, _, theirs = two_accounts
    user = owner if role == Role.OWNER else add_member(account, role=role)
    client = APIClient()
    client.force_authenticate(user)
    for workspace in theirs:
        for method, path in [
            ("get", f"/api/v1/workspaces/{workspace.pk}/"),
            ("post", f"/api/v1/workspaces/{workspace.pk}/upgrade/"),
        ]:
            response = getattr(client, method)(path)
            assert response.status_code == 404, (role, method, path, response.content)
    assert Workspace.objects.get(pk=theirs[0].pk).plan == "free"


def test_api_account_header_for_another_account_is_404(two_accounts):
    (_, owner), (other, _), _, _ = two_accounts
    client = APIClient()
    client.force_authenticate(owner)
    assert client.get("/api/v1/account/", HTTP_X_BILLING_ACCOUNT=str(other.pk)).status_code == 404
    assert (
        client.get("/api/v1/workspaces/", HTTP_X_BILLING_ACCOUNT=str(other.pk)).status_code == 404
    )


def test_api_account_header_chooses_among_the_users_accounts(two_accounts):
    (account, owner), (other, _), _, theirs = two_accounts
    add_member_user = add_member(account, role=Role.ADMIN)
    from workspaces.models import Membership

    Membership.objects.create(account=other, user=add_member_user, role=Role.MEMBER)
    client = APIClient()
    client.force_authenticate(add_member_user)
    ids = {
        w["id"]
        for w in client.get("/api/v1/workspaces/", HTTP_X_BILLING_ACCOUNT=str(other.pk)).json()
    }
    assert ids == {workspace.pk for workspace in theirs}


def test_pages_answer_404_for_another_accounts_workspace(two_accounts):
    (_, owner), _, mine, theirs = two_accounts
    client = Client()
    client.force_login(owner)
    for workspace in theirs:
        assert client.get(f"/workspaces/{workspace.pk}/upgrade/").status_code == 404
        assert client.post(f"/workspaces/{workspace.pk}/upgrade/").status_code == 404
    assert Workspace.objects.get(pk=theirs[0].pk).plan == "free"
    page = client.get("/").content.decode()
    assert "Mine" in page
    assert "Theirs" not in page


def test_switching_to_an_account_the_user_is_not_in_is_404(two_accounts):
    (_, owner), (other, _), _, _ = two_accounts
    client = Client()
    client.force_login(owner)
    assert client.post("/account/switch/", {"account": other.pk}).status_code == 404
    assert client.post("/account/switch/", {"account": "junk"}).status_code == 404


def test_user_without_any_account_gets_404_from_account_api(db):
    from tests.factories import UserFactory

    client = APIClient()
    client.force_authenticate(UserFactory())
    assert client.get("/api/v1/account/").status_code == 404
    assert client.get("/api/v1/workspaces/").status_code == 404
