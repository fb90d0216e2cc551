"""The suggested split never spends more than the account holds; what it cannot cover is named
exactly (SPEC 4.2), with the reference a customer quotes on a bank transfer."""

from datetime import date
from decimal import Decimal

import pytest

from orders.paying import transfer_reference
from orders.services.payment import payment_suggestion, suggest_payment
from packages.models import Plan
from quota.estimate import Estimate, PlanEstimate, estimate_cheapest
from tests.factories import make_workspace
from tests.orders.helpers import at, fund_cash, give_card, give_voucher, quote_of

pytestmark = pytest.mark.django_db

JAN_1 = date(2026, 1, 1)


def startup_quote(account):
    workspace = make_workspace(account, commercial=True)
    data = {"kind": "new_package", "plan": "startup_acceleration", "workspaces": [workspace.pk]}
    return quote_of(account=account, data=data, today=JAN_1)


def test_cash_is_suggested_up_to_the_balance_only_and_the_rest_is_missing(account):
    now = at(JAN_1)
    late = give_voucher(account, "500.00", now, valid_days=200)
    early = give_voucher(account, "300.00", now, valid_days=20)
    card = give_card(account, "1000", now)
    fund_cash(account, "30000.00", now)
    suggestion = payment_suggestion(account=account, quote=startup_quote(account), now=now)
    assert suggestion.as_dict() == {
        "cash": "30000.00",
        "prepaid_cards": [{"id": card.pk, "amount": "1000.00"}],
        "vouchers": [{"id": early.pk, "amount": "300.00"}, {"id": late.pk, "amount": "500.00"}],
    }
    shortfall = suggestion.shortfall
    assert shortfall.missing == Decimal("10200.00")  # 42,000 − 30,000 − 1,000 − 800
    assert (shortfall.total, shortfall.cash_balance) == (Decimal("42000.00"), Decimal("30000.00"))
    assert (shortfall.cards, shortfall.vouchers) == (Decimal("1000.00"), Decimal("800.00"))


def test_an_account_without_money_is_suggested_nothing_and_misses_the_whole_total(account):
    suggestion = payment_suggestion(account=account, quote=startup_quote(account), now=at(JAN_1))
    assert suggestion.as_dict() == {"cash": "0.00", "prepaid_cards": [], "vouchers": []}
    assert suggestion.shortfall.missing == Decimal("42000.00")


def test_enough_money_leaves_nothing_missing_and_cash_pays_only_the_rest(account):
    now = at(JAN_1)
    give_voucher(account, "1000.00", now)
    fund_cash(account, "50000.00", now)
    suggestion = payment_suggestion(account=account, quote=startup_quote(account), now=now)
    assert suggestion.shortfall is None
    assert suggestion.plan.cash == Decimal("41000.00")
    assert suggest_payment(account=account, quote=startup_quote(account), now=now)["cash"] == (
        "41000.00"
    )


def test_a_prepaid_card_is_suggested_cash_only_and_misses_what_cash_lacks(account):
    now = at(JAN_1)
    give_voucher(account, "1000.00", now)
    give_card(account, "5000", now)
    fund_cash(account, "4000.00", now)
    quote = quote_of(
        account=account, data={"kind": "prepaid_card", "face_value": "10000.00"}, today=JAN_1
    )
    suggestion = payment_suggestion(account=account, quote=quote, now=now)
    assert suggestion.as_dict() == {"cash": "4000.00", "prepaid_cards": [], "vouchers": []}
    assert suggestion.shortfall.missing == Decimal("6000.00")
    assert (suggestion.shortfall.cards, suggestion.shortfall.vouchers) == (Decimal(0), Decimal(0))


def test_expired_instruments_are_neither_suggested_nor_counted(account):
    now = at(JAN_1)
    give_voucher(account, "900.00", at(date(2025, 12, 1)), valid_days=10)  # expired on Dec 11
    give_card(account, "2000", at(date(2024, 1, 1)), valid_days=365)
    suggestion = payment_suggestion(account=account, quote=startup_quote(account), now=now)
    assert suggestion.as_dict()["vouchers"] == [] and suggestion.as_dict()["prepaid_cards"] == []
    assert suggestion.shortfall.missing == Decimal("42000.00")


def test_the_transfer_reference_is_stable_and_carries_a_luhn_check_digit():
    assert transfer_reference(12) == "BC-12-5"
    assert transfer_reference(12) == transfer_reference(12)
    assert transfer_reference(7992739871) == "BC-7992739871-3"  # the classic Luhn example
    assert transfer_reference(21) != transfer_reference(12)


def _estimate(payg: str, *plan_totals: tuple[str, str]) -> Estimate:
    plans = [
        PlanEstimate(
            plan=Plan.objects.get(code=code),
            package_cost=Decimal(total),
            packs_cost=Decimal(0),
            overage_without_packs=Decimal(0),
            overage_with_packs=Decimal(0),
        )
        for code, total in plan_totals
    ]
    return Estimate(days=[JAN_1] * 30, payg_only=Decimal(payg), plans=plans)


def test_the_estimate_names_the_cheapest_plan_and_its_daily_saving_over_pay_as_you_go():
    estimate = _estimate(
        "9000.00", ("startup_acceleration", "3452.06"), ("growth_development", "23013.70")
    )
    cheapest = estimate_cheapest(estimate, with_packs=False)
    assert cheapest.plan.code == "startup_acceleration" and cheapest.compared_with is None
    assert cheapest.daily_saving == Decimal("184.93")  # (9,000 − 3,452.06) / 30


def test_the_estimate_says_pay_as_you_go_is_cheapest_when_it_is():
    estimate = _estimate("300.00", ("startup_acceleration", "3452.06"))
    cheapest = estimate_cheapest(estimate, with_packs=False)
    assert cheapest.plan is None and cheapest.compared_with.code == "startup_acceleration"
    assert cheapest.daily_saving == Decimal("105.07")  # (3,452.06 − 300) / 30
    assert (
        estimate_cheapest(Estimate(days=[], payg_only=Decimal(0), plans=[]), with_packs=False)
        is None
    )
