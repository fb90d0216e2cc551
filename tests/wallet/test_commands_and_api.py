"""Wallet operations commands and the read endpoints of vouchers, cards and the ledger."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from tests.orders.helpers import assert_ledger_clean, give_voucher
from wallet.models import LedgerEntry, PrepaidCard, Voucher, Wallet

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_credit_cash_issue_voucher_and_card(account_a):
    account, _ = account_a
    assert "cash 1,500.00" in run(
        "credit_cash", "--account", str(account.pk), "--amount", "1500", "--reference", "BANK-1"
    )
    entry = LedgerEntry.objects.get(kind="cash_credit")
    assert (entry.amount, entry.reference) == (Decimal("1500.00"), "BANK-1")
    voucher = Voucher.objects.get(
        pk=int(run("issue_voucher", "--account", str(account.pk), "--amount", "50"))
    )
    assert (voucher.kind, voucher.balance, voucher.account_id) == (
        "ordinary",
        Decimal("50.00"),
        account.pk,
    )
    code = run("issue_voucher", "--code-only", "--amount", "20", "--valid-days", "30")
    assert Voucher.objects.get(code=code).account_id is None
    card = PrepaidCard.objects.get(
        pk=int(run("issue_prepaid_card", "--account", str(account.pk), "--amount", "3000"))
    )
    assert (card.balance, card.source) == (Decimal("3000.00"), "partner")
    assert Wallet.objects.get(account=account).cash_balance == Decimal("1500.00")
    assert_ledger_clean()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["credit_cash", "--account", "999999", "--amount", "1", "--reference", "x"],
            "no such account",
        ),
        (["credit_cash", "--account", "{account}", "--amount", "-5", "--reference", "x"], "amount"),
        (
            ["credit_cash", "--account", "{account}", "--amount", "1.234", "--reference", "x"],
            "2 decimals",
        ),
        (
            ["credit_cash", "--account", "{account}", "--amount", "10", "--reference", " "],
            "reference",
        ),
        (["issue_voucher", "--amount", "10"], "either --account or --code-only"),
        (
            ["issue_voucher", "--account", "{account}", "--amount", "10", "--valid-days", "0"],
            "Validity",
        ),
        (["issue_prepaid_card", "--account", "{account}", "--amount", "150"], "multiple of ¥100"),
    ],
)
def test_bad_input_exits_with_one_readable_line(account_a, args, message):
    args = [arg.replace("{account}", str(account_a[0].pk)) for arg in args]
    with pytest.raises(CommandError, match=message) as error:
        run(*args)
    assert "\n" not in str(error.value)
    assert LedgerEntry.objects.count() == 0


def test_vouchers_cards_and_ledger_endpoints(account_a, account_b):
    account, owner = account_a
    now = timezone.now()
    mine = give_voucher(account, "30.00", now)
    give_voucher(account_b[0], "99.00", now)
    run("issue_prepaid_card", "--account", str(account.pk), "--amount", "200")
    client = APIClient()
    client.force_authenticate(owner)
    vouchers = client.get("/api/v1/vouchers/").json()
    assert [(v["id"], v["kind"], v["balance"], v["status"]) for v in vouchers] == [
        (mine.pk, "ordinary", "30.00", "active")
    ]
    cards = client.get("/api/v1/prepaid-cards/").json()
    assert [(c["face_value"], c["balance"], c["status"]) for c in cards] == [
        ("200.00", "200.00", "active")
    ]
    ledger = client.get("/api/v1/ledger/?instrument=voucher").json()["results"]
    assert [(e["instrument"], e["instrument_id"], e["amount"], e["kind"]) for e in ledger] == [
        ("voucher", mine.pk, "30.00", "issue")
    ]
    account_body = client.get("/api/v1/account/").json()
    assert (account_body["vouchers_balance"], account_body["prepaid_cards_balance"]) == (
        "30.00",
        "200.00",
    )
    assert client.get("/api/v1/ledger/?date_from=junk").status_code == 400
    redeem = client.post("/api/v1/vouchers/redeem/", {"code": "NOPE"}, format="json")
    assert redeem.status_code == 400 and "code" in redeem.json()["errors"]
