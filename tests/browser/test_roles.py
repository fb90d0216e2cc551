"""Issue 13, point 4, in Chromium: a member lands on a page they can use and every menu link
opens; the 403 page leads back to a page that opens. And the owner's team management: add a
person (temporary password shown once), change a role, remove; the new person chooses their own
password at the first sign-in."""

import pytest

from tests.factories import PASSWORD, add_member, make_account, make_workspace
from workspaces.models import Membership, Role, User

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def team_account():
    account, owner = make_account(name="Roles Corp", owner="roles-owner")
    owner.email = "roles-owner@example.com"
    owner.save()
    make_workspace(account, name="Prod", commercial=True)
    make_workspace(account, name="Lab")
    return account, owner


def menu_links(page) -> list[str]:
    return page.eval_on_selector_all(
        "nav.mainnav a", "links => links.map(link => link.getAttribute('href'))"
    )


def every_link_opens(browser, links: list[str]) -> None:
    for link in links:
        response = browser.go(link)
        assert response.status == 200, link
        browser.snap(link.strip("/").replace("/", "-") or "home")


@pytest.mark.parametrize("role", [Role.MEMBER, Role.ADMIN, Role.OWNER])
def test_after_login_each_role_lands_on_a_page_and_every_menu_link_opens(pages, role):
    account, owner = team_account()
    user = owner if role == Role.OWNER else add_member(account, role=role, username=f"b-{role}")
    browser = pages(1280, prefix=f"roles-{role}")
    page = browser.page
    responses = []
    page.on("response", lambda response: responses.append(response))
    browser.login(user.username, PASSWORD)
    landing = [r for r in responses if r.url == browser.base + "/"][-1]
    assert landing.status == 200
    browser.snap("landing")
    links = menu_links(page)
    if role == Role.MEMBER:
        assert links == ["/", "/plans/"]
        assert "Prod" in page.inner_text("[data-testid=member-workspaces]")
        assert "roles-owner" in page.inner_text("[data-testid=billing-contacts]")
    else:
        assert {"/bills/", "/wallet/", "/ledger/", "/statements/", "/team/"} <= set(links)
    every_link_opens(browser, links)


def test_a_members_way_back_from_a_403_opens(pages):
    account, _ = team_account()
    member = add_member(account, role=Role.MEMBER, username="b-member")
    browser = pages(1280, prefix="roles-403")
    page = browser.page
    browser.login(member.username, PASSWORD)
    for path in ("/wallet/", "/bills/", "/ledger/", "/statements/", "/team/"):
        assert browser.go(path).status == 403, path
        browser.snap("refused")
        with page.expect_navigation() as back:
            page.click("text=Back to the Billing Center")
        assert back.value.status == 200
        assert page.url == browser.base + "/"


def test_the_owner_manages_the_team_and_the_new_person_chooses_a_password(pages):
    account, owner = team_account()
    browser = pages(1280, prefix="team")
    page = browser.page
    browser.login(owner.username, PASSWORD)
    page.click("[data-testid=nav-team]")
    page.wait_for_url(browser.base + "/team/")
    browser.snap("team")

    page.fill("#id_username", "new-analyst")
    page.fill("#id_email", "analyst@example.com")
    page.select_option("#id_role", "admin")
    page.click("text=Add to the team")
    page.wait_for_selector("[data-testid=temporary-password]")
    browser.snap("added")
    password = page.inner_text("[data-testid=temporary-password-value]").strip()
    assert len(password) >= 16
    assert Membership.objects.get(user__username="new-analyst").role == Role.ADMIN

    row = page.locator("tr[data-member='new-analyst']")
    row.locator("[data-testid=role-select]").select_option("member")
    row.locator("[data-testid=role-save]").click()
    page.wait_for_selector("text=new-analyst is now Member")
    assert Membership.objects.get(user__username="new-analyst").role == Role.MEMBER
    browser.snap("role-changed")

    # The last owner cannot leave.
    page.locator("tr[data-member='roles-owner'] [data-testid=remove-member]").click()
    page.wait_for_selector("text=An account always keeps an owner")
    browser.snap("last-owner")

    newcomer = pages(1280, prefix="team-newcomer")
    newcomer.go("/accounts/login/")
    newcomer.page.fill("#id_username", "new-analyst")
    newcomer.page.fill("#id_password", password)
    newcomer.page.click("button[type=submit]")
    newcomer.page.wait_for_url(newcomer.base + "/accounts/password/")
    newcomer.snap("choose-password")
    newcomer.page.fill("#id_old_password", password)
    newcomer.page.fill("#id_new_password1", "analyst-Own-pass-42")
    newcomer.page.fill("#id_new_password2", "analyst-Own-pass-42")
    newcomer.page.click("text=Save the password")
    newcomer.page.wait_for_url(newcomer.base + "/")
    assert "Who to ask about billing" in newcomer.page.content()
    newcomer.snap("member-home")
    assert User.objects.get(username="new-analyst").password_change_required is False

    page.locator("tr[data-member='new-analyst'] [data-testid=remove-member]").click()
    page.wait_for_selector("text=Removed from the team.")
    browser.snap("removed")
    assert not Membership.objects.filter(user__username="new-analyst").exists()
