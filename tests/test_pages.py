"""Server-rendered pages: login, home, plan catalog, roles."""

import pytest
from django.test import Client

from tests.factories import make_workspace

pytestmark = pytest.mark.django_db


def test_anonymous_home_redirects_to_login():
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_login_with_wrong_password_keeps_the_username(account_a):
    response = Client().post(
        "/accounts/login/", {"username": account_a[1].username, "password": "nope"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please enter a correct username and password" in html
    assert f'value="{account_a[1].username}"' in html


def test_login_then_home_then_logout(account_a, password):
    account, owner = account_a
    make_workspace(account, name="Prod", commercial=True)
    make_workspace(account, name="Lab")
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": owner.username, "password": password}, follow=True
    )
    html = response.content.decode()
    assert "Alpha Corp" in html
    assert "¥0.00" in html
    assert "Prod" in html and "Lab" in html
    assert "Upgrade to commercial" in html
    assert "Buy a package" in html
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_plan_catalog_shows_three_plans_with_their_values(account_a):
    client = Client()
    client.force_login(account_a[1])
    html = client.get("/plans/").content.decode()
    for text in [
        "Startup Acceleration Package",
        "Growth Development Package",
        "Enterprise Standard Package",
        "¥42,000.00",
        "¥280,000.00",
        "¥510,000.00",
        "¥194.00",
        "¥1,390.00",
        "¥2,740.00",
        "¥72,168.00",
        "¥517,080.00",
        "¥1,019,280.00",
        "¥30,168.00",
        "40,000,000",
    ]:
        assert text in html, text


def test_admin_sees_billing_but_no_buy_or_upgrade_buttons(account_a, admin_user):
    make_workspace(account_a[0], name="Lab")
    client = Client()
    client.force_login(admin_user)
    html = client.get("/").content.decode()
    assert "Alpha Corp" in html
    assert "Buy a package" not in html
    assert "Upgrade to commercial" not in html


def test_member_is_refused_billing_pages(member_user):
    client = Client()
    client.force_login(member_user)
    assert client.get("/").status_code == 200  # a member's home (issue 13, point 4)
    response = client.get("/wallet/")
    assert response.status_code == 403
    assert "no access to billing" in response.content.decode()


def test_unknown_page_is_a_friendly_404(account_a):
    client = Client()
    client.force_login(account_a[1])
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "belongs to another account" in response.content.decode()


@pytest.mark.parametrize(
    "path", ["/", "/plans/", "/wallet/", "/bills/", "/ledger/", "/statements/", "/alerts/", "/buy/"]
)
def test_pages_render_in_simplified_chinese(account_a, path):
    client = Client()
    client.force_login(account_a[1])
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    response = client.get(path)
    assert response.status_code == 200, path
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "费用中心" in html and "退出登录" in html


def test_home_in_chinese_shows_balances_in_yuan(account_a):
    client = Client()
    client.force_login(account_a[1])
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "现金余额" in html and "¥0.00" in html


def test_api_errors_follow_the_requested_language(account_a):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(account_a[1])
    response = client.post("/api/v1/workspaces/999999/upgrade/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 404
    body = client.post(
        "/api/v1/orders/quote/",
        {"kind": "prepaid_card", "face_value": "150.00"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).json()
    assert body == {
        "errors": {"face_value": ["储值卡面额须为 ¥100 的整数倍。"]},
        "codes": {"face_value": ["invalid_face_value"]},
    }
