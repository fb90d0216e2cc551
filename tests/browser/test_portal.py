"""The customer's journey in Chromium: upgrade, buy split three ways, reorder, read the bill."""

from decimal import Decimal

import pytest
from django.utils import timezone

from billing.services.nightly import deduction_run_day
from common.dates import ONE_DAY, billing_day
from orders.models import Order
from tests.factories import PASSWORD, add_member, make_account, make_workspace
from tests.quota.helpers import after, send, subscribe
from wallet.models import PrepaidCard, Voucher
from wallet.services.balances import cash_credit
from wallet.services.instruments import prepaid_card_issue, voucher_issue
from workspaces.models import Role, Workspace

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def in_chinese(pages, owner, prefix: str):
    """A browser logged in as `owner` that switched the portal to Simplified Chinese."""
    browser = pages(1280, prefix=prefix)
    browser.login(owner.username, PASSWORD)
    browser.page.select_option("[data-testid=language]", "zh-hans")
    browser.page.wait_for_selector("text=费用中心")
    return browser


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
    # no workspace yet: the quote answers an error, so the row shows its hint and no price
    page.wait_for_selector("#quote-box:has-text('Choose the workspaces')")
    assert page.inner_text(".pack-row .pack-price") == "min 1,000,000, step 1,000,000"
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
    assert page.inner_text(".pack-row .pack-price") == "¥36.00/day"  # priced by the quote
    assert page.input_value(f"input[name=voucher-{voucher.pk}]") == "1000.00"
    assert page.input_value(f"input[name=card-{card.pk}]") == "5000.00"
    assert page.input_value("input[name=cash]") == "49140.00"
    page.fill(f"input[name=card-{card.pk}]", "4000.00")  # an uneven split keeps Pay disabled …
    assert page.is_disabled("#pay-button")
    assert page.inner_text("#remaining") == "¥1,000.00"
    page.fill("input[name=cash]", "50000.00")
    assert page.inner_text("#remaining") == "¥140.00"
    page.fill("input[name=cash]", "50000.01")  # more than the cash balance: refused on the spot
    assert page.inner_text("#remaining") == "¥139.99" and page.is_disabled("#pay-button")
    assert page.inner_text("[data-testid=reason-cash]") == "The cash balance is ¥50,000.00."
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
    # the last hour of the day: Alpha was upgraded a moment ago and is billed from that hour on
    send(alpha, "logs", 40_000_000, today, retention=30, hour=23)  # 80,000,000 converted
    send(beta, "logs", 5_000_000, today, retention=14, hour=23)  # pool of 70,000,000
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
    assert page.locator("text=Continue to the confirmation").count() == 0
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
    browser = in_chinese(pages, owner, prefix="chinese")
    page = browser.page
    browser.snap("home")
    assert "现金余额" in page.inner_text("body")
    assert page.inner_text("[data-testid=cash-balance]") == "¥50,000.00"
    browser.go("/buy/")
    browser.snap("buy")
    assert "选择套餐" in page.inner_text("body")


def _quote_answers(page) -> list:
    """The responses of the quote endpoint that the page receives, in order."""
    answers = []

    def keep(response) -> None:
        if response.url.endswith("/api/v1/orders/quote/") and response.request.method == "POST":
            answers.append(response)

    page.on("response", keep)
    return answers


