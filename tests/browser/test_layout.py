"""Layout on wide and narrow screens (issue 13, point 7): a long unbroken name wraps instead of
pushing buttons off the page, the header of a phone is one short row with the menu behind a
button (and the whole menu without JavaScript), a table wider than a phone scrolls inside its
card under a visible hint, and a right-to-left control character is refused in a name."""

import pytest
from django.utils import timezone

from tests.factories import PASSWORD, make_account, make_workspace
from wallet.services.balances import cash_credit
from wallet.services.instruments import prepaid_card_issue, voucher_issue
from workspaces.models import Workspace

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LONG_NAME = "W" * 100  # the longest name a workspace may have, without a space


def long_named_account():
    account, owner = make_account(name="Layout" + "X" * 60, owner="layout-owner")
    free = make_workspace(account, name=LONG_NAME)
    make_workspace(account, name="Y" * 99, commercial=True)
    return account, owner, free


def page_width(page) -> dict:
    return page.evaluate(
        "({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )


def right_edge(page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    return box["x"] + box["width"]


@pytest.mark.parametrize("width", [1280, 390])
def test_a_long_name_does_not_widen_the_home_page_or_the_purchase_page(pages, width):
    account, owner, free = long_named_account()
    browser = pages(width, prefix="long-name")
    page = browser.page
    browser.login(owner.username, PASSWORD)
    browser.snap("home")
    widths = page_width(page)
    assert widths["scroll"] <= widths["inner"], widths
    upgrade = f"tr[data-workspace='{free.pk}'] a[href$='/upgrade/']"
    assert page.is_visible(upgrade)
    assert right_edge(page, upgrade) <= widths["inner"]  # not pushed off by the name

    browser.go("/buy/")
    browser.snap("buy")
    widths = page_width(page)
    assert widths["scroll"] <= widths["inner"], widths
    button = f"#step-upgrade a[href*='/workspaces/{free.pk}/upgrade/']"
    assert right_edge(page, button) <= widths["inner"]


def test_the_header_of_a_phone_is_one_row_with_the_menu_behind_a_button(pages):
    account, owner, free = long_named_account()
    browser = pages(390, prefix="phone-header")
    page = browser.page
    browser.login(owner.username, PASSWORD)
    browser.snap("menu-closed")
    assert page.evaluate("document.querySelector('.topbar').offsetHeight") <= 64
    assert not page.is_visible("nav.mainnav a[href='/wallet/']")
    toggle = page.locator("[data-menu-toggle]")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    browser.snap("menu-open")
    assert toggle.get_attribute("aria-expanded") == "true"
    page.click("nav.mainnav a[href='/wallet/']")
    page.wait_for_url(browser.base + "/wallet/")
    assert page.evaluate("document.querySelector('.topbar').offsetHeight") <= 64  # closed again


def test_without_javascript_the_whole_menu_shows_and_the_header_scrolls_away(chromium, live_server):
    account, owner = make_account(name="No Script Corp", owner="noscript-owner")
    context = chromium.new_context(
        viewport={"width": 390, "height": 800}, java_script_enabled=False
    )
    page = context.new_page()
    try:
        page.goto(live_server.url + "/accounts/login/")
        page.fill("#id_username", owner.username)
        page.fill("#id_password", PASSWORD)
        page.click(".auth-card button[type=submit]")
        page.wait_for_url(live_server.url + "/")
        assert page.is_visible("nav.mainnav a[href='/wallet/']")
        assert not page.is_visible("[data-menu-toggle]")
        position = page.evaluate("getComputedStyle(document.querySelector('.topbar')).position")
        assert position == "static"
    finally:
        context.close()


def test_a_table_wider_than_a_phone_scrolls_in_its_card_under_a_hint(pages):
    account, owner = make_account(name="Ledger Corp", owner="ledger-owner")
    now = timezone.now()
    cash_credit(account_id=account.pk, amount="12345.67", reference="remittance 1", now=now)
    voucher_issue(account_id=account.pk, amount="300.00", now=now)
    prepaid_card_issue(account_id=account.pk, amount="5000", now=now)
    browser = pages(390, prefix="phone-table")
    page = browser.page
    browser.login(owner.username, PASSWORD)
    browser.go("/ledger/")
    browser.snap("ledger")
    widths = page_width(page)
    assert widths["scroll"] <= widths["inner"], widths  # the page itself does not scroll
    wrap = page.locator(".table-wrap").first
    assert wrap.evaluate("box => box.scrollWidth > box.clientWidth")  # the table scrolls
    hint = page.locator("[data-testid=scroll-hint]")
    assert hint.count() == 1 and hint.is_visible()
    assert hint.inner_text().startswith("Scroll sideways")
    page.set_viewport_size({"width": 1280, "height": 900})  # wide enough: the hint goes
    page.wait_for_function("document.querySelectorAll('[data-testid=scroll-hint]').length === 0")


def test_a_right_to_left_override_in_a_workspace_name_is_refused(pages):
    account, owner = make_account(name="Bidi Corp", owner="bidi-owner")
    browser = pages(1280, prefix="bidi")
    page = browser.page
    browser.login(owner.username, PASSWORD)
    browser.go("/workspaces/new/")
    page.fill("#id_name", "生产\u202e#12")
    page.click("section.card form button[type=submit]")
    page.wait_for_selector(".field-error")
    browser.snap("refused")
    assert "U+202E" in page.inner_text(".field-error")
    assert not Workspace.objects.filter(account=account).exists()
