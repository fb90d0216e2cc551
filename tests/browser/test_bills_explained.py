"""Issue 13, point 5, in Chromium: bills that can be checked by hand. A unit price names its unit,
each charge shows the formula that gives its amount, the page of 30 bills opens on a summary
with the bills collapsed, labels say "package #N" and "workspace «name»", each workspace of a
shared package sees what it used, and the charts show a day's value on a tap at 390 px."""

import pytest
from django.utils import timezone

from billing.services.nightly import deduction_run_day
from common.dates import ONE_DAY, billing_day
from tests.browser.conftest import Pages
from tests.factories import PASSWORD, make_account, make_workspace
from tests.quota.helpers import after, send, subscribe

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PACKAGE_DAYS = 14
MAX_PAGE_HEIGHT = 4500  # px at 1280 wide; the 30 bills opened one under the other made 8,700+


@pytest.fixture
def touch_pages(chromium, live_server, request):
    """A phone: 390 px wide, with a touch screen (page.tap)."""

    def open_page(prefix: str) -> Pages:
        context = chromium.new_context(
            viewport={"width": 390, "height": 844}, locale="en-US", has_touch=True, is_mobile=True
        )
        request.addfinalizer(context.close)
        return Pages(context.new_page(), live_server.url, prefix)

    return open_page


def thirty_bills():
    """Alpha then Beta share a Startup package for 14 billed days (28 bills): Alpha 50,000,000
    logs a day (40,000,000 covered, ¥15.00), Beta 1,234,567 (all over: 1.23 units → ¥1.85).
    Solo has no package: 2 days of 24 SMS (¥2.40) and 4,617,000 30-day logs (¥9.22)."""
    account, owner = make_account(name="Explained Corp", owner="explained-owner")
    alpha = make_workspace(account, name="Alpha", commercial=True)
    beta = make_workspace(account, name="Beta", commercial=True)
    solo = make_workspace(account, name="Solo", commercial=True)
    today = billing_day(timezone.now())
    first = today - PACKAGE_DAYS * ONE_DAY
    subscription = subscribe(account, [alpha, beta], start=first)
    for offset in range(PACKAGE_DAYS):
        day = first + offset * ONE_DAY
        send(alpha, "logs", 50_000_000, day, retention=14)
        send(beta, "logs", 1_234_567, day, retention=14)
        if offset >= PACKAGE_DAYS - 2:
            send(solo, "sms", 24, day)
            send(solo, "logs", 4_617_000, day, retention=30)
        deduction_run_day(day=day, now=after(day))
    send(alpha, "logs", 10_000_000, today, retention=14, hour=0)  # today, live
    send(beta, "logs", 35_000_000, today, retention=14, hour=0)
    return owner, subscription, first, today - ONE_DAY


def bill_of(page, workspace: str, day):
    return page.locator(f"[data-testid=bill][data-workspace='{workspace}'][data-day='{day}']")


