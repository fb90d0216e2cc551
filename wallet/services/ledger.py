"""The ledger's own check (`ledger_verify`): balances are the sums of their entries."""

from django.db import connection
from django.db.models import Q

from wallet.models import LedgerEntry, PrepaidCard, Voucher, Wallet


def balances_match(*, account_id: int | None = None) -> list[str]:
    """Every balance equals the sum of its entries, and each entry's balance_after is the running
    sum in write order (entries of one instrument are written under its row lock, so ids follow
    that order). Returns the problems found (empty when the ledger is clean)."""
    problems: list[str] = []
    scope = "" if account_id is None else "AND e.account_id = %(account)s"
    params = {"account": account_id}
    with connection.cursor() as cursor:
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
        for account, cash, arrears, cash_sum, arrears_sum in cursor.fetchall():
            problems.append(
                f"account {account}: cash {cash} ≠ entries {cash_sum}, "
                f"or arrears {arrears} ≠ entries {arrears_sum}"
            )
        for model, column in ((Voucher, "voucher_id"), (PrepaidCard, "prepaid_card_id")):
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
            for pk, balance, total in cursor.fetchall():
                problems.append(
                    f"{model._meta.verbose_name} {pk}: balance {balance} ≠ entries {total}"
                )
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
        for pk, instrument, balance_after, running in cursor.fetchall():
            problems.append(
                f"ledger entry {pk} ({instrument}): balance_after {balance_after} "
                f"≠ running sum {running}"
            )
    negative = Wallet.objects.filter(Q(cash_balance__lt=0) | Q(arrears__lt=0)).count()
    negative += (
        Voucher.objects.filter(balance__lt=0).count()
        + PrepaidCard.objects.filter(balance__lt=0).count()
    )
    if negative:
        problems.append(f"{negative} negative balance(s)")
    return problems
