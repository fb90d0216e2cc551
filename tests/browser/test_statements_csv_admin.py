"""Issue 13 points 2, 8 and 9 in Chromium: a month's statement (month by month, a past month not
called running, its orders listed with how cash, cards and vouchers paid them); a CSV whose
times are the billing time zone's; the admin account page an operator can trust."""

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.billing.test_statements import june_of
from tests.factories import PASSWORD, make_account
from wallet.services.instruments import voucher_issue
from workspaces.models import User

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_past_month_statement_lists_its_orders_and_how_they_were_paid(pages):
    account, owner = make_account(name="Statement Corp", owner="statement-owner")
    june_of(account)
    browser = pages(1280, prefix="statement")
    page = browser.page
    browser.login(owner.username, PASSWORD)
    browser.go("/statements/")
    months = page.locator("select[name=month] option").all_inner_texts()
    assert "2026-09" in months and len(months) == len(set(months))  # month by month
    page.select_option("select[name=month]", "2026-06")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/statements/?month=2026-06")
    browser.snap("june")
    assert page.inner_text("[data-testid=statement-state]") == "not produced yet"
    table = page.inner_text("[data-testid=statement]")
    for label, amount in (
        ("Orders paid from cash", "¥41,000.00"),
        ("Orders paid by prepaid cards", "¥10,000.00"),
        ("Orders paid by vouchers", "¥1,000.00"),
        ("Paid from cash", "¥50.00"),
        ("Arrears at the end of the month", "¥20.00"),
    ):
        assert f"{label}\t{amount}" in table
    assert page.locator("[data-testid=statement-orders] tbody tr").count() == 2


def test_the_wallet_csv_shows_times_in_the_billing_time_zone(pages):
    account, owner = make_account(name="CSV Corp", owner="csv-owner")
    issued = datetime(2026, 2, 5, 23, 11, tzinfo=UTC)
    voucher_issue(account_id=account.pk, amount="10.00", valid_days=365, now=issued)
    browser = pages(1280, prefix="csv-times")
    page = browser.page
    browser.login(owner.username, PASSWORD)
    browser.go("/wallet/")
    assert "2027-02-06" in page.inner_text("body")  # as the page shows it
    with page.expect_download() as download_info:
        page.click("text=Export CSV")
    body = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][rows[0].index("expires_at")] == "2027-02-06T07:11:00+08:00"


def test_the_admin_account_page_shows_balances_links_and_no_editable_money(pages):
    account, _owner = make_account(name="Console Corp", owner="console-owner")
    june_of(account)
    User.objects.create_superuser("operator-1", "op@example.com", PASSWORD)
    browser = pages(1280, prefix="admin-console")
    page = browser.page
    browser.go("/admin/login/")
    page.fill("#id_username", "operator-1")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    browser.go(f"/admin/workspaces/account/{account.pk}/change/")
    browser.snap("account")
    text = page.inner_text("#content")
    assert "¥20.00" in text  # the arrears, formatted
    for link in ("Credit cash", "ledger", "orders"):
        assert link.lower() in text.lower()
    assert page.locator("select[name$='-plan']").count() == 0  # plans are not edited here
    assert page.locator("select[name$='-status']").count() == 0  # nor a locked status
    browser.go("/admin/wallet/ledgerentry/")
    browser.snap("ledger")
    days = page.locator("td.field-created_at, th.field-created_at").all_inner_texts()
    assert days == sorted(days, reverse=True) and len(days) > 1  # newest first
    browser.go("/admin/wallet/wallet/")
    assert page.is_visible("text=Credit cash (bank remittance)")
