"""Cash refunds (SPEC 6.3): an operator pays unspent cash back to the customer's bank — never
more than the cash balance, once per reference (a repeat with the same amount answers the first
refund, another amount is a conflict); prepaid cards and vouchers are never refunded. Service,
command, admin form and threads; the ledger stays clean after each."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from common.exceptions import ApplicationError, Conflict, InvalidInput
from tests.factories import UserFactory, make_account
from tests.orders.helpers import assert_ledger_clean, fund_cash, give_card, give_voucher
from tests.threads import in_threads
from wallet.models import LedgerEntry, PrepaidCard, Refund, Voucher, Wallet
from wallet.services import refunds
from wallet.services.refunds import cash_refund

REFERENCE = "REFUND-2026-001"


def refund(account, amount="400.00", reference=REFERENCE, now=None, actor=None):
    return cash_refund(
        account_id=account.pk,
        amount=amount,
        reference=reference,
        actor=actor,
        now=now or timezone.now(),
    )


def cash_of(account) -> Decimal:
    return Wallet.objects.get(account=account).cash_balance


def refund_entries(account) -> list[tuple[str, Decimal, Decimal, str]]:
    entries = LedgerEntry.objects.filter(account=account, kind="refund").order_by("pk")
    return list(entries.values_list("instrument", "amount", "balance_after", "reference"))


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


@pytest.fixture
def funded(account):
    """Alpha Corp with ¥1,000.00 of cash."""
    fund_cash(account, "1000.00", timezone.now())
    return account


@pytest.mark.django_db
def test_a_refund_takes_cash_with_a_ledger_entry_and_remembers_its_reference(funded):
    operator = UserFactory(is_staff=True)
    done = refund(funded, amount="400.00", reference=" refund-2026-001 ", actor=operator)
    assert done.created is True
    assert done.wallet.cash_balance == Decimal("600.00")
    assert cash_of(funded) == Decimal("600.00")
    assert refund_entries(funded) == [
        ("cash", Decimal("-400.00"), Decimal("600.00"), "refund-2026-001")  # as typed
    ]
    stored = Refund.objects.get(account=funded)
    assert (stored.reference, stored.amount, stored.actor) == (
        REFERENCE,
        Decimal("400.00"),
        operator,
    )
    assert stored.entry.actor == operator
    assert_ledger_clean()


@pytest.mark.django_db
def test_a_refund_above_the_cash_balance_is_refused_and_says_the_balance(funded):
    with pytest.raises(InvalidInput) as refused:
        refund(funded, amount="1000.01")
    assert refused.value.code == "refund_above_balance"
    assert refused.value.field == "amount"
    assert "¥1,000.00" in refused.value.message
    assert cash_of(funded) == Decimal("1000.00")
    assert refund_entries(funded) == []
    assert not Refund.objects.exists()
    assert refund(funded, amount="1000.00").wallet.cash_balance == Decimal("0.00")  # the whole
    assert_ledger_clean()


@pytest.mark.django_db
def test_prepaid_cards_and_vouchers_are_never_refunded(funded):
    now = timezone.now()
    card = give_card(funded, "5000", now)
    voucher = give_voucher(funded, "1000.00", now)
    with pytest.raises(InvalidInput) as refused:
        refund(funded, amount="1000.01")  # the card and the voucher count for nothing
    assert refused.value.code == "refund_above_balance"
    refund(funded, amount="1000.00")
    assert PrepaidCard.objects.get(pk=card.pk).balance == Decimal("5000.00")
    assert Voucher.objects.get(pk=voucher.pk).balance == Decimal("1000.00")
    assert cash_of(funded) == Decimal("0.00")
    assert_ledger_clean()


@pytest.mark.django_db
def test_an_account_that_never_held_cash_refunds_nothing(account):
    with pytest.raises(InvalidInput) as refused:
        refund(account, amount="0.01")
    assert refused.value.code == "refund_above_balance"
    assert "¥0.00" in refused.value.message
    assert_ledger_clean()


@pytest.mark.django_db
def test_a_repeated_reference_answers_the_first_refund_and_changes_nothing(funded):
    first_at = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    first = refund(funded, now=first_at)
    again = refund(funded, reference="refund-2026-001", now=first_at + timedelta(hours=1))
    assert (first.created, again.created) == (True, False)
    assert again.refund == first.refund
    assert refunds.refund_made_on(again.refund) == "2026-06-01 10:00"
    assert again.wallet.cash_balance == Decimal("600.00")
    assert cash_of(funded) == Decimal("600.00")
    assert refund_entries(funded) == [("cash", Decimal("-400.00"), Decimal("600.00"), REFERENCE)]
    assert_ledger_clean()


@pytest.mark.django_db
def test_a_repeat_is_answered_even_when_the_balance_no_longer_covers_it(funded):
    refund(funded, amount="800.00")
    assert refund(funded, amount="800.00").created is False  # cash is ¥200.00 now
    assert cash_of(funded) == Decimal("200.00")
    assert_ledger_clean()


@pytest.mark.django_db
def test_the_same_reference_with_another_amount_is_a_conflict(funded):
    refund(funded, amount="400.00")
    with pytest.raises(Conflict) as refused:
        refund(funded, amount="500.00")
    assert refused.value.status_code == 409
    assert refused.value.code == "refund_amount_differs"
    assert refused.value.field == "amount"
    assert "¥400.00" in refused.value.message and "¥500.00" in refused.value.message
    assert cash_of(funded) == Decimal("600.00")
    assert_ledger_clean()


@pytest.mark.django_db
def test_references_are_per_account_and_remittance_references_are_another_list(funded, account_b):
    other, _ = account_b
    fund_cash(other, "300.00", timezone.now())
    refund(funded, amount="100.00")
    assert refund(other, amount="100.00").created is True  # the same reference, another account
    assert refund(funded, amount="50.00", reference="test remittance 1").created is True
    assert (cash_of(funded), cash_of(other)) == (Decimal("850.00"), Decimal("200.00"))
    assert_ledger_clean()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "reference", "field", "code"),
    [
        ("0", REFERENCE, "amount", "amount_not_positive"),
        ("-5.00", REFERENCE, "amount", "amount_not_positive"),
        ("1.005", REFERENCE, "amount", "too_many_decimals"),
        ("1e2", REFERENCE, "amount", "invalid_amount"),
        ("10.00", "   ", "reference", "invalid"),
        ("10.00", "R" * 201, "reference", "max_length"),
    ],
)
def test_bad_input_is_refused_before_anything_moves(funded, amount, reference, field, code):
    with pytest.raises(InvalidInput) as refused:
        refund(funded, amount=amount, reference=reference)
    assert (refused.value.field, refused.value.code) == (field, code)
    assert cash_of(funded) == Decimal("1000.00")
    assert not Refund.objects.exists()


@pytest.mark.django_db
def test_the_constraint_decides_when_the_look_up_missed_the_first_refund(funded, monkeypatch):
    """A writer that did not see the first refund (the look-up under the wallet lock missed it)
    hits the unique constraint, rolls back and answers as a repeat."""
    first = refund(funded)
    monkeypatch.setattr(refunds, "refund_find", lambda **_: None)
    again = refund(funded)
    assert (again.created, again.refund) == (False, first.refund)
    with pytest.raises(Conflict):
        refund(funded, amount="399.00")
    assert cash_of(funded) == Decimal("600.00")
    assert refund_entries(funded) == [("cash", Decimal("-400.00"), Decimal("600.00"), REFERENCE)]
    assert_ledger_clean()


@pytest.mark.django_db
def test_refund_cash_prints_the_refund_and_once_more_that_nothing_changed(funded):
    args = ["refund_cash", "--account", str(funded.pk), "--amount", "400", "--reference"]
    assert run(*args, REFERENCE).splitlines() == [
        f"refund {REFERENCE}: 400.00 refunded",
        "Alpha Corp: cash 600.00",
    ]
    again = run(*args, REFERENCE.lower()).splitlines()
    assert again[0].startswith(f"refund {REFERENCE}: already refunded on ")
    assert again[0].endswith(" (400.00); nothing changed")
    assert again[1] == "Alpha Corp: cash 600.00"
    assert cash_of(funded) == Decimal("600.00")
    assert_ledger_clean()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("account_id", "amount", "reference", "message"),
    [
        (None, "1000.01", REFERENCE, "amount: The cash balance is ¥1,000.00: a refund cannot "),
        (None, "abc", REFERENCE, "amount: 'abc' is not an amount"),
        (None, "10", " ", "reference: Give the refund's bank transfer reference."),
        (999999, "10", REFERENCE, "account 999999: no such account."),
    ],
)
def test_refund_cash_fails_in_one_readable_line(funded, account_id, amount, reference, message):
    args = ["refund_cash", "--account", str(account_id or funded.pk), "--amount", amount]
    with pytest.raises(CommandError) as refused:
        run(*args, "--reference", reference)
    assert str(refused.value).startswith(message)
    assert "\n" not in str(refused.value)
    assert cash_of(funded) == Decimal("1000.00")
    assert_ledger_clean()


@pytest.mark.django_db
def test_refund_cash_with_another_amount_fails_with_the_conflict(funded):
    args = ["refund_cash", "--account", str(funded.pk), "--reference", REFERENCE, "--amount"]
    run(*args, "400")
    with pytest.raises(CommandError) as refused:
        run(*args, "500")
    assert str(refused.value).startswith(f"amount: Refund {REFERENCE} was made on ")
    assert cash_of(funded) == Decimal("600.00")


@pytest.fixture
def operator():
    client = Client()
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    client.user = user
    return client


@pytest.mark.django_db
def test_the_admin_form_refunds_once_and_tells_the_first_refund_when_posted_again(funded, operator):
    url = reverse("admin:wallet_refund_add")
    assert "Refund cash to the customer" in operator.get(url).content.decode()
    form = {"account": funded.pk, "amount": "400.00", "reference": REFERENCE}
    first = operator.post(url, form, follow=True)
    again = operator.post(url, form, follow=True)
    assert [step[1] for step in first.redirect_chain + again.redirect_chain] == [302, 302]
    [done] = list(first.context["messages"])
    assert done.level_tag == "success"
    assert done.message == f"Alpha Corp: refund {REFERENCE} of ¥400.00, cash ¥600.00."
    [told] = list(again.context["messages"])
    assert told.level_tag == "info"
    assert f"refund {REFERENCE} already made on " in told.message
    assert cash_of(funded) == Decimal("600.00")
    assert Refund.objects.get().actor == operator.user
    assert REFERENCE in again.content.decode()  # the changelist lists it
    assert_ledger_clean()


@pytest.mark.django_db
def test_the_admin_form_above_the_balance_shows_the_error_and_keeps_the_input(funded, operator):
    refused = operator.post(
        reverse("admin:wallet_refund_add"),
        {"account": funded.pk, "amount": "1500.00", "reference": REFERENCE},
    )
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "The cash balance is ¥1,000.00" in page
    assert 'value="1500.00"' in page and f'value="{REFERENCE}"' in page
    assert cash_of(funded) == Decimal("1000.00")


@pytest.mark.django_db
def test_refunds_are_history_in_the_admin_never_changed(funded, operator):
    done = refund(funded).refund
    assert operator.get(reverse("admin:wallet_refund_changelist")).status_code == 200
    change = operator.post(
        reverse("admin:wallet_refund_change", args=[done.pk]), {"amount": "1.00"}
    )
    assert change.status_code == 403
    delete = operator.post(reverse("admin:wallet_refund_delete", args=[done.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert Refund.objects.get().amount == Decimal("400.00")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_operators_refunding_the_whole_balance_at_once_refund_it_once():
    account, _ = make_account(name="Two operators")
    fund_cash(account, "1000.00", timezone.now())

    def operate(index):
        try:
            return refund(account, amount="1000.00", reference=f"OPERATOR-{index}").created
        except ApplicationError as error:
            return error.code

    results = in_threads(2, operate)
    assert sorted(results, key=str) == [True, "refund_above_balance"]
    assert Refund.objects.filter(account=account).count() == 1
    assert cash_of(account) == Decimal("0.00")
    assert [amount for _, amount, _, _ in refund_entries(account)] == [Decimal("-1000.00")]
    assert_ledger_clean()
    assert run("ledger_verify").startswith("ledger clean")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_eight_threads_posting_one_refund_refund_it_once():
    account, _ = make_account(name="Double refund")
    fund_cash(account, "1000.00", timezone.now())
    results = in_threads(8, lambda _: refund(account, amount="300.00").created)
    assert sorted(results) == [False] * 7 + [True]
    assert Refund.objects.filter(account=account).count() == 1
    assert cash_of(account) == Decimal("700.00")
    assert refund_entries(account) == [("cash", Decimal("-300.00"), Decimal("700.00"), REFERENCE)]
    assert_ledger_clean()
