"""One credit per remittance: a reference is credited once per account. A repeat with the same
amount answers the first credit and changes nothing (service, command, admin form); with
another amount it is a conflict; threads posting one remittance at once credit it once; the
migration keeps the duplicates credited before it and gives each reference its first credit."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from common.exceptions import ApplicationError, Conflict, InvalidInput
from tests.factories import UserFactory, make_account
from tests.threads import in_threads
from wallet.models import LedgerEntry, Wallet
from wallet.services import balances
from wallet.services.balances import cash_credit
from wallet.services.ledger import balances_match

REFERENCE = "DUP-REMIT-777"


def credit(account, amount="1000.00", reference=REFERENCE, now=None):
    return cash_credit(
        account_id=account.pk, amount=amount, reference=reference, now=now or timezone.now()
    )


def cash_of(account) -> Decimal:
    return Wallet.objects.get(account=account).cash_balance


def credits_of(account) -> list[tuple[Decimal, str]]:
    entries = LedgerEntry.objects.filter(account=account, kind="cash_credit").order_by("pk")
    return list(entries.values_list("amount", "reference"))


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


@pytest.mark.django_db
def test_a_repeat_through_the_service_answers_the_first_credit_and_changes_nothing(account):
    first_at = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    first = credit(account, now=first_at)
    again = credit(account, now=first_at + timedelta(minutes=1))
    assert cash_of(account) == Decimal("1000.00")
    assert credits_of(account) == [(Decimal("1000.00"), REFERENCE)]
    assert (first.created, again.created) == (True, False)
    assert again.remittance == first.remittance
    assert again.remittance.entry.amount == Decimal("1000.00")
    assert again.remittance.credited_on == "2026-06-01 10:00"
    assert again.wallet.cash_balance == Decimal("1000.00")
    assert balances_match() == []


@pytest.mark.django_db
def test_a_reference_is_known_without_case_and_surrounding_or_repeated_space(account, account_b):
    credit(account, reference="DUP-REMIT 777")
    assert credit(account, reference="  dup-remit   777 ").created is False
    assert cash_of(account) == Decimal("1000.00")
    assert credits_of(account) == [(Decimal("1000.00"), "DUP-REMIT 777")]  # as typed
    other, _ = account_b  # unique per account: another account's remittance is another one
    assert credit(other, reference="DUP-REMIT 777").created is True
    assert cash_of(other) == Decimal("1000.00")
    assert balances_match() == []


@pytest.mark.django_db
def test_the_same_reference_with_another_amount_is_a_conflict(account):
    credit(account)
    with pytest.raises(Conflict) as refused:
        credit(account, amount="2000.00")
    assert refused.value.code == "remittance_amount_differs"
    assert refused.value.field == "amount"
    assert "¥1,000.00" in refused.value.message and "¥2,000.00" in refused.value.message
    assert cash_of(account) == Decimal("1000.00")
    assert credits_of(account) == [(Decimal("1000.00"), REFERENCE)]


@pytest.mark.django_db
def test_a_repeat_on_an_account_in_debt_pays_the_debt_once(account):
    now = timezone.now()
    Wallet.objects.create(account=account, arrears=Decimal("100.00"), arrears_since=now)
    LedgerEntry.objects.create(
        account=account,
        instrument="arrears",
        amount=Decimal("100.00"),
        balance_after=Decimal("100.00"),
        kind="arrears_incurred",
        created_at=now,
    )
    paid = credit(account, amount="150.00", now=now)
    assert (paid.wallet.cash_balance, paid.wallet.arrears) == (Decimal("50.00"), Decimal("0"))
    again = credit(account, amount="150.00", now=now)
    assert (again.created, again.wallet.cash_balance) == (False, Decimal("50.00"))
    assert LedgerEntry.objects.filter(account=account).count() == 4  # debt, credit, paid × 2
    assert balances_match() == []


@pytest.mark.django_db
def test_a_blank_or_too_long_reference_is_refused(account):
    for reference in ["  ", "R" * 201]:
        with pytest.raises(InvalidInput) as refused:
            credit(account, reference=reference)
        assert refused.value.field == "reference"
    assert not Wallet.objects.filter(account=account, cash_balance__gt=0).exists()


@pytest.mark.django_db
def test_the_constraint_decides_when_the_look_up_missed_the_first_credit(account, monkeypatch):
    """A writer that did not see the first credit (the look-up under the wallet lock missed it)
    hits the unique constraint, rolls back and answers as a repeat."""
    first = credit(account)
    monkeypatch.setattr(balances, "remittance_find", lambda **_: None)
    again = credit(account)
    assert (again.created, again.remittance) == (False, first.remittance)
    assert cash_of(account) == Decimal("1000.00")
    with pytest.raises(Conflict):
        credit(account, amount="999.00")
    assert credits_of(account) == [(Decimal("1000.00"), REFERENCE)]
    assert balances_match() == []


@pytest.mark.django_db
def test_credit_cash_run_twice_credits_once_and_says_so(account):
    args = ["credit_cash", "--account", str(account.pk), "--amount", "1000", "--reference"]
    assert "cash 1,000.00" in run(*args, REFERENCE)
    again = run(*args, f" {REFERENCE.lower()} ")
    assert f"remittance {REFERENCE}: already credited on " in again
    assert "nothing changed" in again and "cash 1,000.00" in again
    assert cash_of(account) == Decimal("1000.00")
    assert credits_of(account) == [(Decimal("1000.00"), REFERENCE)]


@pytest.mark.django_db
def test_credit_cash_with_another_amount_fails_in_one_line(account):
    args = ["credit_cash", "--account", str(account.pk), "--reference", REFERENCE, "--amount"]
    run(*args, "1000")
    with pytest.raises(CommandError) as refused:
        run(*args, "1500")
    message = str(refused.value)
    assert message.startswith("amount: Remittance DUP-REMIT-777 was credited on ")
    assert "\n" not in message
    assert cash_of(account) == Decimal("1000.00")


@pytest.fixture
def operator():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.django_db
def test_the_admin_form_posted_twice_credits_once_and_tells_the_first_credit(account, operator):
    url = reverse("admin:wallet_wallet_add")
    form = {"account": account.pk, "amount": "1000.00", "reference": REFERENCE}
    first = operator.post(url, form, follow=True)  # the changelist shows (and uses) the message
    again = operator.post(url, form, follow=True)
    assert [step[1] for step in first.redirect_chain + again.redirect_chain] == [302, 302]
    assert cash_of(account) == Decimal("1000.00")
    assert credits_of(account) == [(Decimal("1000.00"), REFERENCE)]
    assert [m.level_tag for m in first.context["messages"]] == ["success"]
    [told] = list(again.context["messages"])
    assert told.level_tag == "info"
    assert f"remittance {REFERENCE} already credited on " in told.message
    assert "nothing changed" in again.content.decode()


@pytest.mark.django_db
def test_the_admin_form_with_another_amount_shows_the_error_and_keeps_the_input(account, operator):
    url = reverse("admin:wallet_wallet_add")
    operator.post(url, {"account": account.pk, "amount": "1000.00", "reference": REFERENCE})
    refused = operator.post(
        url, {"account": account.pk, "amount": "1500.00", "reference": REFERENCE}
    )
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "was credited on" in page and "¥1,500.00" in page
    assert 'value="1500.00"' in page and f'value="{REFERENCE}"' in page
    assert cash_of(account) == Decimal("1000.00")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_eight_threads_posting_one_remittance_credit_it_once():
    account, _ = make_account(name="Double poster")
    results = in_threads(8, lambda _: credit(account).created)
    assert sorted(results) == [False] * 7 + [True]
    assert credits_of(account) == [(Decimal("1000.00"), REFERENCE)]
    assert cash_of(account) == Decimal("1000.00")
    assert account.remittances.count() == 1
    assert balances_match() == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_threads_posting_one_remittance_with_two_amounts_credit_one_of_them_once():
    account, _ = make_account(name="Two amounts")

    def post(index):
        amount = "1000.00" if index % 2 else "900.00"
        try:
            return amount, credit(account, amount=amount).created
        except ApplicationError as error:
            return amount, error.code

    results = in_threads(8, post)
    [(won, _)] = [(amount, answer) for amount, answer in results if answer is True]
    assert (
        sorted(answer for amount, answer in results if amount == won and answer is not True)
        == [False] * 3
    )
    assert {answer for amount, answer in results if amount != won} == {"remittance_amount_differs"}
    assert credits_of(account) == [(Decimal(won), REFERENCE)]
    assert cash_of(account) == Decimal(won)
    assert balances_match() == []


BEFORE = ("wallet", "0002_arrears_countdown_from_accounts")


def _migrate(target) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target if isinstance(target, list) else [target])
    return executor


def _credits_twice_before_the_migration(old_apps, first, second) -> dict[str, int]:
    """The bug's data: DUP-REMIT-777 credited twice (and once more typed otherwise) to the
    first account, once to the second, plus another remittance and a credit without one."""
    entry_model = old_apps.get_model("wallet", "LedgerEntry")
    wallet_model = old_apps.get_model("wallet", "Wallet")
    at = datetime(2026, 5, 1, 9, tzinfo=UTC)
    ids, balance = {}, {first.pk: Decimal("0"), second.pk: Decimal("0")}
    rows = [
        ("first", first, "1000.00", REFERENCE),
        ("duplicate", first, "1000.00", REFERENCE),
        ("typed otherwise", first, "100.00", " dup-remit-777 "),
        ("other", first, "50.00", "OTHER-1"),
        ("second", second, "300.00", REFERENCE),
        ("blank", second, "20.00", ""),
    ]
    for number, (name, account, amount, reference) in enumerate(rows):
        balance[account.pk] += Decimal(amount)
        ids[name] = entry_model.objects.create(
            account_id=account.pk,
            instrument="cash",
            amount=Decimal(amount),
            balance_after=balance[account.pk],
            kind="cash_credit",
            reference=reference,
            created_at=at + timedelta(minutes=number),
        ).pk
    for account_id, cash in balance.items():
        wallet_model.objects.create(account_id=account_id, cash_balance=cash)
    return ids


def _assert_remittances_of_first_credits(first, second, ids) -> None:
    from wallet.models import Remittance

    remittances = Remittance.objects.order_by("account_id", "reference")
    assert list(remittances.values_list("account_id", "reference", "amount", "entry_id")) == [
        (first.pk, REFERENCE, Decimal("1000.00"), ids["first"]),
        (first.pk, "OTHER-1", Decimal("50.00"), ids["other"]),
        (second.pk, REFERENCE, Decimal("300.00"), ids["second"]),
    ]
    assert Remittance.objects.get(entry_id=ids["first"]).credited_at == datetime(
        2026, 5, 1, 9, tzinfo=UTC
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_keeps_historic_duplicates_and_remembers_each_first_credit():
    first, _ = make_account(name="Credited twice")
    second, _ = make_account(name="Credited once")
    try:
        executor = _migrate(BEFORE)
        before_apps = executor.loader.project_state(BEFORE).apps
        ids = _credits_twice_before_the_migration(before_apps, first, second)
        # The columns the ledger had then (later migrations add some).
        old_entries = before_apps.get_model("wallet", "LedgerEntry")
        columns = [field.attname for field in old_entries._meta.concrete_fields]
        entries_before = list(old_entries.objects.order_by("pk").values(*columns))
        _migrate(executor.loader.graph.leaf_nodes())
        _assert_remittances_of_first_credits(first, second, ids)
        assert list(LedgerEntry.objects.order_by("pk").values(*columns)) == entries_before
        assert balances_match() == []
        assert run("ledger_verify").startswith("ledger clean")
        # After the migration the bug's remittance is answered, not credited a third time.
        assert credit(first).created is False
        with pytest.raises(Conflict):
            credit(first, amount="100.00")
        assert cash_of(first) == Decimal("2150.00")
        _migrate(BEFORE)  # backwards: the table goes, the ledger stays as it was
        assert "wallet_remittance" not in connection.introspection.table_names()
        assert list(old_entries.objects.order_by("pk").values(*columns)) == entries_before
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert "wallet_remittance" in connection.introspection.table_names()
