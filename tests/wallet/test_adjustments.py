"""Adjustments of daily bills (SPEC 6.1): a debit settles by the waterfall on the day it is
made, a credit gives back what paid the bill in the reverse order; an expired instrument's share
comes back as a new voucher."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from common.dates import ONE_DAY
from common.exceptions import InvalidInput
from quota.models import BillAdjustment, DailyBill
from tests.factories import make_account, make_workspace
from tests.orders.helpers import assert_ledger_clean, at, fund_cash, give_card, give_voucher
from tests.quota.helpers import bill
from tests.threads import in_threads
from tests.wallet.test_settlement import D, every_instrument, hundred_yuan_bill
from wallet.models import EntryKind, LedgerEntry, PrepaidCard, Voucher, Wallet
from wallet.services.adjustments import bill_adjust, bill_amount_due, bill_shares

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(account_a):
    return account_a[0]


def balances(account) -> tuple[Decimal, Decimal]:
    wallet = Wallet.objects.get(account=account)
    return wallet.cash_balance, wallet.arrears


def test_a_credit_of_40_gives_back_arrears_cash_and_card_and_a_debit_of_5_takes_the_card(
    account,
):
    """SPEC 6.1: the ¥100 bill of 5.1 (vouchers 30 + 20, card 25, cash 10, arrears 15)."""
    workspace = make_workspace(account, commercial=True)
    ordinary, reduction, card = every_instrument(account, workspace)
    hundred_yuan_bill(workspace)
    bill(D)
    daily = DailyBill.objects.get(workspace=workspace, day=D)
    assert balances(account) == (Decimal("0.00"), Decimal("15.00"))

    credit = bill_adjust(
        bill_id=daily.pk, amount="-40.00", reason="duplicate metering", now=at(D + ONE_DAY)
    )
    assert balances(account) == (Decimal("10.00"), Decimal("0.00"))
    assert PrepaidCard.objects.get(pk=card.pk).balance == Decimal("15.00")
    assert [Voucher.objects.get(pk=v.pk).balance for v in (ordinary, reduction)] == [
        Decimal("0.00"),
        Decimal("0.00"),
    ]
    assert credit.sources == {
        "arrears": "15.00",
        "cash": "10.00",
        f"prepaid_card:{card.pk}": "15.00",
    }
    assert Wallet.objects.get(account=account).arrears_since is None  # the debt is gone
    assert bill_amount_due(daily) == Decimal("60.00")
    daily.refresh_from_db()
    assert daily.total == Decimal("100.00")  # the bill itself is never edited

    debit = bill_adjust(
        bill_id=daily.pk, amount="5.00", reason="missed sample", now=at(D + 2 * ONE_DAY)
    )
    assert PrepaidCard.objects.get(pk=card.pk).balance == Decimal("10.00")
    assert debit.sources == {f"prepaid_card:{card.pk}": "5.00"}
    assert debit.settled_on == D + 2 * ONE_DAY
    assert bill_amount_due(daily) == Decimal("65.00")
    kinds = LedgerEntry.objects.filter(adjustment__isnull=False).values_list("kind", flat=True)
    assert set(kinds) == {EntryKind.ADJUSTMENT_CREDIT, EntryKind.ADJUSTMENT_DEBIT}
    assert_ledger_clean()


def test_a_later_credit_never_gives_the_same_share_back_twice(account):
    workspace = make_workspace(account, commercial=True)
    ordinary, reduction, card = every_instrument(account, workspace)
    hundred_yuan_bill(workspace)
    bill(D)
    daily = DailyBill.objects.get(workspace=workspace, day=D)
    for _ in range(2):
        bill_adjust(bill_id=daily.pk, amount="-40.00", reason="half", now=at(D + ONE_DAY))
    # 15 arrears + 10 cash + 25 card, then 20 full-reduction + 10 of 30 ordinary.
    assert balances(account) == (Decimal("10.00"), Decimal("0.00"))
    assert PrepaidCard.objects.get(pk=card.pk).balance == Decimal("25.00")
    assert Voucher.objects.get(pk=reduction.pk).balance == Decimal("20.00")
    assert Voucher.objects.get(pk=ordinary.pk).balance == Decimal("10.00")
    assert bill_shares(daily.pk) == {f"voucher:{ordinary.pk}": Decimal("20.00")}
    with pytest.raises(InvalidInput) as refused:
        bill_adjust(bill_id=daily.pk, amount="-20.01", reason="too much", now=at(D + ONE_DAY))
    assert (refused.value.field, refused.value.code) == ("amount", "credit_above_amount_due")
    bill_adjust(bill_id=daily.pk, amount="-20.00", reason="the rest", now=at(D + ONE_DAY))
    assert bill_amount_due(daily) == Decimal("0.00")
    assert_ledger_clean()


def test_the_share_of_an_expired_voucher_comes_back_as_a_new_voucher_never_as_cash(account):
    workspace = make_workspace(account, commercial=True)
    short = give_voucher(account, "60.00", at(D - 5 * ONE_DAY), valid_days=6)  # ends D + 1
    fund_cash(account, "40.00", at(D - 5 * ONE_DAY))
    hundred_yuan_bill(workspace)
    bill(D)
    daily = DailyBill.objects.get(workspace=workspace, day=D)
    later = at(D + 3 * ONE_DAY)
    bill_adjust(bill_id=daily.pk, amount="-100.00", reason="wrong plan", now=later)
    assert balances(account) == (Decimal("40.00"), Decimal("0.00"))
    assert Voucher.objects.get(pk=short.pk).balance == Decimal("0.00")  # expired: untouched
    replacement = Voucher.objects.exclude(pk=short.pk).get(account=account)
    assert (replacement.kind, replacement.balance, replacement.face_value) == (
        Voucher.Kind.ORDINARY,
        Decimal("60.00"),
        Decimal("60.00"),
    )
    assert replacement.expires_at == later + timedelta(days=90)
    assert_ledger_clean()


def test_a_debit_of_an_item_vouchers_may_not_pay_goes_to_cards_and_cash(account):
    workspace = make_workspace(account, commercial=True)
    give_voucher(account, "50.00", at(D - 5 * ONE_DAY))
    card = give_card(account, "100", at(D - 5 * ONE_DAY))
    hundred_yuan_bill(workspace)
    bill(D)
    daily = DailyBill.objects.get(workspace=workspace, day=D)
    debit = bill_adjust(
        bill_id=daily.pk,
        amount="7.00",
        reason="SMS not counted",
        item_code="sms",
        quantity_delta=70,
        now=at(D + ONE_DAY),
    )
    assert debit.sources == {f"prepaid_card:{card.pk}": "7.00"}
    assert (debit.item.code, debit.retention_days, debit.quantity_delta) == ("sms", 0, 70)
    assert_ledger_clean()


def test_a_debit_nothing_can_pay_becomes_arrears_and_starts_the_countdown(account):
    workspace = make_workspace(account, commercial=True)
    fund_cash(account, "100.00", at(D - ONE_DAY))
    hundred_yuan_bill(workspace)
    bill(D)
    daily = DailyBill.objects.get(workspace=workspace, day=D)
    bill_adjust(bill_id=daily.pk, amount="12.50", reason="late fee", now=at(D + ONE_DAY))
    assert balances(account) == (Decimal("0.00"), Decimal("12.50"))
    assert Wallet.objects.get(account=account).arrears_since == at(D + ONE_DAY)
    assert_ledger_clean()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "1e3"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"reason": "   "}, "reason"),
        ({"reason": "x" * 501}, "reason"),
        ({"item_code": "nope"}, "item"),
        ({"item_code": "logs", "retention_days": 15}, "retention_days"),
        ({"retention_days": 30}, "item"),
        ({"item_code": "logs", "quantity_delta": "12"}, "quantity"),
        ({"bill_id": 10**9}, "bill"),
    ],
)
def test_bad_adjustments_are_refused_and_change_nothing(account, changes, field):
    workspace = make_workspace(account, commercial=True)
    hundred_yuan_bill(workspace)
    bill(D)
    daily = DailyBill.objects.get(workspace=workspace, day=D)
    given = {"bill_id": daily.pk, "amount": "5.00", "reason": "fix", **changes}
    with pytest.raises(InvalidInput) as refused:
        bill_adjust(now=at(D + ONE_DAY), **given)
    assert refused.value.field == field
    assert not BillAdjustment.objects.exists()


@pytest.fixture
def adjusted(account_a):
    """A ¥100 bill paid from cash, credited ¥40 "duplicate metering"; returns (bill, client)."""
    account, owner = account_a
    workspace = make_workspace(account, commercial=True)
    fund_cash(account, "100.00", at(D - ONE_DAY))
    hundred_yuan_bill(workspace)
    bill(D)
    daily = DailyBill.objects.get(workspace=workspace, day=D)
    bill_adjust(bill_id=daily.pk, amount="-40.00", reason="duplicate metering", now=at(D + ONE_DAY))
    client = APIClient()
    client.force_authenticate(owner)
    return daily, client


def test_bills_show_their_adjustments_and_what_is_due_in_the_api_and_csv(adjusted):
    daily, client = adjusted
    (listed,) = client.get(f"/api/v1/workspaces/{daily.workspace_id}/daily-bills/").json()[
        "results"
    ]
    assert (listed["total"], listed["amount_due"]) == ("100.00", "60.00")
    (adjustment,) = listed["adjustments"]
    assert {k: adjustment[k] for k in ("item", "retention_days", "amount", "reason")} == {
        "item": None,
        "retention_days": None,
        "amount": "-40.00",
        "reason": "duplicate metering",
    }
    assert adjustment["quantity_delta"] == 0 and adjustment["created_at"]
    one = client.get(f"/api/v1/daily-bills/{daily.pk}/").json()
    assert one["amount_due"] == "60.00" and one["adjustments"] == listed["adjustments"]

    csv = client.get(
        f"/api/v1/workspaces/{daily.workspace_id}/daily-bills/", {"format": "csv"}
    ).content.decode()
    header, *rows = csv.strip().splitlines()
    assert header.endswith(",amount,adjustment")
    assert rows[-1].endswith(",-40.00,duplicate metering")

    ledger = client.get("/api/v1/ledger/").json()["results"]
    credit = next(entry for entry in ledger if entry["kind"] == "adjustment_credit")
    assert (credit["instrument"], credit["amount"], credit["daily_bill"]) == (
        "cash",
        "40.00",
        daily.pk,
    )
    assert credit["adjustment_reason"] == "duplicate metering"


def test_the_bills_page_ledger_and_statement_show_the_adjustment(adjusted, client, account_a):
    daily, _api = adjusted
    client.force_login(account_a[1])
    page = client.get("/bills/", {"date_from": str(D), "date_to": str(D)}).content.decode()
    assert "duplicate metering" in page and "¥60.00" in page and "-¥40.00" in page
    ledger = client.get("/ledger/").content.decode()
    assert "duplicate metering" in ledger
    statement = client.get("/api/v1/statements/", {"month": f"{D:%Y-%m}"}, HTTP_ACCEPT="*/*")
    data = _api.get("/api/v1/statements/", {"month": f"{D:%Y-%m}"}).json()
    assert statement.status_code == 200
    assert (data["payg_charged"], data["adjustments_credited"], data["adjustments_debited"]) == (
        "100.00",
        "40.00",
        "0.00",
    )


def test_only_operators_adjust_bills_through_the_api(adjusted, django_user_model):
    daily, customer = adjusted
    path = f"/api/v1/daily-bills/{daily.pk}/adjustments/"
    assert customer.post(path, {"amount": "5.00", "reason": "x"}, format="json").status_code == 403
    operator = APIClient()
    operator.force_authenticate(
        django_user_model.objects.create_user("ops", "ops@example.com", "x" * 20, is_staff=True)
    )
    created = operator.post(
        path, {"amount": "5.00", "reason": "missed sample", "item": "task_calls"}, format="json"
    )
    assert created.status_code == 201, created.content
    assert (created.json()["amount"], created.json()["item"]) == ("5.00", "task_calls")
    refused = operator.post(path, {"amount": "-65.01", "reason": "too much"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["codes"]["amount"] == ["credit_above_amount_due"]
    for body in ({"amount": 5.5, "reason": "x"}, {"amount": "1", "reason": {"a": 1}}, [1]):
        assert operator.post(path, body, format="json").status_code == 400
    assert (
        operator.post(
            "/api/v1/daily-bills/999999/adjustments/",
            {"amount": "1.00", "reason": "x"},
            format="json",
        ).status_code
        == 400
    )
    assert_ledger_clean()


def test_adjust_bill_command(adjusted):
    daily, _client = adjusted
    out = StringIO()
    call_command(
        "adjust_bill", "--bill", str(daily.pk), "--amount", "5.00", "--reason", "fee", stdout=out
    )
    assert "+5.00" in out.getvalue() and "now costs 65.00" in out.getvalue()
    with pytest.raises(CommandError, match="amount"):
        call_command("adjust_bill", "--bill", str(daily.pk), "--amount", "-100.00", "--reason", "x")
    assert_ledger_clean()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_operators_crediting_one_bill_at_once_never_give_back_more_than_it_cost():
    account, _owner = make_account(name="Racing credits")
    workspace = make_workspace(account, commercial=True)
    fund_cash(account, "100.00", at(D - ONE_DAY))
    hundred_yuan_bill(workspace)
    bill(D)
    daily = DailyBill.objects.get(workspace=workspace, day=D)

    def credit(index):
        try:
            bill_adjust(
                bill_id=daily.pk, amount="-60.00", reason=f"operator {index}", now=at(D + ONE_DAY)
            )
        except InvalidInput as refused:
            return refused.code
        return "credited"

    outcomes = in_threads(4, credit)
    assert sorted(outcomes) == ["credit_above_amount_due"] * 3 + ["credited"]
    assert bill_amount_due(daily) == Decimal("40.00")
    assert balances(account) == (Decimal("60.00"), Decimal("0.00"))
    assert_ledger_clean()
