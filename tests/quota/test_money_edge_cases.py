"""Money edge cases: one bad account never stops billing; late writing, upgrades and renewals."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.test import override_settings
from post_office.models import STATUS, Email

from billing.services.nightly import deduction_run_due
from common.dates import ONE_DAY, billing_day, day_start
from common.exceptions import InvalidInput
from packages.selectors import plan_get
from quota.models import BillingAccountFailure, BillingRun, DailyBill, RunStatus
from quota.selectors import bindings_on, catalog_snapshot, plans_on
from quota.services import (
    deduction_days_due,
    subscription_renew,
    subscription_set_workspaces,
    usage_ingest,
)
from quota.services.usage import sample_quantity_limit
from tests.factories import make_account, make_workspace
from tests.orders.helpers import (
    assert_ledger_clean,
    at,
    cash,
    fund_cash,
    give_voucher,
    place,
    quote_of,
)
from tests.quota.helpers import (
    after,
    bill,
    bill_of,
    hour_of,
    lines_of,
    send,
    send_many,
    subscribe,
)
from wallet.models import BillSettlement, Voucher, Wallet
from workspaces.services import workspace_upgrade_by_staff

pytestmark = pytest.mark.django_db
D = date(2026, 6, 10)
POISON_SMS = 10**13  # one hour worth ¥1,000,000,000,000: more than numeric(14,2) holds


def _allow_any_quantity(monkeypatch):
    """A sample stored before the per-item limit existed (the API refuses it now)."""
    monkeypatch.setattr("quota.services.usage.sample_quantity_limit", lambda item: 10**15)


def _poisoned_day(monkeypatch, day=D):
    poisoned, _ = make_account(name="Poisoned Corp")
    healthy, _ = make_account(name="Healthy Corp")
    bad = make_workspace(poisoned, name="bad", commercial=True)
    good = make_workspace(healthy, name="good", commercial=True)
    fund_cash(healthy, "1000.00", at(day - 5 * ONE_DAY))
    _allow_any_quantity(monkeypatch)
    send(bad, "sms", POISON_SMS, day, hour=3)
    monkeypatch.undo()
    send(good, "task_calls", 1_000_000, day)  # ¥100.00
    return poisoned, healthy, bad, good


@override_settings(BILLING_OPERATOR_EMAILS=["ops@example.com"])
def test_a_poison_sample_isolates_its_account_and_the_others_are_billed_and_settled(
    monkeypatch, django_capture_on_commit_callbacks
):
    poisoned, healthy, bad, good = _poisoned_day(monkeypatch)

    with django_capture_on_commit_callbacks(execute=True):
        run = bill(D)

    assert run.status == RunStatus.PARTIAL
    assert bill_of(bad, D) is None
    assert bill_of(good, D).total == Decimal("100.00")
    settlement = BillSettlement.objects.get(bill=bill_of(good, D))
    assert settlement.cash == Decimal("100.00")
    assert Wallet.objects.get(account=healthy).cash_balance == Decimal("900.00")
    failure = BillingAccountFailure.objects.get(run=run)
    assert (failure.account_id, failure.resolved_at) == (poisoned.pk, None)
    assert "DataError" in failure.last_error or "overflow" in failure.last_error
    operator_mail = [m for m in mail.outbox if m.to == ["ops@example.com"]]
    assert len(operator_mail) == 1
    assert f"account {poisoned.pk}" in operator_mail[0].body
    assert_ledger_clean()


def test_the_next_day_is_billed_although_an_earlier_day_has_an_isolated_account(monkeypatch):
    poisoned, healthy, bad, good = _poisoned_day(monkeypatch)
    send(good, "task_calls", 500_000, D + ONE_DAY)  # ¥50.00

    assert deduction_days_due(today=D + 2 * ONE_DAY) == [D, D + ONE_DAY]
    report = deduction_run_due(now=after(D + ONE_DAY))

    assert [(run.day, run.status) for run in report.runs] == [
        (D, RunStatus.PARTIAL),
        (D + ONE_DAY, RunStatus.DONE),
    ]
    assert bill_of(good, D + ONE_DAY).total == Decimal("50.00")
    assert BillSettlement.objects.get(bill=bill_of(good, D + ONE_DAY)).cash == Decimal("50.00")
    assert Wallet.objects.get(account=healthy).cash_balance == Decimal("850.00")
    # isolated on this pass, not retried within it; the next pass tries it once more
    assert BillingAccountFailure.objects.get(account=poisoned).attempts == 1
    report = deduction_run_due(now=after(D + ONE_DAY) + timedelta(hours=1))
    assert [(run.day, run.status) for run in report.runs] == [(D, RunStatus.PARTIAL)]
    assert BillingAccountFailure.objects.get(account=poisoned).attempts == 2
    assert DailyBill.objects.filter(workspace=good).count() == 2
    assert_ledger_clean()


def test_an_isolated_account_accepts_a_corrected_sample_and_is_billed_by_the_next_pass(
    monkeypatch,
):
    poisoned, healthy, bad, good = _poisoned_day(monkeypatch)
    bill(D)

    # the operator re-sends the hour with the right quantity: the day is not billed for it
    usage_ingest(
        samples=[{"workspace": bad.pk, "item": "sms", "hour": hour_of(D, 3), "quantity": 240}],
        now=after(D, minutes=30),
    )
    # a billed account's day takes the sample as late usage, re-rated by a later run
    assert (
        send_many(
            [{"workspace": good.pk, "item": "task_calls", "hour": hour_of(D, 4), "quantity": 1}], D
        ).late
        == 1
    )

    run = bill(D)

    assert run.status == RunStatus.DONE
    assert bill_of(bad, D).total == Decimal("24.00")
    assert bill_of(good, D).total == Decimal("100.00")
    assert BillingAccountFailure.objects.get(account=poisoned).resolved_at is not None
    assert Wallet.objects.get(account=poisoned).arrears == Decimal("24.00")
    assert DailyBill.objects.filter(day=D).count() == 2
    assert_ledger_clean()


def test_the_nightly_task_goes_past_a_partial_day(monkeypatch):
    from billing import tasks

    today = billing_day(at(date.today()))
    first, second = today - 2 * ONE_DAY, today - ONE_DAY
    poisoned, healthy, bad, good = _poisoned_day(monkeypatch, day=first)
    send(good, "task_calls", 500_000, second)
    # run the chain in-process: each .delay calls the task at once
    monkeypatch.setattr(tasks.deduction_chunk, "delay", lambda *args: tasks.deduction_chunk(*args))
    monkeypatch.setattr(
        tasks.deduction_nightly, "delay", lambda *args: tasks.deduction_nightly(*args)
    )

    tasks.deduction_nightly()

    statuses = dict(BillingRun.objects.values_list("day", "status"))
    assert statuses[first] == RunStatus.PARTIAL
    assert statuses[second] == RunStatus.DONE
    assert bill_of(good, second).total == Decimal("50.00")
    # once per pass: the isolated account was not retried in a loop
    assert BillingAccountFailure.objects.get(account=poisoned).attempts == 1


def test_an_hour_whose_day_could_not_be_stored_is_refused_at_ingestion(owner_api, account_a):
    from django.contrib.auth.models import Permission

    account, owner = account_a
    workspace = make_workspace(account, name="metered", commercial=True)
    owner.user_permissions.add(Permission.objects.get(codename="ingest_usage"))
    sms = catalog_snapshot()["sms"]
    limit = sample_quantity_limit(sms)
    # a day of it at the dearest price stays within ¥10,000,000,000
    assert limit == 4_166_666_666
    hour = hour_of(billing_day(at(date.today())) - ONE_DAY)

    def post(quantity):
        return owner_api.post(
            "/api/v1/usage/",
            {
                "samples": [
                    {"workspace": workspace.pk, "item": "sms", "hour": hour, "quantity": quantity}
                ]
            },
            format="json",
        )

    refused = post(POISON_SMS)
    assert refused.status_code == 400
    assert "4,166,666,666" in refused.json()["errors"]["samples[0].quantity"][0]
    assert post(limit + 1).status_code == 400
    assert post(limit).status_code == 200


def test_every_item_limit_keeps_a_whole_day_within_the_bill_columns():
    from quota.services.usage import MAX_ITEM_DAY_AMOUNT

    for item in catalog_snapshot().values():
        limit = sample_quantity_limit(item)
        hours = 1 if item.aggregation == "max" else 24
        for retention, (price, factor) in (item.tiers or {0: (item.unit_price, 1)}).items():
            dearest = max(price, factor * item.unit_price)
            assert item.amount(limit * hours, dearest) <= MAX_ITEM_DAY_AMOUNT, (
                item.code,
                retention,
            )


# --- 2. statements reconcile at the month's end -------------------------------------------


def test_the_last_days_debt_is_arrears_at_that_months_end(account_a):
    from billing.selectors import statement_compute

    account, _ = account_a
    workspace = make_workspace(account, name="month-end", commercial=True)
    fund_cash(account, "30.00", at(date(2026, 3, 20)))
    last_day = date(2026, 3, 31)
    send(workspace, "task_calls", 1_000_000, last_day)  # ¥100.00, settled on April 1st 00:10
    bill(last_day)

    march = statement_compute(account=account, month=last_day, now=after(last_day))
    assert march.payg_charged == Decimal("100.00")
    assert march.paid_by_cash == Decimal("30.00")
    assert march.left_in_arrears == Decimal("70.00")
    assert march.arrears_at_month_end == Decimal("70.00")
    # paid on April 2nd: April ends with no debt, March still shows its own
    fund_cash(account, "70.00", at(date(2026, 4, 2)))
    april = statement_compute(account=account, month=date(2026, 4, 1), now=at(date(2026, 5, 3)))
    assert april.arrears_at_month_end == Decimal("0.00")
    march = statement_compute(account=account, month=last_day, now=at(date(2026, 5, 3)))
    assert march.arrears_at_month_end == Decimal("70.00")


# --- 6. a manual run catches up, oldest first ---------------------------------------------


def test_run_deduction_without_a_date_bills_every_unbilled_day_oldest_first(account_a):
    from io import StringIO

    from django.core.management import call_command

    account, _ = account_a
    workspace = make_workspace(account, name="catch-up", commercial=True)
    today = billing_day(at(date.today()))
    days = [today - 3 * ONE_DAY, today - 2 * ONE_DAY, today - ONE_DAY]
    give_voucher(account, "50.00", at(today - 10 * ONE_DAY))
    for day in days:
        send(workspace, "task_calls", 450_000, day)  # ¥45.00 a day

    out = StringIO()
    call_command("run_deduction", stdout=out)

    settled = {
        settlement.day: (settlement.ordinary_vouchers, settlement.arrears)
        for settlement in BillSettlement.objects.filter(account=account)
    }
    assert settled == {
        days[0]: (Decimal("45.00"), Decimal("0.00")),
        days[1]: (Decimal("5.00"), Decimal("40.00")),
        days[2]: (Decimal("0.00"), Decimal("45.00")),
    }
    for day in days:
        assert f"{day}: done, 1 bill(s)" in out.getvalue()
    assert_ledger_clean()


# --- 7. an item's overage is charged once per workspace -------------------------------------


def test_split_retention_overage_is_truncated_once_for_the_item(account_a):
    account, _ = account_a
    workspace = make_workspace(account, name="split", commercial=True)
    subscribe(account, [workspace], start=D)  # logs quota 40,000,000
    send(workspace, "logs", 41_005_000, D, retention=14)  # 1,005,000 over
    send(workspace, "logs", 502_500, D, retention=30)  # converted 1,005,000, all over
    bill(D)

    lines = lines_of(workspace, D)
    assert lines[("logs", 14)].payg_quantity == 1_005_000
    assert lines[("logs", 30)].payg_quantity == 1_005_000
    # 2,010,000 → 2.01 units × ¥1.50 = ¥3.015 → ¥3.02 (not 1.50 + 1.50)
    assert bill_of(workspace, D).total == Decimal("3.02")
    assert lines[("logs", 14)].amount + lines[("logs", 30)].amount == Decimal("3.02")
    assert lines[("logs", 14)].amount == Decimal("1.50")


# --- decisions ----------------------------------------------------------------------------


def test_a_voucher_valid_on_the_bills_day_pays_it_in_a_late_catch_up(account_a):
    account, _ = account_a
    workspace = make_workspace(account, name="late", commercial=True)
    # valid until D+1 12:00 (Asia/Shanghai); the day is billed three days later
    voucher = give_voucher(account, "100.00", day_start(D) - timedelta(hours=12), valid_days=2)
    gone = give_voucher(account, "100.00", day_start(D) - timedelta(days=3), valid_days=2)
    send(workspace, "task_calls", 300_000, D)  # ¥30.00
    bill(D).refresh_from_db()  # nothing special: just make sure D is billed on time first
    send(workspace, "task_calls", 200_000, D + ONE_DAY)  # ¥20.00
    from billing.services.nightly import deduction_run_day

    deduction_run_day(day=D + ONE_DAY, now=after(D + 3 * ONE_DAY))

    voucher.refresh_from_db()
    gone.refresh_from_db()
    assert voucher.balance == Decimal("50.00")  # paid both days
    assert gone.balance == Decimal("100.00")  # expired before D: pays nothing
    settlement = BillSettlement.objects.get(bill=bill_of(workspace, D + ONE_DAY))
    assert settlement.ordinary_vouchers == Decimal("20.00")


def test_a_voucher_expired_before_the_bills_day_pays_nothing(account_a):
    account, _ = account_a
    workspace = make_workspace(account, name="expired", commercial=True)
    give_voucher(account, "100.00", day_start(D) - timedelta(days=2, hours=1), valid_days=2)
    send(workspace, "task_calls", 300_000, D)
    bill(D)
    assert BillSettlement.objects.get(bill=bill_of(workspace, D)).arrears == Decimal("30.00")
    assert Voucher.objects.get(account=account).balance == Decimal("100.00")


def test_a_workspace_upgraded_at_15_00_is_billed_from_that_hour_on(account_a):
    account, _ = account_a
    workspace = make_workspace(account, name="upgraded-today")
    for hour in (9, 14, 15, 16):
        send(workspace, "task_calls", 100_000, D, hour=hour)  # ¥10.00 an hour
    workspace_upgrade_by_staff(workspace_id=workspace.pk, actor=None, now=at(D, 15))
    bill(D)
    assert lines_of(workspace, D)[("task_calls", None)].quantity == 200_000
    assert bill_of(workspace, D).total == Decimal("20.00")


def _renewed(account, workspaces):
    subscription = subscribe(account, workspaces, start=D)
    renewal = subscription_renew(subscription=subscription, today=D + 10 * ONE_DAY)
    return subscription, renewal


def test_an_upgrade_after_the_renewal_was_bought_carries_over_to_the_renewal(account_a):
    account, _ = account_a
    workspace = make_workspace(account, name="renewed", commercial=True)
    subscription, renewal = _renewed(account, [workspace])
    upgrade_day = D + 182 * ONE_DAY  # 183 of 365 days left
    fund_cash(account, "400000.00", at(upgrade_day))
    body = {"kind": "upgrade", "subscription": subscription.pk, "plan": "growth_development"}

    quote = quote_of(account=account, data=body, today=upgrade_day)
    assert [line.amount for line in quote.lines] == [Decimal("119326.03"), Decimal("238000.00")]
    assert quote.total == Decimal("357326.03")
    place(account, body, cash("357326.03"), at(upgrade_day))

    growth = plan_get(code="growth_development")
    assert plans_on(subscription_ids=[renewal.pk], day=renewal.start_date)[renewal.pk] == growth
    assert (
        plans_on(subscription_ids=[subscription.pk], day=subscription.end_date)[subscription.pk]
        == growth
    )
    assert_ledger_clean()


def test_a_binding_change_after_the_renewal_was_bought_carries_over_to_the_renewal(account_a):
    account, _ = account_a
    first = make_workspace(account, name="first", commercial=True)
    second = make_workspace(account, name="second", commercial=True)
    subscription, renewal = _renewed(account, [first])
    subscription_set_workspaces(
        subscription=subscription, workspace_ids=[second.pk, first.pk], today=D + 20 * ONE_DAY
    )
    assert bindings_on(subscription_ids=[renewal.pk], day=renewal.start_date)[renewal.pk] == [
        second.pk,
        first.pk,
    ]


@override_settings(BILLING_OPERATOR_EMAILS=["ops@example.com"], USAGE_MAX_AGE_DAYS=31)
def test_an_unbilled_day_older_than_catch_up_is_reported_to_operators(
    account_a, django_capture_on_commit_callbacks
):
    account, _ = account_a
    workspace = make_workspace(account, name="old", commercial=True)
    today = D + 60 * ONE_DAY
    old_day = D
    usage_ingest(
        samples=[
            {
                "workspace": workspace.pk,
                "item": "task_calls",
                "hour": hour_of(old_day),
                "quantity": 1,
            }
        ],
        now=after(today - ONE_DAY),
        operator_import=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = deduction_run_due(now=after(today - ONE_DAY))
    assert report.beyond_catch_up == [old_day]
    assert old_day not in [run.day for run in report.runs]
    assert any(str(old_day) in message.body for message in mail.outbox)


# --- 5. money parsing --------------------------------------------------------------------


@pytest.mark.parametrize("text", ["4.1e4", "1E+30", "1e309", "NaN", "Infinity", " 1 000", "0x10"])
def test_an_amount_with_an_exponent_or_other_notation_is_refused(text):
    from common.money import parse_amount

    with pytest.raises(InvalidInput):
        parse_amount(text, field="cash")


def test_a_pack_quote_too_large_for_an_order_is_a_clear_400(owner_api, account_a):
    account, _ = account_a
    workspace = make_workspace(account, name="huge", commercial=True)
    answer = owner_api.post(
        "/api/v1/orders/quote/",
        {
            "kind": "new_package",
            "plan": "startup_acceleration",
            "workspaces": [workspace.pk],
            "traffic_packs": [{"item": "logs", "capacity": 10**16}],
        },
        format="json",
    )
    assert answer.status_code == 400
    assert "traffic_packs" in answer.json()["errors"]


def test_cash_written_with_an_exponent_does_not_pay_an_order(owner_api, account_a):
    account, _ = account_a
    fund_cash(account, "50000.00", at(date.today()))
    answer = owner_api.post(
        "/api/v1/orders/",
        {"kind": "prepaid_card", "face_value": "41000.00", "payment": {"cash": "4.1e4"}},
        format="json",
    )
    assert answer.status_code == 400
    assert "payment.cash" in answer.json()["errors"]
    assert Wallet.objects.get(account=account).cash_balance == Decimal("50000.00")


def test_a_credit_that_would_overflow_the_cash_balance_is_refused(account_a):
    from wallet.services.balances import cash_credit

    account, _ = account_a
    for number in range(9):
        fund_cash(account, "100000000000.00", at(D + number * ONE_DAY))
    with pytest.raises(InvalidInput) as refused:
        cash_credit(
            account_id=account.pk, amount="100000000000.00", reference="one too many", now=at(D)
        )
    assert refused.value.field == "amount"
    assert Wallet.objects.get(account=account).cash_balance == Decimal("900000000000.00")
    cash_credit(account_id=account.pk, amount="99999999999.99", reference="fits", now=at(D))
    assert_ledger_clean()


@override_settings(
    BILLING_OPERATOR_EMAILS=["ops@example.com"],
    EMAIL_BACKEND="tests.mailservers.MailServerDown",
)
def test_an_isolated_account_is_still_logged_when_the_mail_server_is_down(
    monkeypatch, django_capture_on_commit_callbacks, caplog
):
    poisoned, healthy, bad, good = _poisoned_day(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        run = bill(D)
    assert run.status == RunStatus.PARTIAL
    assert bill_of(good, D).total == Decimal("100.00")
    # The operators' e-mail is an outbox row of the run's transaction: kept, to be retried.
    notice = Email.objects.get(subject__endswith=f"not billed for {D}")
    assert (notice.to, notice.status) == (["ops@example.com"], STATUS.requeued)
    assert "will be retried" in caplog.text
    assert f"account {poisoned.pk}" in caplog.text
