"""The customer's journey in Chromium: upgrade, buy split three ways, reorder, read the bill."""

from decimal import Decimal

import pytest
from django.utils import timezone

from common.dates import ONE_DAY, billing_day
from orders.models import Order, PrepaidCard, Voucher
from orders.services.wallet import cash_credit, prepaid_card_issue, voucher_issue
from quota.services import deduction_run_day
from tests.factories import PASSWORD, add_member, make_account, make_workspace
from tests.quota.helpers import after, send, subscribe
from workspaces.models import Role, Workspace

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def funded_account():
    account, owner = make_account(name="Browser Corp", owner="browser-owner")
    now = timezone.now()
    cash_credit(account_id=account.pk, amount="50000.00", reference="remit", now=now)
    card = prepaid_card_issue(account_id=account.pk, amount="5000", now=now)
    voucher = voucher_issue(account_id=account.pk, amount="1000.00", now=now)
    return account, owner, card, voucher


def test_buy_a_package_split_three_ways_then_reorder_and_read_the_bill(pages):
    account, owner, card, voucher = funded_account()
    alpha = make_workspace(account, name="Alpha")  # free: upgraded in the flow
    beta = make_workspace(account, name="Beta", commercial=True)
    browser = pages(1280, prefix="journey")
    page = browser.page
    browser.login(owner.username, PASSWORD)
    browser.snap("home")
    assert "¥50,000.00" in page.inner_text("[data-testid=cash-balance]")

    # 1. upgrade the free workspace
    page.click(f"tr[data-workspace='{alpha.pk}'] >> text=Upgrade to commercial")
    browser.snap("upgrade-confirm")
    page.click("text=Confirm upgrade")
    page.wait_for_url(browser.base + "/")
    assert Workspace.objects.get(pk=alpha.pk).plan == "commercial"

    # 2-4. plan, traffic pack with its live price, workspaces in a chosen order
    browser.go("/buy/")
    page.check("input[name=plan][value=startup_acceleration]")
    page.select_option(".pack-row .pack-item", "logs")
    page.fill(".pack-row .pack-capacity", "30000000")
    assert page.inner_text(".pack-row .pack-price") == "¥36.00/day (−20 %)"
    page.click(f"#available-workspaces li[data-id='{beta.pk}'] >> text=Add")
    page.click(f"#available-workspaces li[data-id='{alpha.pk}'] >> text=Add")
    chosen = page.locator("#chosen-workspaces .ws-item")
    assert chosen.nth(0).get_attribute("data-id") == str(beta.pk)
    page.locator(f"#chosen-workspaces li[data-id='{alpha.pk}'] .handle").drag_to(
        page.locator(f"#chosen-workspaces li[data-id='{beta.pk}']"),
        target_position={"x": 20, "y": 2},
    )  # dragged above Beta: Alpha first
    assert page.input_value("#workspaces-field") == f"{alpha.pk},{beta.pk}"

    # 5. the live quote, 6. the suggested split: voucher, card, then cash
    page.wait_for_selector("[data-testid=quote-total]:has-text('¥55,140.00')")
    assert page.input_value(f"input[name=voucher-{voucher.pk}]") == "1000.00"
    assert page.input_value(f"input[name=card-{card.pk}]") == "5000.00"
    assert page.input_value("input[name=cash]") == "49140.00"
    page.fill(f"input[name=card-{card.pk}]", "4000.00")  # an uneven split keeps Pay disabled …
    assert page.is_disabled("#pay-button")
    assert page.inner_text("#remaining") == "¥1,000.00"
    page.fill("input[name=cash]", "50000.00")
    assert page.inner_text("#remaining") == "¥140.00"
    page.fill("input[name=cash]", "50000.01")  # more than the cash balance: refused on the spot
    assert page.inner_text("#remaining") == "—" and page.is_disabled("#pay-button")
    page.fill("input[name=cash]", "50000.00")
    page.fill(f"input[name=card-{card.pk}]", "4140.00")  # … until it adds up
    assert page.inner_text("#remaining") == "¥0.00"
    assert page.is_enabled("#pay-button")
    browser.snap("buy-ready")
    page.click("#pay-button")
    page.wait_for_url("**/orders/*/")
    browser.snap("order")
    assert page.inner_text("[data-testid=order-total]") == "¥55,140.00"
    payment = page.inner_text("[data-testid=order-payment]")
    assert "¥50,000.00" in payment and "¥4,140.00" in payment and "¥1,000.00" in payment
    order = Order.objects.get(account=account)
    assert (order.total, order.kind) == (Decimal("55140.00"), "new_package")
    assert PrepaidCard.objects.get(pk=card.pk).balance == Decimal("860.00")
    assert Voucher.objects.get(pk=voucher.pk).balance == Decimal("0.00")

    # the package page; reorder: Beta first from tomorrow, today keeps Alpha first
    page.click("text=Manage the package")
    browser.snap("package")
    page.click(f"#chosen-workspaces li[data-id='{beta.pk}'] >> [data-move=up]")
    page.click("[data-testid=save-order]")
    page.wait_for_selector("[data-testid=pending-order]")
    browser.snap("package-reordered")
    today = billing_day(timezone.now())
    assert f"applies from {today + ONE_DAY}" in page.inner_text(".messages")
    assert page.inner_text("[data-testid=current-order]").split() == ["Alpha", "Beta"]

    # a day's deduction; the bill shows what the plan and the pack covered and what was charged
    send(alpha, "logs", 40_000_000, today, retention=30)  # 80,000,000 converted: pool 70,000,000
    send(beta, "logs", 5_000_000, today, retention=14)
    deduction_run_day(day=today, now=after(today))
    browser.go(f"/bills/?date_from={today}&date_to={today}")
    browser.snap("bills")
    alpha_bill = page.locator("[data-testid=bill][data-workspace='Alpha']")
    assert alpha_bill.locator("[data-testid=plan-covered]").inner_text() == "40,000,000"
    assert alpha_bill.locator("[data-testid=traffic-covered]").inner_text() == "30,000,000"
    assert alpha_bill.locator("[data-testid=bill-total]").inner_text() == "¥15.00"
    beta_bill = page.locator("[data-testid=bill][data-workspace='Beta']")
    assert beta_bill.locator("[data-testid=bill-total]").inner_text() == "¥7.50"