def test_each_pack_shows_the_daily_price_of_the_quote(pages):
    account, owner, card, voucher = funded_account()
    workspace = make_workspace(account, name="Packs", commercial=True)
    subscription = subscribe(account, [workspace], start=billing_day(timezone.now()))
    browser = pages(1280, prefix="pack-prices")
    page = browser.page
    browser.login(owner.username, PASSWORD)
    answers = _quote_answers(page)
    browser.go(f"/packages/{subscription.pk}/order/traffic_packs/")
    page.select_option(".pack-row .pack-item", "logs")
    assert page.inner_text(".pack-row .pack-price") == "min 1,000,000, step 1,000,000"
    page.fill(".pack-row .pack-capacity", "1500000")  # not a whole step: the hint, in red
    assert page.inner_text(".pack-row .pack-price") == "min 1,000,000, step 1,000,000"
    assert "danger" in page.get_attribute(".pack-row .pack-price", "class")
    page.fill(".pack-row .pack-capacity", "10000000")  # 10 × the minimum: 10 % off
    page.click("#add-pack")
    second = page.locator(".pack-row").nth(1)
    second.locator(".pack-item").select_option("backup_logs")
    second.locator(".pack-capacity").fill("300000000")  # 30 × the minimum: 20 % off
    page.wait_for_selector(".pack-row:nth-child(2) .pack-price:has-text('/day')")
    page.wait_for_selector(".pack-row:nth-child(1) .pack-price:has-text('/day')")
    browser.snap("priced")
    quote = [answer.json() for answer in answers if answer.ok][-1]  # the answer that is shown
    lines = {(line["item"], line["capacity"]): line for line in quote["lines"] if "item" in line}
    assert {key: line["unit_price"] for key, line in lines.items()} == {
        ("logs", 10_000_000): "13.50",  # 10 × ¥1.50 × 0.9
        ("backup_logs", 300_000_000): "48.00",  # 30 × ¥2 × 0.8
    }
    rows = page.locator(".pack-row")
    assert rows.nth(0).locator(".pack-price").inner_text() == "¥13.50/day"
    assert rows.nth(1).locator(".pack-price").inner_text() == "¥48.00/day"
    assert "danger" not in (rows.nth(0).locator(".pack-price").get_attribute("class") or "")
    # a changed capacity is not priced with the old quote: the hint until the next answer
    rows.nth(0).locator(".pack-capacity").fill("30000000")
    assert rows.nth(0).locator(".pack-price").inner_text() == "min 1,000,000, step 1,000,000"
    page.wait_for_selector(".pack-row:nth-child(1) .pack-price:has-text('¥36.00/day')")
    assert rows.nth(1).locator(".pack-price").inner_text() == "¥48.00/day"


def test_the_texts_of_the_scripts_follow_the_chinese_page(pages):
    account, owner, card, voucher = funded_account()
    first = make_workspace(account, name="First", commercial=True)
    second = make_workspace(account, name="Second", commercial=True)
    browser = in_chinese(pages, owner, prefix="chinese-scripts")
    page = browser.page

    browser.go("/buy/")
    page.check("input[name=plan][value=startup_acceleration]")
    page.select_option(".pack-row .pack-item", "logs")
    assert page.inner_text(".pack-row .pack-price") == "最少 1,000,000，步长 1,000,000"
    page.fill(".pack-row .pack-capacity", "30000000")
    page.click(f"#available-workspaces li[data-id='{first.pk}'] >> [data-move=add]")
    page.wait_for_selector(".pack-row .pack-price:has-text('¥36.00/天')")
    added = page.locator(f"#chosen-workspaces li[data-id='{first.pk}']")
    assert added.locator("[data-move=up]").get_attribute("aria-label") == "上移"
    assert added.locator("[data-move=down]").get_attribute("aria-label") == "下移"
    assert added.locator("[data-move=remove]").inner_text() == "移除"
    page.wait_for_selector("[data-testid=quote-total]")
    assert page.inner_text("#quote-box .total-row th") == "合计"
    assert page.inner_text("#pay-button").startswith("支付 ¥")
    added.locator("[data-move=remove]").click()
    back = page.locator(f"#available-workspaces li[data-id='{first.pk}'] [data-move=add]")
    assert back.inner_text() == "添加"
    browser.snap("buy")

    subscription = subscribe(account, [first, second], start=billing_day(timezone.now()))
    browser.go(f"/packages/{subscription.pk}/")
    page.click(f"#chosen-workspaces li[data-id='{second.pk}'] >> [data-move=remove]")
    moved = page.locator(f"#available-workspaces li[data-id='{second.pk}']")
    assert moved.locator("[data-move=add]").inner_text() == "添加"
    moved.locator("[data-move=add]").click()
    back = page.locator(f"#chosen-workspaces li[data-id='{second.pk}']")
    assert back.locator("[data-move=up]").get_attribute("aria-label") == "上移"
    assert back.locator("[data-move=remove]").inner_text() == "移除"
    assert page.input_value("#workspaces-field") == f"{first.pk},{second.pk}"
    browser.snap("package")
