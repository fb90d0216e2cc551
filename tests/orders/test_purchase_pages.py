"""The purchase pages through Django's test client (no JavaScript): a refused payment keeps
every typed part with the error at its part, the ticked workspaces count, a missing amount is
named with the way to top up, a prepaid card is confirmed before cash is spent, each plan card
links to its purchase, and the estimate names the cheapest choice."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from common.dates import ONE_DAY, billing_day
from orders.models import Order
from orders.paying import transfer_reference
from tests.factories import make_workspace
from tests.orders.helpers import fund_cash, give_card, give_voucher
from tests.quota.helpers import bill, send, subscribe
from wallet.models import PrepaidCard, Voucher, Wallet

pytestmark = pytest.mark.django_db

BANK = {"name": "Vendor Ltd.", "bank": "Bank of Test, Shanghai", "number": "6222 1111 2222 3333"}


@pytest.fixture
def owner_client(account_a, settings):
    settings.BILLING_BANK_ACCOUNT = BANK
    client = Client()
    client.force_login(account_a[1])
    return client


def value_of(html: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html)
    assert tag, f"no input {name}"
    found = re.search(r'value="([^"]*)"', tag.group(0))
    return found.group(1) if found else ""


def by_testid(html: str, testid: str) -> str:
    found = re.search(rf'data-testid="{re.escape(testid)}"[^>]*>(.*?)</', html, re.S)
    assert found, f"no element {testid}"
    return found.group(1).strip()


def funded(account):
    now = timezone.now()
    fund_cash(account, "30000.00", now)
    card = give_card(account, "5000", now)
    voucher = give_voucher(account, "1000.00", now)
    return card, voucher


def pay_form(workspace, **parts) -> dict:
    return {
        "plan": "startup_acceleration",
        "workspaces": str(workspace.pk),
        "action": "pay",
        "idempotency_key": "k-typed",
        **parts,
    }


def test_a_refused_payment_keeps_every_typed_part_with_the_error_at_the_card(account, owner_client):
    card, voucher = funded(account)
    workspace = make_workspace(account, name="Mine", commercial=True)
    typed = {"cash": "35000.00", f"card-{card.pk}": "6000.00", f"voucher-{voucher.pk}": "1000.00"}
    response = owner_client.post("/buy/", pay_form(workspace, **typed))
    assert response.status_code == 409
    html = response.content.decode()
    assert {name: value_of(html, name) for name in typed} == typed  # never the suggestion
    assert by_testid(html, f"reason-card-{card.pk}") == (
        f"Card {card.number} holds ¥5,000.00, less than ¥6,000.00."
    )
    assert by_testid(html, "reason-cash") == ""
    assert by_testid(html, "remaining") == "¥0.00"  # 42,000 − 35,000 − 6,000 − 1,000
    assert 'data-typed="1"' in html
    assert Order.objects.count() == 0


def test_a_split_that_does_not_add_up_keeps_the_empty_parts_empty(account, owner_client):
    card, voucher = funded(account)
    workspace = make_workspace(account, name="Mine", commercial=True)
    response = owner_client.post("/buy/", pay_form(workspace, cash="100.00"))
    assert response.status_code == 400
    html = response.content.decode()
    assert value_of(html, "cash") == "100.00"
    assert value_of(html, f"card-{card.pk}") == "" and value_of(html, f"voucher-{voucher.pk}") == ""
    assert by_testid(html, "remaining") == "¥41,900.00"
    assert (
        by_testid(html, "error-payment")
        == "The payment adds up to ¥100.00; the total is ¥42,000.00."
    )


def test_too_much_cash_shows_the_balance_next_to_the_cash(account, owner_client):
    funded(account)
    workspace = make_workspace(account, name="Mine", commercial=True)
    response = owner_client.post("/buy/", pay_form(workspace, cash="42000.00"))
    assert response.status_code == 409
    html = response.content.decode()
    assert by_testid(html, "reason-cash") == (
        "The cash balance is ¥30,000.00, less than ¥42,000.00."
    )
    assert value_of(html, "cash") == "42000.00"


def test_a_bad_card_amount_is_named_at_its_card(account, owner_client):
    card, _voucher = funded(account)
    workspace = make_workspace(account, name="Mine", commercial=True)
    response = owner_client.post("/buy/", pay_form(workspace, **{f"card-{card.pk}": "12,5"}))
    assert response.status_code == 400
    html = response.content.decode()
    assert "is not an amount" in by_testid(html, f"reason-card-{card.pk}")
    assert value_of(html, f"card-{card.pk}") == "12,5"


def test_without_javascript_the_ticked_workspaces_are_bought_in_page_order(account, owner_client):
    fund_cash(account, "42000.00", timezone.now())
    first = make_workspace(account, name="First", commercial=True)
    second = make_workspace(account, name="Second", commercial=True)
    make_workspace(account, name="Left out", commercial=True)
    html = owner_client.get("/buy/").content.decode()
    hidden = re.search(r'<input[^>]*id="workspaces-field"[^>]*>', html).group(0)
    assert "disabled" in hidden and 'value=""' in hidden  # never sent without JavaScript
    assert f'name="workspace" value="{first.pk}"' in html  # the boxes to tick (noscript)
    # what a browser without JavaScript sends: the ticked boxes in page order, no order field
    review = owner_client.post(
        "/buy/",
        {
            "plan": "startup_acceleration",
            "workspace": [str(first.pk), str(second.pk)],
            "action": "review",
            "idempotency_key": "k-nojs",
        },
    )
    html = review.content.decode()
    assert review.status_code == 200, html
    assert "Choose the workspaces" not in html
    assert by_testid(html, "quote-total") == "¥42,000.00"
    assert value_of(html, "cash") == "42000.00"  # the suggestion after an updated quote
    ticked = re.findall(r'name="workspace" value="(\d+)" checked', html)
    assert ticked == [str(first.pk), str(second.pk)]
    paid = owner_client.post(
        "/buy/",
        {
            "plan": "startup_acceleration",
            "workspace": [str(first.pk), str(second.pk)],
            "workspaces": "",  # an empty order field (an old page) does not win either
            "cash": "42000.00",
            "action": "pay",
            "idempotency_key": "k-nojs",
        },
    )
    assert paid.status_code == 302
    assert Order.objects.get().request["workspaces"] == [first.pk, second.pk]


def test_the_order_field_of_the_script_wins_over_ticked_boxes(account, owner_client):
    first = make_workspace(account, name="First", commercial=True)
    second = make_workspace(account, name="Second", commercial=True)
    response = owner_client.post(
        "/buy/",
        {
            "plan": "startup_acceleration",
            "workspaces": f"{second.pk},{first.pk}",
            "workspace": [str(first.pk)],
            "action": "review",
        },
    )
    html = response.content.decode()
    assert re.findall(r'name="workspace" value="(\d+)" checked', html) == [
        str(second.pk),
        str(first.pk),
    ]


def test_a_renewal_without_enough_money_says_what_is_missing_and_how_to_top_up(
    account, owner_client
):
    workspace = make_workspace(account, name="Renewed", commercial=True)
    subscription = subscribe(account, [workspace], start=billing_day(timezone.now()))
    fund_cash(account, "10000.00", timezone.now())
    give_voucher(account, "500.00", timezone.now())
    response = owner_client.get(f"/packages/{subscription.pk}/order/renewal/")
    html = response.content.decode()
    assert response.status_code == 200
    assert by_testid(html, "quote-total") == "¥42,000.00"
    assert value_of(html, "cash") == "10000.00"  # never above the balance
    assert by_testid(html, "shortfall-missing") == "¥31,500.00 missing"
    assert by_testid(html, "shortfall-why") == (
        "This order costs ¥42,000.00; usable for it: cash balance ¥10,000.00, prepaid cards "
        "¥0.00, vouchers ¥500.00."
    )
    assert by_testid(html, "topup-number") == BANK["number"]
    assert by_testid(html, "topup-name") == BANK["name"]
    assert by_testid(html, "topup-reference") == transfer_reference(account.pk)
    pay = re.search(r'<button[^>]*id="pay-button"[^>]*>', html).group(0)
    assert "disabled" in pay
    assert by_testid(html, "pay-reason") == (
        "Pay is not possible: ¥31,500.00 missing (see below how to top up)."
    )
    shortfall_tag = re.search(r'<div class="shortfall"[^>]*>', html).group(0)
    assert "hidden" not in shortfall_tag


def test_an_upgrade_link_with_its_plan_is_priced_at_once(account, owner_client):
    workspace = make_workspace(account, name="Up", commercial=True)
    subscription = subscribe(account, [workspace], start=billing_day(timezone.now()))
    response = owner_client.get(
        f"/packages/{subscription.pk}/order/upgrade/?plan=growth_development"
    )
    html = response.content.decode()
    assert by_testid(html, "quote-total") == "¥238,000.00"  # the whole term remains
    assert by_testid(html, "shortfall-missing") == "¥238,000.00 missing"


def test_enough_money_hides_the_shortfall_and_enables_pay(account, owner_client):
    workspace = make_workspace(account, name="Rich", commercial=True)
    subscription = subscribe(account, [workspace], start=billing_day(timezone.now()))
    fund_cash(account, "50000.00", timezone.now())
    html = owner_client.get(f"/packages/{subscription.pk}/order/renewal/").content.decode()
    assert re.search(r'<div class="shortfall"[^>]*\bhidden\b', html)
    pay = re.search(r'<button[^>]*id="pay-button"[^>]*>', html).group(0)
    assert "disabled" not in pay
    assert value_of(html, "cash") == "42000.00"


def test_a_prepaid_card_is_confirmed_before_cash_is_spent(account, owner_client):
    fund_cash(account, "12000.00", timezone.now())
    form = {"face_value": "10000", "idempotency_key": "card-1"}
    review = owner_client.post("/wallet/cards/buy/", form)
    assert review.status_code == 200
    html = review.content.decode()
    today = billing_day(timezone.now())
    card_until = today + timedelta(days=365)
    assert by_testid(html, "card-summary") == (
        f"¥10,000.00 of cash will buy a prepaid card of ¥10,000.00 valid until {card_until}, "
        f"plus a full-reduction voucher of ¥1,000.00 valid until {card_until}."
    )
    assert by_testid(html, "cash-after") == "¥2,000.00"
    assert Order.objects.count() == 0 and PrepaidCard.objects.count() == 0
    assert 'name="step" value="confirm"' in html and 'value="card-1"' in html
    paid = owner_client.post("/wallet/cards/buy/", {**form, "step": "confirm"}, follow=True)
    assert "paid: your prepaid card is ready" in paid.content.decode()
    card = PrepaidCard.objects.get(account=account)
    assert billing_day(card.expires_at) == card_until
    assert Voucher.objects.get(account=account).face_value == Decimal("1000.00")
    assert Wallet.objects.get(account=account).cash_balance == Decimal("2000.00")


def test_a_card_without_enough_cash_names_the_missing_amount_and_the_transfer(
    account, owner_client
):
    fund_cash(account, "3000.00", timezone.now())
    response = owner_client.post(
        "/wallet/cards/buy/", {"face_value": "10000", "idempotency_key": "card-2"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The cash balance is ¥3,000.00, less than ¥10,000.00." in html
    assert by_testid(html, "card-missing") == "¥7,000.00 missing"
    assert by_testid(html, "topup-reference") == transfer_reference(account.pk)
    assert 'name="step"' not in html and Order.objects.count() == 0


def test_each_plan_card_links_to_its_purchase_for_owners_only(account_a, owner_client, admin_user):
    html = owner_client.get("/plans/").content.decode()
    links = re.findall(r'href="(/buy/\?plan=[a-z_]+)" data-testid="buy-plan"', html)
    assert links == [
        "/buy/?plan=startup_acceleration",
        "/buy/?plan=growth_development",
        "/buy/?plan=enterprise_standard",
    ]
    buy = owner_client.get(links[1]).content.decode()
    assert 'value="growth_development" checked' in buy
    admin = Client()
    admin.force_login(admin_user)
    assert 'data-testid="buy-plan"' not in admin.get("/plans/").content.decode()


def test_the_estimate_says_plainly_which_choice_is_cheapest(account, owner_client):
    workspace = make_workspace(account, name="Busy", commercial=True)
    yesterday = billing_day(timezone.now()) - ONE_DAY
    # exactly the Startup quota: ¥194.00 a day pay-as-you-go, ¥115.07 a day as a package
    for item, quantity in [
        ("datakit", 20),
        ("logs", 40_000_000),
        ("traces", 5_000_000),
        ("rum_pv", 400_000),
        ("task_calls", 190_000),
    ]:
        send(workspace, item, quantity, yesterday)
    bill(yesterday)
    answer = owner_client.get(f"/buy/estimate/?workspaces={workspace.pk}").json()
    assert answer["payg_only"] == "194.00"
    assert answer["cheapest"] == {
        "choice": "startup_acceleration",
        "daily_saving": "78.93",
        "text": "The Startup Acceleration Package is the cheapest for this usage: ¥78.93 a day "
        "less than pay-as-you-go.",
    }
