"""Settling daily bills (SPEC 5.1), arrears and locks (5.4), alerts (5.5), statements (5.3)."""

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from rest_framework.test import APIClient

from billing.models import Statement
from billing.services.statements import statements_generate
from common.dates import ONE_DAY
from quota.models import DailyBill, SpendAlertNotice
from quota.services.alerts import spend_alert_set
from tests.factories import add_member, make_workspace
from tests.orders.helpers import (
    assert_ledger_clean,
    at,
    fund_cash,
    give_card,
    give_voucher,
    owner_membership,
)
from tests.quota.helpers import after, bill, send
from wallet.models import BillSettlement, PrepaidCard, Voucher, Wallet
from wallet.services.arrears import arrears_process
from wallet.services.balances import cash_credit
from workspaces.models import Role, Workspace

pytestmark = pytest.mark.django_db
D = date(2026, 6, 10)


@pytest.fixture
def account(account_a):
    account, owner = account_a
    owner.email = "owner@example.com"
    owner.save()
    return account


def hundred_yuan_bill(workspace, day=D, item="task_calls"):
    """¥100.00 of PAYG: 1,000,000 task calls (¥1 per 10,000), or 1,000 SMS (¥1 per 10)."""
    send(workspace, item, 1_000_000 if item == "task_calls" else 1_000, day)


def card_with_25_left(account, workspace):
    """A ¥100 card that already paid ¥75 of SMS (which vouchers may not pay) the day before."""
    card = give_card(account, "100", at(D - 5 * ONE_DAY))
    send(workspace, "sms", 750, D - ONE_DAY)
    bill(D - ONE_DAY)
    card.refresh_from_db()
    assert card.balance == Decimal("25.00")
    return card


def every_instrument(account, workspace):
    """¥30 of ordinary and ¥20 of full-reduction vouchers, a card with ¥25 left, ¥10 of cash;
    returns (ordinary voucher, full-reduction voucher, card)."""
    before = at(D - 5 * ONE_DAY)
    ordinary = give_voucher(account, "30.00", before)
    reduction = give_voucher(account, "20.00", before, kind="full_reduction")
    card = card_with_25_left(account, workspace)
    fund_cash(account, "10.00", before)
    return ordinary, reduction, card


def paid_by(workspace, day=D) -> tuple:
    """How the workspace's bill of `day` was paid: (ordinary vouchers, full-reduction vouchers,
    prepaid cards, cash, arrears)."""
    settled = BillSettlement.objects.get(bill__workspace=workspace, day=day)
    return (
        settled.ordinary_vouchers,
        settled.full_reduction_vouchers,
        settled.prepaid_cards,
        settled.cash,
        settled.arrears,
    )


def test_the_waterfall_leaves_15_of_arrears(account):
    workspace = make_workspace(account, commercial=True)
    ordinary, reduction, card = every_instrument(account, workspace)
    hundred_yuan_bill(workspace)
    bill(D)
    assert paid_by(workspace) == (
        Decimal("30.00"),
        Decimal("20.00"),
        Decimal("25.00"),
        Decimal("10.00"),
        Decimal("15.00"),
    )
    assert [Voucher.objects.get(pk=v.pk).balance for v in (ordinary, reduction)] == [
        Decimal("0.00")
    ] * 2
    assert PrepaidCard.objects.get(pk=card.pk).balance == Decimal("0.00")
    wallet = Wallet.objects.get(account=account)
    assert (wallet.cash_balance, wallet.arrears) == (Decimal("0.00"), Decimal("15.00"))
    assert_ledger_clean()


def test_a_bill_of_sms_only_is_paid_by_cards_and_cash_and_leaves_65_of_arrears(account):
    workspace = make_workspace(account, commercial=True)
    _, _, card = every_instrument(account, workspace)
    hundred_yuan_bill(workspace, item="sms")
    bill(D)
    assert paid_by(workspace) == (
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("25.00"),
        Decimal("10.00"),
        Decimal("65.00"),
    )
    assert sorted(Voucher.objects.values_list("balance", flat=True)) == [
        Decimal("20.00"),
        Decimal("30.00"),
    ]
    assert PrepaidCard.objects.get(pk=card.pk).balance == Decimal("0.00")
    assert_ledger_clean()