def test_a_double_click_on_pay_buys_once(pages):
    account, owner, card, voucher = funded_account()
    workspace = make_workspace(account, name="Solo", commercial=True)
    browser = pages(1280, prefix="double")
    page = browser.page
    browser.login(owner.username, PASSWORD)
    browser.go("/buy/")
    page.check("input[name=plan][value=startup_acceleration]")
    page.click(f"#available-workspaces li[data-id='{workspace.pk}'] >> text=Add")
    page.wait_for_selector("[data-testid=quote-total]:has-text('¥42,000.00')")
    page.dblclick("#pay-button")
    page.wait_for_url("**/orders/*/")
    page.go_back()
    page.wait_for_load_state("networkidle")
    assert Order.objects.filter(account=account).count() == 1


def test_an_admin_sees_billing_without_buy_or_pay_buttons(pages):
    account, owner, card, voucher = funded_account()
    admin = add_member(account, role=Role.ADMIN, username="browser-admin")
    browser = pages(1280, prefix="admin")
    page = browser.page
    browser.login(admin.username, PASSWORD)
    browser.snap("home")
    assert page.locator("[data-testid=buy-entry]").count() == 0
    browser.go("/wallet/")
    browser.snap("wallet")
    assert page.locator("text=Buy and pay with cash").count() == 0
    assert browser.go("/buy/").status == 403
    browser.snap("buy-refused")


@pytest.mark.parametrize("width", [390])
def test_every_page_renders_on_a_phone(pages, width):
    account, owner, card, voucher = funded_account()
    workspace = make_workspace(account, name="Phone", commercial=True)
    yesterday = billing_day(timezone.now()) - ONE_DAY
    subscription = subscribe(
        account, [workspace], start=yesterday - 5 * ONE_DAY, packs=[("logs", 1_000_000)]
    )
    send(workspace, "logs", 45_000_000, yesterday, retention=14)
    deduction_run_day(day=yesterday, now=after(yesterday))
    browser = pages(width, prefix="phone")
    browser.login(owner.username, PASSWORD)
    for name, path in [
        ("home", "/"),
        ("buy", "/buy/"),
        ("bills", "/bills/"),
        ("wallet", "/wallet/"),
        ("ledger", "/ledger/"),
        ("statements", "/statements/"),
        ("alerts", "/alerts/"),
        ("plans", "/plans/"),
        ("package", f"/packages/{subscription.pk}/"),
    ]:
        assert browser.go(path).status == 200, path
        browser.snap(name)
        assert browser.page.evaluate("document.documentElement.scrollWidth") <= width + 1, name


def test_the_language_switcher_renders_the_chinese_pages(pages):
    account, owner, card, voucher = funded_account()
    browser = pages(1280, prefix="chinese")
    page = browser.page
    browser.login(owner.username, PASSWORD)
    page.select_option("[data-testid=language]", "zh-hans")
    page.wait_for_selector("text=费用中心")
    browser.snap("home")
    assert "现金余额" in page.inner_text("body")
    assert page.inner_text("[data-testid=cash-balance]") == "¥50,000.00"
    browser.go("/buy/")
    browser.snap("buy")
    assert "选择套餐" in page.inner_text("body")
