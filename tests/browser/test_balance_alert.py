"""The owner sets the low-balance alert from the wallet in Chromium; an admin sees it read-only."""

import pytest
from django.utils import timezone

from tests.factories import PASSWORD, add_member, make_account
from wallet.models import LowBalanceAlert
from wallet.services.balances import cash_credit
from workspaces.models import Role

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_owner_sets_a_low_balance_alert_and_the_admin_reads_it(pages):
    account, owner = make_account(name="Alert Corp", owner="alert-owner")
    cash_credit(account_id=account.pk, amount="80.00", reference="remit", now=timezone.now())
    admin = add_member(account, role=Role.ADMIN, username="alert-admin")
    browser = pages(1280, prefix="balance-alert")
    page = browser.page
    browser.login(owner.username, PASSWORD)
    browser.go("/wallet/")
    page.click("[data-testid=low-balance-link]")
    page.wait_for_url(browser.base + "/wallet/alert/")
    assert page.inner_text("[data-testid=alert-state]") == "Off"
    browser.snap("off")
    page.fill("#id_threshold", "100")
    page.check("input[name=basis][value=cash_and_cards]")
    page.click("text=Save the alert")
    page.wait_for_selector("text=Low-balance alert saved.")
    assert page.inner_text("[data-testid=alert-state]") == "Below the threshold"  # ¥80 < ¥100
    browser.snap("below")
    alert = LowBalanceAlert.objects.get()
    assert alert.basis == "cash_and_cards" and alert.below_since is not None

    reader = pages(1280, prefix="balance-alert-admin")
    reader.login(admin.username, PASSWORD)
    reader.go("/wallet/alert/")
    assert reader.page.is_disabled("#id_threshold")
    assert reader.page.locator("text=Save the alert").count() == 0
    reader.snap("read-only")