def test_the_earliest_expiry_pays_first_and_bills_go_in_workspace_order(account):
    first = make_workspace(account, name="first", commercial=True)
    second = make_workspace(account, name="second", commercial=True)
    before = at(D - 5 * ONE_DAY)
    late = give_voucher(account, "60.00", before, valid_days=300)
    early = give_voucher(account, "60.00", before, valid_days=30)
    hundred_yuan_bill(first)
    hundred_yuan_bill(second)
    bill(D)
    assert Voucher.objects.get(pk=early.pk).balance == Decimal("0.00")
    assert Voucher.objects.get(pk=late.pk).balance == Decimal("0.00")
    first_paid = BillSettlement.objects.get(bill__workspace=first)
    second_paid = BillSettlement.objects.get(bill__workspace=second)
    assert (first_paid.ordinary_vouchers, first_paid.arrears) == (
        Decimal("100.00"),
        Decimal("0.00"),
    )
    assert (second_paid.ordinary_vouchers, second_paid.arrears) == (
        Decimal("20.00"),
        Decimal("80.00"),
    )


def owing_after_d(account, capture_on_commit_callbacks):
    """A commercial workspace whose ¥100 bill of D nothing pays: the account owes from then on
    (the on-commit e-mails are sent). Returns the workspace."""
    workspace = make_workspace(account, commercial=True)
    hundred_yuan_bill(workspace)
    with capture_on_commit_callbacks(execute=True):
        bill(D)
    return workspace


def test_arrears_start_the_countdown_and_a_cash_credit_unlocks(
    account, django_capture_on_commit_callbacks
):
    workspace = owing_after_d(account, django_capture_on_commit_callbacks)
    assert Wallet.objects.get(account=account).arrears_since == after(D)
    assert Workspace.objects.get(pk=workspace.pk).status == "arrears"
    assert [message.subject for message in mail.outbox] == [
        "[Billing Center] Alpha Corp: your account is in arrears / 您的账户已欠费"
    ]
    assert "2026-06-25" in mail.outbox[0].body
    assert "您的账户欠费 ¥100.00" in mail.outbox[0].body  # English and Chinese in one e-mail

    with django_capture_on_commit_callbacks(execute=True):
        wallet = cash_credit(
            account_id=account.pk, amount="150.00", reference="remit 1", now=after(D) + ONE_DAY
        ).wallet
    assert (wallet.cash_balance, wallet.arrears) == (Decimal("50.00"), Decimal("0.00"))
    assert Wallet.objects.get(account=account).arrears_since is None
    assert Workspace.objects.get(pk=workspace.pk).status == "active"
    assert mail.outbox[-1].subject.endswith("debt paid / 欠费已结清")
    assert_ledger_clean()


def test_the_lock_comes_after_14_days_with_a_reminder_3_days_before(
    account, django_capture_on_commit_callbacks
):
    workspace = owing_after_d(account, django_capture_on_commit_callbacks)
    since = Wallet.objects.get(account=account).arrears_since

    def process(days: float):
        with django_capture_on_commit_callbacks(execute=True):  # each pass commits, mail goes
            return arrears_process(as_of=since + timedelta(days=days))

    assert process(10).reminded == []
    assert process(11).reminded == [account.pk]
    assert Wallet.objects.get(account=account).arrears_reminded_at is not None  # sent
    assert process(12).reminded == []  # once
    assert process(14 - 1 / 86400).locked == []
    assert Workspace.objects.get(pk=workspace.pk).status == "arrears"
    assert process(14).locked == [account.pk]
    assert Workspace.objects.get(pk=workspace.pk).status == "locked"
    assert process(15).locked == []
    subjects = [message.subject.split(": ", 1)[1].split(" / ")[0] for message in mail.outbox]
    assert subjects == [
        "your account is in arrears",
        "workspaces lock in 3 days",
        "workspaces locked",
    ]

    cash_credit(
        account_id=account.pk, amount="100.00", reference="remit", now=since + timedelta(days=16)
    )
    assert Workspace.objects.get(pk=workspace.pk).status == "active"
    assert Wallet.objects.get(account=account).locked_at is None


def test_a_card_purchase_clears_arrears_from_the_card(account):
    workspace = make_workspace(account, commercial=True)
    hundred_yuan_bill(workspace, item="sms")  # vouchers may not pay it; no money: ¥100 arrears
    bill(D)
    assert Wallet.objects.get(account=account).arrears == Decimal("100.00")
    from wallet.services.instruments import prepaid_card_issue

    card = prepaid_card_issue(account_id=account.pk, amount="1000", now=after(D) + ONE_DAY)
    card.refresh_from_db()
    assert card.balance == Decimal("900.00")
    assert Wallet.objects.get(account=account).arrears == Decimal("0.00")
    assert Workspace.objects.get(pk=workspace.pk).status == "active"
    assert_ledger_clean()


