"""A small multi-account day: packages of several workspaces, PAYG workspaces, a free one."""

from datetime import date, timedelta

from quota.models import BillingAccountFailure, BillingChunk, BillingRun, DailyBill, DailyBillLine
from tests.factories import make_account, make_workspace
from tests.quota.helpers import after, hour_of, send_many, subscribe


def fund(account, number: int, day: date) -> None:
    """Some money to settle with: cash, an ordinary voucher, a card, in varying amounts."""
    from wallet.services.balances import cash_credit
    from wallet.services.instruments import prepaid_card_issue, voucher_issue

    funded_at = after(day) - timedelta(days=5)
    if number % 2 == 0:
        cash_credit(
            account_id=account.pk,
            amount=f"{20 + number * 7}.50",
            reference=f"remit {number}",
            now=funded_at,
        )
    if number % 3 == 0:
        voucher_issue(account_id=account.pk, amount=f"{30 + number}.00", now=funded_at)
    if number % 3 == 1:
        prepaid_card_issue(account_id=account.pk, amount="100", now=funded_at)


def build_scenario(day: date, accounts: int = 5) -> None:
    samples = []
    for number in range(accounts):
        account, _ = make_account(name=f"Scenario {number}")
        workspaces = [
            make_workspace(account, name=f"s{number}-w{index}", commercial=True)
            for index in range(3)
        ]
        make_workspace(account, name=f"s{number}-free")
        fund(account, number, day)
        if number % 2 == 0:
            subscribe(
                account,
                workspaces[:2][:: -1 if number % 4 else 1],
                start=day,
                packs=[("logs", 10_000_000)],
            )
        for index, workspace in enumerate(workspaces):
            for hour in range(0, 24, 6):
                samples += [
                    {
                        "workspace": workspace.pk,
                        "item": "logs",
                        "retention_days": 30,
                        "hour": hour_of(day, hour),
                        "quantity": 3_000_000 * (number + 1) + index * 1_234_567,
                    },
                    {
                        "workspace": workspace.pk,
                        "item": "datakit",
                        "hour": hour_of(day, hour),
                        "quantity": 5 + hour + index,
                    },
                    {
                        "workspace": workspace.pk,
                        "item": "sms",
                        "hour": hour_of(day, hour),
                        "quantity": 7 * index + number,
                    },
                ]
    send_many(samples, day)


def snapshot(day: date) -> list[tuple]:
    """Every bill of the day with its lines, independent of ids and write order."""
    rows = []
    for bill in (
        DailyBill.objects.filter(day=day).prefetch_related("lines__item").order_by("workspace_id")
    ):
        lines = sorted(
            (
                line.item.code,
                line.retention_days,
                line.quantity,
                line.converted_quantity,
                line.plan_covered,
                line.traffic_covered,
                tuple(sorted(line.traffic_by_pack.items())),
                line.payg_quantity,
                line.unit_price,
                line.amount,
            )
            for line in bill.lines.all()
        )
        rows.append(
            (bill.workspace_id, bill.account_id, bill.subscription_id, bill.total, tuple(lines))
        )
    return rows


def money_snapshot(day: date) -> list[tuple]:
    """How the day's bills were paid: settlements and ledger entries, independent of ids."""
    from wallet.models import BillSettlement, LedgerEntry, Wallet

    settlements = sorted(
        BillSettlement.objects.filter(day=day).values_list(
            "bill__workspace_id",
            "ordinary_vouchers",
            "full_reduction_vouchers",
            "prepaid_cards",
            "cash",
            "arrears",
        )
    )
    entries = sorted(
        LedgerEntry.objects.filter(daily_bill__day=day).values_list(
            "daily_bill__workspace_id", "instrument", "amount", "balance_after", "kind"
        )
    )
    wallets = sorted(Wallet.objects.values_list("account_id", "cash_balance", "arrears"))
    return [tuple(settlements), tuple(entries), tuple(wallets)]


def forget_day(day: date) -> None:
    """Test-only: forget a day's run, bills and their payment, to run the day again from scratch."""
    from django.db.models import Sum

    from wallet.models import BillSettlement, LedgerEntry, PrepaidCard, Voucher, Wallet
    from workspaces.models import Workspace

    LedgerEntry.objects.filter(daily_bill__day=day).delete()
    BillSettlement.objects.filter(day=day).delete()
    # every balance back to the sum of the entries that remain
    for wallet in Wallet.objects.all():
        sums = dict(
            LedgerEntry.objects.filter(
                account_id=wallet.account_id, instrument__in=["cash", "arrears"]
            )
            .values("instrument")
            .annotate(total=Sum("amount"))
            .values_list("instrument", "total")
        )
        Wallet.objects.filter(pk=wallet.pk).update(
            cash_balance=sums.get("cash", 0), arrears=sums.get("arrears", 0)
        )
    for model, column in ((Voucher, "voucher"), (PrepaidCard, "prepaid_card")):
        for instrument in model.objects.exclude(account=None):
            total = LedgerEntry.objects.filter(**{column: instrument}).aggregate(
                total=Sum("amount")
            )["total"]
            model.objects.filter(pk=instrument.pk).update(balance=total or 0)
    Wallet.objects.update(arrears_since=None, arrears_reminded_at=None, locked_at=None)
    Workspace.objects.update(status="active")
    DailyBillLine.objects.filter(bill__day=day).delete()
    DailyBill.objects.filter(day=day).delete()
    BillingChunk.objects.filter(run__day=day).delete()
    BillingAccountFailure.objects.filter(run__day=day).delete()
    BillingRun.objects.filter(day=day).delete()
