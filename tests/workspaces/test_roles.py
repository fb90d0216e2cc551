"""Issue 13, point 4: every role lands on a page it can use, the menu offers only pages the role
may open, and the 403 page's way back leads somewhere that opens."""

import re

import pytest
from django.test import Client

from tests.factories import add_member, make_workspace
from workspaces.models import Role

pytestmark = pytest.mark.django_db

BILLING_PAGES = ["/bills/", "/wallet/", "/ledger/", "/statements/", "/orders/", "/invoices/"]


def menu_links(html: str) -> list[str]:
    nav = re.search(r'<nav class="mainnav".*?</nav>', html, re.S).group(0)
    return re.findall(r'href="([^"]+)"', nav)


@pytest.fixture
def signed_in(account_a):
    account, owner = account_a
    make_workspace(account, name="Prod", commercial=True)
    make_workspace(account, name="Lab")

    def client_for(role: str) -> Client:
        user = owner if role == Role.OWNER else add_member(account, role=role)
        client = Client()
        client.force_login(user)
        return client

    return client_for


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.MEMBER])
def test_every_role_lands_on_a_page_and_every_menu_link_opens(signed_in, role):
    client = signed_in(role)
    home = client.get("/")
    assert home.status_code == 200
    links = menu_links(home.content.decode())
    assert links and links[0] == "/"
    for link in links:
        assert client.get(link).status_code == 200, (role, link)


def test_the_menu_shows_each_role_what_it_may_open(signed_in):
    owner = menu_links(signed_in(Role.OWNER).get("/").content.decode())
    admin = menu_links(signed_in(Role.ADMIN).get("/").content.decode())
    member = menu_links(signed_in(Role.MEMBER).get("/").content.decode())
    assert "/buy/" in owner and "/team/" in owner
    assert "/buy/" not in admin and "/team/" in admin
    assert set(BILLING_PAGES) <= set(owner) and set(BILLING_PAGES) <= set(admin)
    assert member == ["/", "/plans/"]


def test_a_members_home_shows_the_workspaces_and_whom_to_ask(signed_in, account_a):
    account, owner = account_a
    owner.email = "boss@example.com"
    owner.save()
    html = signed_in(Role.MEMBER).get("/").content.decode()
    assert "Prod" in html and "Lab" in html
    assert "Who to ask about billing" in html and "boss@example.com" in html
    assert "Cash balance" not in html and "Buy a package" not in html


@pytest.mark.parametrize("path", [*BILLING_PAGES, "/buy/", "/team/", "/alerts/"])
def test_a_member_refused_a_billing_page_is_led_back_to_a_page_that_opens(signed_in, path):
    client = signed_in(Role.MEMBER)
    refused = client.get(path)
    assert refused.status_code == 403
    back = re.search(
        r'<a class="btn" href="([^"]+)">Back to the Billing Center</a>', refused.content.decode()
    ).group(1)
    assert client.get(back).status_code == 200


def test_the_member_home_in_chinese(signed_in):
    html = signed_in(Role.MEMBER).get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "费用中心" in html


@pytest.mark.parametrize(
    ("path", "title"), [("/team/", "团队"), ("/wallet/alert/", "余额不足提醒"), ("/", "团队")]
)
def test_the_team_and_alert_pages_in_chinese(signed_in, path, title):
    html = signed_in(Role.OWNER).get(path, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert title in html
    for english in ("Add to the team", "Recent changes", "Balance to watch", ">Team<"):
        assert english not in html