def test_a_high_spend_alert_mails_owners_and_admins_once_per_workspace_item_and_day(
    account, django_capture_on_commit_callbacks
):
    admin = add_member(account, role=Role.ADMIN)
    admin.email = "admin@example.com"
    admin.save()
    workspace = make_workspace(account, commercial=True)
    fund_cash(account, "1000.00", at(D - ONE_DAY))
    spend_alert_set(
        membership=owner_membership(account),
        workspace_id=workspace.pk,
        item_code="task_calls",
        threshold="99.99",
    )
    hundred_yuan_bill(workspace)
    with django_capture_on_commit_callbacks(execute=True):
        bill(D)
    alerts = [message for message in mail.outbox if "high spend" in message.subject]
    assert len(alerts) == 1
    assert sorted(alerts[0].to) == ["admin@example.com", "owner@example.com"]
    assert "¥100.00" in alerts[0].body and "¥99.99" in alerts[0].body
    from quota.services.alerts import spend_alerts_check

    assert (
        spend_alerts_check(bills=list(DailyBill.objects.filter(day=D)), now=after(D)) == 0
    )  # never more
    assert SpendAlertNotice.objects.count() == 1
    send(workspace, "task_calls", 999_000, D + ONE_DAY)  # ¥99.90: under the threshold
    bill(D + ONE_DAY)
    assert SpendAlertNotice.objects.count() == 1


def test_monthly_statement_and_csv_exports(account_a):
    account, owner = account_a
    workspace = make_workspace(account, commercial=True)
    june = date(2026, 6, 1)
    fund_cash(account, "150.00", at(june))
    give_voucher(account, "20.00", at(june))
    for day in (date(2026, 6, 10), date(2026, 6, 11)):
        hundred_yuan_bill(workspace, day=day)
        bill(day)
    assert statements_generate(month=june, now=at(date(2026, 7, 3))) == 1
    assert statements_generate(month=june, now=at(date(2026, 7, 3))) == 0  # idempotent
    statement = Statement.objects.get(account=account)
    assert statement.payg_charged == Decimal("200.00")
    assert (statement.paid_by_vouchers, statement.paid_by_cash, statement.left_in_arrears) == (
        Decimal("20.00"),
        Decimal("150.00"),
        Decimal("30.00"),
    )
    assert statement.arrears_at_month_end == Decimal("30.00")
    client = APIClient()
    client.force_authenticate(owner)
    body = client.get("/api/v1/statements/?month=2026-06").json()
    assert (body["month"], body["payg_charged"], body["final"]) == ("2026-06", "200.00", True)
    exported = client.get("/api/v1/statements/?month=2026-06&format=csv")
    assert exported["Content-Type"].startswith("text/csv")
    assert "payg_charged,200.00" in exported.content.decode()
    ledger = client.get("/api/v1/ledger/?format=csv&instrument=cash").content.decode()
    assert ledger.splitlines()[0].lstrip("\ufeff").startswith("created_at,instrument")
    assert "cash_credit" in ledger
    bills = client.get(
        f"/api/v1/workspaces/{workspace.pk}/daily-bills/?format=csv"
    ).content.decode()
    assert "2026-06-11" in bills and "task_calls" in bills
    assert client.get("/api/v1/statements/?month=2026-13").status_code == 400
    assert client.get("/api/v1/ledger/?instrument=gold").status_code == 400


def test_ledger_verify_command_reports_a_tampered_balance(account):
    fund_cash(account, "10.00", at(D))
    out = StringIO()
    call_command("ledger_verify", stdout=out)
    assert "ledger clean" in out.getvalue()
    Wallet.objects.filter(account=account).update(cash_balance=Decimal("11.00"))
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="1 problem"):
        call_command("ledger_verify", stdout=StringIO(), stderr=StringIO())


def test_arrears_e_mails_give_the_lock_moment_in_asia_shanghai(
    account, django_capture_on_commit_callbacks
):
    from datetime import UTC

    from billing.services.nightly import deduction_run_day

    workspace = make_workspace(account, commercial=True)
    hundred_yuan_bill(workspace)
    settled_at = after(D).astimezone(UTC)  # 2026-06-10 16:10 UTC is 2026-06-11 00:10 in Shanghai
    with django_capture_on_commit_callbacks(execute=True):
        deduction_run_day(day=D, now=settled_at)
        arrears_process(as_of=settled_at + timedelta(days=11))
    notice, reminder = mail.outbox
    for message in (notice, reminder):
        assert "2026-06-25 00:10 (Asia/Shanghai)" in message.body
        assert "2026-06-24" not in message.body