def test_thirty_bills_open_on_a_summary_and_each_charge_shows_its_formula(pages):
    owner, subscription, first, last = thirty_bills()
    browser = pages(1280, prefix="bills-explained")
    page = browser.page
    browser.login(owner.username, PASSWORD)
    home = page.inner_text("main")
    assert f"package #{subscription.pk}" in home
    assert "workspace «Alpha»" in home  # the latest bills
    browser.go(f"/bills/?date_from={first}&date_to={last}")
    browser.snap("summary")
    assert page.locator("[data-testid=bill]").count() == 30
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < MAX_PAGE_HEIGHT, height
    # 14 × (¥15.00 + ¥1.85) + 2 × (¥2.40 + ¥9.22)
    assert page.inner_text("[data-testid=summary-total]") == "¥259.14"
    items = page.locator("[data-testid=summary-items] tbody tr")
    assert items.nth(0).inner_text().split("\t") == [
        "Log records",
        "166,517,938 records",
        "¥254.34",
    ]
    assert items.nth(1).inner_text().split("\t") == ["SMS alerts", "48 messages", "¥4.80"]
    workspaces = page.inner_text("[data-testid=summary-workspaces]")
    assert "workspace «Beta»\t14\t¥25.90" in workspaces

    beta = bill_of(page, "Beta", last)
    assert beta.locator("[data-testid=bill-workspace]").inner_text() == "workspace «Beta»"
    assert beta.locator("[data-testid=bill-package]").inner_text() == f"package #{subscription.pk}"
    assert beta.locator("[data-testid=bill-total]").inner_text() == "¥1.85"
    assert not beta.locator("[data-testid=unit-price]").is_visible()  # collapsed
    beta.locator("summary").click()
    browser.snap("beta-opened")
    assert beta.locator("[data-testid=unit-price]").inner_text() == "¥1.50 per 1,000,000 records"
    assert beta.locator("[data-testid=charge]").inner_text() == (
        "Log records: 1,234,567 records = 1.23 units of 1,000,000 records (not charged: "
        "4,567 records, less than 0.01 unit); 1.23 × ¥1.50 = ¥1.845 → ¥1.85 (rounded to the cent)"
    )
    solo = bill_of(page, "Solo", last)
    assert "pay-as-you-go" in solo.locator("summary").inner_text()
    solo.locator("summary").click()
    prices = solo.locator("[data-testid=unit-price]")
    assert [prices.nth(i).inner_text() for i in range(prices.count())] == [
        "¥2.00 per 1,000,000 records",
        "¥1.00 per 10 messages",
    ]
    charges = solo.locator("[data-testid=charge]")
    assert [charges.nth(i).inner_text() for i in range(charges.count())] == [
        "Log records: 4,617,000 records = 4.61 units of 1,000,000 records (not charged: "
        "7,000 records, less than 0.01 unit); 4.61 × ¥2.00 = ¥9.22",
        "SMS alerts: 24 messages = 2.40 units of 10 messages; 2.40 × ¥1.00 = ¥2.40",
    ]
    assert "Converted" in page.inner_text("[data-testid=bills-legend]")
    browser.snap("solo-opened")


def test_on_a_phone_a_tap_reads_a_day_and_each_workspace_sees_its_use(touch_pages):
    owner, subscription, first, last = thirty_bills()
    browser = touch_pages("bills-phone")
    page = browser.page
    browser.login(owner.username, PASSWORD)
    browser.go(f"/bills/?date_from={first}&date_to={last}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    chart = page.locator("[data-testid=cost-chart]")
    chart.locator(f".col[data-day='{first}'] .hit").tap()
    assert chart.locator("[data-testid=chart-readout]").inner_text() == (
        f"{first} · Amount due ¥16.85 · Bills 2"
    )
    chart.locator(f".col[data-day='{last}'] .hit").tap()
    assert chart.locator("[data-testid=chart-readout]").inner_text() == (
        f"{last} · Amount due ¥28.47 · Bills 3"
    )
    browser.snap("bills-tapped")

    browser.go(f"/packages/{subscription.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    logs = page.locator("[data-testid=workspace-usage-item][data-item=logs]")
    beta = logs.locator("[data-testid=workspace-usage-row][data-workspace=Beta]")
    assert "2. workspace «Beta»" in beta.inner_text()
    cells = {
        period: beta.locator(f"tr[data-period={period}] td.num")
        for period in ("today", "yesterday", "last_days")
    }
    texts = {period: [cell.nth(i).inner_text() for i in range(5)] for period, cell in cells.items()}
    assert texts == {
        "today": ["35,000,000", "30,000,000", "0", "5,000,000", "¥7.50"],
        "yesterday": ["1,234,567", "0", "0", "1,234,567", "¥1.85"],
        "last_days": ["17,283,938", "0", "0", "17,283,938", "¥25.90"],
    }
    usage = page.locator("[data-testid=usage-chart]").filter(has_text="Log records")
    usage.locator(f".col[data-day='{last}'] .hit").tap()
    assert usage.locator("[data-testid=chart-readout]").inner_text() == (
        f"{last} · Used 51,234,567 · Covered 40,000,000 · Charged 11,234,567 · "
        "Quota + packs 40,000,000"
    )
    browser.snap("package-tapped")
