"""The ledger's own check (`ledger_verify`): balances are the sums of their entries."""

from django.db import connection
from django.db.models import Q

from quota.models import BillAdjustment
from wallet.models import LedgerEntry, PrepaidCard, Voucher, Wallet


def balances_match(*, account_id: int | None = None) -> list[str]:
    """Every balance equals the sum of its entries, and each entry's balance_after is the running
    sum in write order (entries of one instrument are written under its row lock, so ids follow
    that order). Returns the problems found (empty when the ledger is clean)."""
    scope = "" if account_id is None else "AND e.account_id = %(account)s"
    params = {"account": account_id}
    problems: list[str] = []
    with connection.cursor() as cursor:
        problems += _wallet_sums_mismatch(cursor, scope, params)
        for model, column in ((Voucher, "voucher_id"), (PrepaidCard, "prepaid_card_id")):
            problems += _instrument_sums_mismatch(cursor, scope, params, model, column)
        problems += _running_balance_breaks(cursor, scope, params)
        problems += _adjustments_unsettled(cursor, scope, params)
    problems += _negative_balances()
    return problems


def _wallet_sums_mismatch(cursor, scope: str, params: dict) -> list[str]:
    """Wallets whose cash or arrears differ from the sum of their cash or arrears entries."""
    cursor.execute(
        f"""
        SELECT w.account_id, w.cash_balance, w.arrears,
               COALESCE(SUM(e.amount) FILTER (WHERE e.instrument = 'cash'), 0),
               COALESCE(SUM(e.amount) FILTER (WHERE e.instrument = 'arrears'), 0)
        FROM {Wallet._meta.db_table} w
        LEFT JOIN {LedgerEntry._meta.db_table} e ON e.account_id = w.account_id
        WHERE TRUE {scope.replace("e.account_id", "w.account_id")}
        GROUP BY w.account_id, w.cash_balance, w.arrears
        HAVING w.cash_balance <> COALESCE(SUM(e.amount) FILTER (WHERE e.instrument = 'cash'), 0)
            OR w.arrears <> COALESCE(SUM(e.amount) FILTER (WHERE e.instrument = 'arrears'), 0)
        """,
        params,
    )
    return [
        f"account {account}: cash {cash} ≠ entries {cash_sum}, "
        f"or arrears {arrears} ≠ entries {arrears_sum}"
        for account, cash, arrears, cash_sum, arrears_sum in cursor.fetchall()
    ]


def _instrument_sums_mismatch(cursor, scope: str, params: dict, model, column: str) -> list[str]:
    """Vouchers or prepaid cards whose balance differs from the sum of their entries."""
    cursor.execute(
        f"""
        SELECT i.id, i.balance, COALESCE(SUM(e.amount), 0)
        FROM {model._meta.db_table} i
        LEFT JOIN {LedgerEntry._meta.db_table} e ON e.{column} = i.id
        WHERE i.account_id IS NOT NULL {scope.replace("e.account_id", "i.account_id")}
        GROUP BY i.id, i.balance
        HAVING i.balance <> COALESCE(SUM(e.amount), 0)
        """,
        params,
    )
    return [
        f"{model._meta.verbose_name} {pk}: balance {balance} ≠ entries {total}"
        for pk, balance, total in cursor.fetchall()
    ]


def _running_balance_breaks(cursor, scope: str, params: dict) -> list[str]:
    """Entries (at most 20) whose balance_after is not the running sum of their instrument."""
    cursor.execute(
        f"""
        SELECT id, instrument, balance_after, running FROM (
            SELECT e.id, e.instrument, e.balance_after,
                   SUM(e.amount) OVER (
                       PARTITION BY e.account_id, e.instrument, e.voucher_id, e.prepaid_card_id
                       ORDER BY e.id) AS running
            FROM {LedgerEntry._meta.db_table} e WHERE TRUE {scope}
        ) chain WHERE balance_after <> running LIMIT 20
        """,
        params,
    )
    return [
        f"ledger entry {pk} ({instrument}): balance_after {balance_after} ≠ running sum {running}"
        for pk, instrument, balance_after, running in cursor.fetchall()
    ]


def _adjustments_unsettled(cursor, scope: str, params: dict) -> list[str]:
    """Adjustments (at most 20) whose entries do not move exactly their amount: what left (or
    came back to) cash, cards and vouchers plus what the debt grew (or shrank) by."""
    cursor.execute(
        f"""
        SELECT a.id, a.amount, COALESCE(SUM(
            CASE WHEN e.instrument = 'arrears' THEN e.amount ELSE -e.amount END), 0) AS moved
        FROM {BillAdjustment._meta.db_table} a
        LEFT JOIN {LedgerEntry._meta.db_table} e ON e.adjustment_id = a.id
        WHERE TRUE {scope.replace("e.account_id", "a.account_id")}
        GROUP BY a.id, a.amount
        HAVING a.amount <> COALESCE(SUM(
            CASE WHEN e.instrument = 'arrears' THEN e.amount ELSE -e.amount END), 0)
        LIMIT 20
        """,
        params,
    )
    return [
        f"adjustment {pk}: amount {amount} ≠ moved by its entries {moved}"
        for pk, amount, moved in cursor.fetchall()
    ]


def _negative_balances() -> list[str]:
    """Wallets, vouchers and cards below zero, counted over the whole ledger."""
    negative = Wallet.objects.filter(Q(cash_balance__lt=0) | Q(arrears__lt=0)).count()
    negative += (
        Voucher.objects.filter(balance__lt=0).count()
        + PrepaidCard.objects.filter(balance__lt=0).count()
    )
    return [f"{negative} negative balance(s)"] if negative else []
