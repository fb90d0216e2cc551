"""Issue 13 in Chromium: not enough money names what is missing and the way on (point 3); a
refused payment keeps what was typed, with the reason at the part (point 6); the page works
without JavaScript; a plan card buys its plan, a prepaid card is confirmed before cash is spent,
and the estimate says which choice is cheapest."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from common.dates import ONE_DAY, billing_day
from orders.models import Order
from orders.paying import transfer_reference
from tests.browser.conftest import Pages
from tests.factories import PASSWORD, make_account, make_workspace
from tests.orders.helpers import fund_cash, give_card, give_voucher, place
from tests.quota.helpers import bill, send, subscribe
from wallet.models import PrepaidCard

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BANK = {"name": "Vendor Ltd.", "bank": "Bank of Test, Shanghai", "number": "6222 1111 2222 3333"}


@pytest.fixture(autouse=True)
def _bank(settings):
    settings.BILLING_BANK_ACCOUNT = BANK


def signed_in(pages, owner, prefix: str) -> Pages:
    browser = pages(1280, prefix=prefix)
    browser.login(owner.username, PASSWORD)
    return browser


def test_a_renewal_without_enough_money_names_the_missing_amount_and_how_to_top_up(pages):
    account, owner = make_account(name="Short Corp", owner="short-owner")
    workspace = make_workspace(account, name="Renewed", commercial=True)
    subscription = subscribe(account, [workspace], start=billing_day(timezone.now()))
    now = timezone.now()
    fund_cash(account, "10000.00", now)
    card = give_card(account, "2000", now)
    browser = signed_in(pages, owner, "short-renewal")
    page = browser.page
    browser.go(f"/packages/{subscription.pk}/order/renewal/")
    page.wait_for_selector("[data-testid=quote-total]:has-text('¥42,000.00')")
    browser.snap("renewal-short")
    assert page.input_value("input[name=cash]") == "10000.00"  # never above the balance
    assert page.input_value(f"input[name=card-{card.pk}]") == "2000.00"
    assert page.inner_text("[data-testid=reason-cash]") == ""  # nothing typed is wrong
    assert page.inner_text("[data-testid=shortfall-missing]") == "¥30,000.00 missing"
    assert page.inner_text("[data-testid=shortfall-why]") == (
        "This order costs ¥42,000.00; usable for it: cash balance ¥10,000.00, prepaid cards "
        "¥2,000.00, vouchers ¥0.00."
    )
    assert page.inner_text("[data-testid=topup-number]") == BANK["number"]
    assert page.inner_text("[data-testid=topup-reference]") == transfer_reference(account.pk)
    assert page.is_disabled("#pay-button")
    assert page.is_visible("[data-testid=pay-reason]")
    assert page.inner_text("[data-testid=pay-reason]") == (
        "Pay is not possible: ¥30,000.00 missing (see below how to top up)."
    )
    assert page.is_visible("text=Buy a prepaid card")


def test_an_upgrade_short_of_money_says_so_and_pay_stays_explained(pages):
    account, owner = make_account(name="Upgrade Corp", owner="upgrade-owner")
    workspace = make_workspace(account, name="Up", commercial=True)
    subscription = subscribe(account, [workspace], start=billing_day(timezone.now()))
    fund_cash(account, "100000.00", timezone.now())
    browser = signed_in(pages, owner, "short-upgrade")
    page = browser.page
    browser.go(f"/packages/{subscription.pk}/order/upgrade/")
    page.check("input[name=plan][value=growth_development]")
    page.wait_for_selector("[data-testid=quote-total]:has-text('¥238,000.00')")
    page.wait_for_selector("[data-testid=shortfall-missing]:has-text('¥138,000.00 missing')")
    browser.snap("upgrade-short")
    assert page.input_value("input[name=cash]") == "100000.00"
    assert page.is_disabled("#pay-button")
    assert "¥138,000.00 missing" in page.inner_text("[data-testid=pay-reason]")
    page.check("input[name=plan][value=enterprise_standard]")  # dearer still: the text follows
    page.wait_for_selector("[data-testid=shortfall-missing]:has-text('¥368,000.00 missing')")


def test_a_refused_payment_keeps_what_was_typed_and_names_the_card_at_fault(pages):
    account, owner = make_account(name="Typed Corp", owner="typed-owner")
    workspace = make_workspace(account, name="Main", commercial=True)
    other = make_workspace(account, name="Other", commercial=True)
    now = timezone.now()
    fund_cash(account, "50000.00", now)
    card = give_card(account, "5000", now)
    voucher = give_voucher(account, "1000.00", now)
    browser = signed_in(pages, owner, "refused")
    page = browser.page
    browser.go("/buy/")
    page.check("input[name=plan][value=startup_acceleration]")
    page.click(f"#available-workspaces li[data-id='{workspace.pk}'] >> text=Add")
    page.wait_for_selector("[data-testid=quote-total]:has-text('¥42,000.00')")
    page.fill("input[name=cash]", "36000.00")
    page.fill(f"input[name=card-{card.pk}]", "5000.00")
    page.fill(f"input[name=voucher-{voucher.pk}]", "1000.00")
    assert page.inner_text("#remaining") == "¥0.00" and page.is_enabled("#pay-button")
    # meanwhile the card pays a traffic pack of another package: ¥547.50 of it is gone
    today = billing_day(now)
    elsewhere = subscribe(account, [other], start=today)
    days = (elsewhere.end_date - today).days + 1
    spent = f"{Decimal('1.50') * days:.2f}"  # 1,000,000 logs a day at ¥1.50
    place(
        account,
        {
            "kind": "traffic_packs",
            "subscription": elsewhere.pk,
            "traffic_packs": [{"item": "logs", "capacity": 1_000_000}],
        },
        {"prepaid_cards": [{"id": card.pk, "amount": spent}]},
        now,
    )
    left = PrepaidCard.objects.get(pk=card.pk).balance
    page.click("#pay-button")
    page.wait_for_load_state("networkidle")
    page.wait_for_selector("[data-testid=quote-total]:has-text('¥42,000.00')")
    browser.snap("refused")
    # every part as typed, never the suggestion; the sum agrees with what is shown
    assert page.input_value("input[name=cash]") == "36000.00"
    assert page.input_value(f"input[name=card-{card.pk}]") == "5000.00"
    assert page.input_value(f"input[name=voucher-{voucher.pk}]") == "1000.00"
    assert page.inner_text("#remaining") == "¥0.00"
    reason = page.inner_text(f"[data-testid=reason-card-{card.pk}]")
    assert f"Card {card.number} holds ¥{left:,.2f}" in reason
    assert page.is_disabled("#pay-button")
    assert page.inner_text("[data-testid=pay-reason]") == "Correct the amounts marked above."
    # the suggestion only on request, then it adds up and pays
    page.click("#use-suggestion")
    assert page.input_value(f"input[name=card-{card.pk}]") == f"{left:.2f}"
    assert page.input_value(f"input[name=voucher-{voucher.pk}]") == "1000.00"
    assert page.inner_text("#remaining") == "¥0.00"
    assert page.inner_text(f"[data-testid=reason-card-{card.pk}]") == ""
    page.click("#pay-button")
    page.wait_for_url("**/orders/*/")
    assert Order.objects.filter(account=account, kind="new_package").count() == 1


def test_an_amount_above_a_balance_is_explained_in_words_and_the_rest_still_adds_up(pages):
    account, owner = make_account(name="Words Corp", owner="words-owner")
    workspace = make_workspace(account, name="Solo", commercial=True)
    now = timezone.now()
    fund_cash(account, "50000.00", now)
    card = give_card(account, "500", now)
    browser = signed_in(pages, owner, "words")
    page = browser.page
    browser.go("/buy/")
    page.check("input[name=plan][value=startup_acceleration]")
    page.click(f"#available-workspaces li[data-id='{workspace.pk}'] >> text=Add")
    page.wait_for_selector("[data-testid=quote-total]:has-text('¥42,000.00')")
    page.fill(f"input[name=card-{card.pk}]", "800.00")  # the card holds ¥500.00
    browser.snap("above-balance")
    assert page.inner_text(f"[data-testid=reason-card-{card.pk}]") == (
        f"Card {card.number} holds ¥500.00."
    )
    assert "invalid" in page.get_attribute(f"input[name=card-{card.pk}]", "class")
    assert page.inner_text("#remaining") == "-¥300.00"  # 42,000 − 41,500 − 800
    assert page.is_disabled("#pay-button")
    assert page.inner_text("[data-testid=pay-reason]") == "Correct the amounts marked above."
    page.fill("input[name=cash]", "not money")
    assert page.inner_text("[data-testid=reason-cash]") == "Not an amount: write it like 100.00."
    page.fill("input[name=cash]", "41500.00")
    page.fill(f"input[name=card-{card.pk}]", "400.00")
    assert page.inner_text("[data-testid=pay-reason]") == (
        "Allocate ¥100.00 more: the parts must add up to the total."
    )
    page.fill(f"input[name=card-{card.pk}]", "500.00")
    assert page.inner_text("#remaining") == "¥0.00" and page.is_enabled("#pay-button")
    assert page.inner_text("[data-testid=pay-reason]") == ""


def test_without_javascript_the_ticked_workspaces_are_bought(chromium, live_server):
    account, owner = make_account(name="NoJS Corp", owner="nojs-owner")
    first = make_workspace(account, name="First", commercial=True)
    second = make_workspace(account, name="Second", commercial=True)
    make_workspace(account, name="Third", commercial=True)
    fund_cash(account, "42000.00", timezone.now())
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-US", java_script_enabled=False
    )
    try:
        browser = Pages(context.new_page(), live_server.url, "nojs")
        page = browser.page
        browser.go("/accounts/login/")  # the language switcher has its own submit button here
        page.fill("#id_username", owner.username)
        page.fill("#id_password", PASSWORD)
        page.click("form[action='/accounts/login/'] button[type=submit]")
        page.wait_for_url(browser.base + "/")
        browser.go("/buy/")
        browser.snap("buy")
        page.check("input[name=plan][value=startup_acceleration]")
        page.check(f"input[name=workspace][value='{second.pk}']")
        page.check(f"input[name=workspace][value='{first.pk}']")
        page.click("#review-button")
        browser.snap("reviewed")
        assert "Choose the workspaces" not in page.inner_text("body")
        assert page.inner_text("[data-testid=quote-total]") == "¥42,000.00"
        assert page.input_value("input[name=cash]") == "42000.00"
        page.click("#pay-button")
        page.wait_for_url("**/orders/*/")
        browser.snap("paid")
        assert Order.objects.get(account=account).request["workspaces"] == [first.pk, second.pk]
        browser.go("/buy/")  # no quote yet: Pay says why it cannot be pressed
        assert page.is_disabled("#pay-button")
        assert page.inner_text("[data-testid=pay-reason]") == (
            "Update the quote first: Pay needs the total."
        )
    finally:
        context.close()


def test_buy_this_plan_opens_the_purchase_with_the_plan_chosen(pages):
    account, owner = make_account(name="Plans Corp", owner="plans-owner")
    browser = signed_in(pages, owner, "plans")
    page = browser.page
    browser.go("/plans/")
    browser.snap("plans")
    assert page.locator("[data-testid=buy-plan]").count() == 3
    page.click("[data-plan=growth_development] >> [data-testid=buy-plan]")
    page.wait_for_url(re.compile(r".*/buy/\?plan=growth_development$"))
    browser.snap("buy-growth")
    assert page.is_checked("input[name=plan][value=growth_development]")


def test_a_prepaid_card_is_confirmed_before_the_cash_is_spent(pages):
    account, owner = make_account(name="Card Corp", owner="card-owner")
    fund_cash(account, "12000.00", timezone.now())
    browser = signed_in(pages, owner, "card")
    page = browser.page
    browser.go("/wallet/")
    page.fill("#id_face_value", "10000")
    page.click("text=Continue to the confirmation")
    page.wait_for_selector("[data-testid=card-confirm]")
    browser.snap("confirm")
    until = billing_day(timezone.now()) + timedelta(days=365)
    assert page.inner_text("[data-testid=card-summary]") == (
        f"¥10,000.00 of cash will buy a prepaid card of ¥10,000.00 valid until {until}, plus a "
        f"full-reduction voucher of ¥1,000.00 valid until {until}."
    )
    assert page.inner_text("[data-testid=cash-after]") == "¥2,000.00"
    assert PrepaidCard.objects.filter(account=account).count() == 0  # nothing spent yet
    page.click("[data-testid=confirm-card]")
    page.wait_for_url("**/wallet/")
    browser.snap("bought")
    assert "your prepaid card is ready" in page.inner_text(".messages")
    assert PrepaidCard.objects.filter(account=account).count() == 1


def test_a_prepaid_card_without_enough_cash_shows_the_transfer_to_make(pages):
    account, owner = make_account(name="Poor Corp", owner="poor-owner")
    browser = signed_in(pages, owner, "card-short")
    page = browser.page
    browser.go("/wallet/")
    page.fill("#id_face_value", "10000")
    page.click("text=Continue to the confirmation")
    page.wait_for_selector("[data-testid=card-missing]")
    browser.snap("card-short")
    assert page.inner_text("[data-testid=card-missing]") == "¥10,000.00 missing"
    assert page.inner_text("[data-testid=topup-reference]") == transfer_reference(account.pk)


def test_the_estimate_says_which_choice_is_cheapest(pages):
    account, owner = make_account(name="Estimate Corp", owner="estimate-owner")
    workspace = make_workspace(account, name="Busy", commercial=True)
    yesterday = billing_day(timezone.now()) - ONE_DAY
    for item, quantity in [
        ("datakit", 20),
        ("logs", 40_000_000),
        ("traces", 5_000_000),
        ("rum_pv", 400_000),
        ("task_calls", 190_000),
    ]:
        send(workspace, item, quantity, yesterday)
    bill(yesterday)
    browser = signed_in(pages, owner, "estimate")
    page = browser.page
    browser.go("/buy/")
    page.click(f"#available-workspaces li[data-id='{workspace.pk}'] >> text=Add")
    page.wait_for_selector("[data-testid=estimate-verdict]:visible")
    browser.snap("estimate")
    assert page.inner_text("[data-testid=estimate-verdict]") == (
        "The Startup Acceleration Package is the cheapest for this usage: ¥78.93 a day less "
        "than pay-as-you-go."
    )
    assert "plan-cheapest" in page.get_attribute(
        ".plan-choice[data-plan=startup_acceleration]", "class"
    )
    assert page.inner_text("[data-estimate-for=startup_acceleration]").startswith("Cheapest · ")
