"""The migrations that moved the wallet, statements and spend alerts out of orders (wallet 0001
and 0002, billing 0001, quota 0007, orders 0004, workspaces 0003) and turned an order's JSON
lines into rows (orders 0005) keep every row, with its id and exact values: a database filled
with the old schema's data is migrated forward, checked (rows, arrears countdown, order lines,
content types, `ledger_verify`, id sequences), migrated back, checked again, and left at the
newest migrations."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

# The schema before the move.
OLD_STATE = [
    ("orders", "0003_schedules"),
    ("workspaces", "0002_account_arrears_reminded_at_account_locked_at"),
    ("quota", "0006_watchdog_and_partition_schedules"),
]
# wallet 0001 and billing 0001 depend only on migrations at or before OLD_STATE, so migrating
# those three apps back would leave them applied (tables still named wallet_*/billing_* while
# orders' state says orders_*): they are unapplied explicitly.
OLD_TARGETS = [*OLD_STATE, ("wallet", None), ("billing", None)]

MOVED = {  # table before the move → (app after the move, model)
    "orders_wallet": ("wallet", "wallet"),
    "orders_prepaidcard": ("wallet", "prepaidcard"),
    "orders_voucher": ("wallet", "voucher"),
    "orders_ledgerentry": ("wallet", "ledgerentry"),
    "orders_billsettlement": ("wallet", "billsettlement"),
    "orders_statement": ("billing", "statement"),
    "orders_spendalert": ("quota", "spendalert"),
    "orders_spendalertnotice": ("quota", "spendalertnotice"),
}
COUNTDOWN = ["arrears_since", "arrears_reminded_at", "locked_at"]
JSON_COLUMNS = {"lines", "payment", "request"}


def at(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def _executor() -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor


def _migrate(targets) -> None:
    _executor().migrate(targets)
    ContentType.objects.clear_cache()


def _migrate_to_latest() -> None:
    executor = _executor()
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


def _leave_at_latest() -> None:
    """Forward to the newest migrations, even when a migration cannot carry the rows written
    here: the database must not stay half-migrated for the tests that follow."""
    try:
        _migrate_to_latest()
    except Exception:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE orders_order CASCADE")  # and every row that refers to one
        _migrate_to_latest()
        raise


def _applied() -> set[tuple[str, str]]:
    return set(MigrationRecorder(connection).applied_migrations())


def _tables() -> set[str]:
    return set(connection.introspection.table_names())


def _columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        return [
            column.name for column in connection.introspection.get_table_description(cursor, table)
        ]


def _rows(table: str, columns: list[str] | None = None) -> list[dict]:
    """Every row of `table` by id, as column → value (JSON parsed), straight from the database."""
    selected = ", ".join(f'"{column}"' for column in columns) if columns else "*"
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT {selected} FROM "{table}" ORDER BY id')
        names = [column.name for column in cursor.description]
        return [
            {
                name: json.loads(value)
                if name in JSON_COLUMNS and isinstance(value, str)
                else value
                for name, value in zip(names, row, strict=True)
            }
            for row in cursor.fetchall()
        ]


def _without(rows: list[dict], columns: list[str]) -> list[dict]:
    return [{key: value for key, value in row.items() if key not in columns} for row in rows]


def _fill_old_schema(apps) -> dict:
    """Two accounts' money as the old schema held it (every model still in orders, the arrears
    countdown on the account, order lines as JSON); returns the ids written."""
    user_model = apps.get_model("workspaces", "User")
    account_model = apps.get_model("workspaces", "Account")
    workspace_model = apps.get_model("workspaces", "Workspace")
    item_model = apps.get_model("packages", "BillingItem")
    run_model = apps.get_model("quota", "BillingRun")
    bill_model = apps.get_model("quota", "DailyBill")
    wallet_model = apps.get_model("orders", "Wallet")
    card_model = apps.get_model("orders", "PrepaidCard")
    voucher_model = apps.get_model("orders", "Voucher")
    entry_model = apps.get_model("orders", "LedgerEntry")
    settlement_model = apps.get_model("orders", "BillSettlement")
    order_model = apps.get_model("orders", "Order")
    statement_model = apps.get_model("orders", "Statement")
    alert_model = apps.get_model("orders", "SpendAlert")
    notice_model = apps.get_model("orders", "SpendAlertNotice")

    owner = user_model.objects.create(
        username="move-migration-owner", email="owner@move.example", password="!"
    )
    acme = account_model.objects.create(name="Acme (move migration)")
    overdue = account_model.objects.create(
        name="Overdue (move migration)",
        arrears_since=at(2026, 5, 2, 16, 5, 7, 250_001),
        arrears_reminded_at=at(2026, 5, 13, 17, 0, 0, 123_456),
        locked_at=at(2026, 5, 16, 17, 0, 1),
    )
    acme_ws = workspace_model.objects.create(
        account=acme,
        name="prod",
        plan="commercial",
        upgraded_at=at(2026, 1, 5, 2),
        upgraded_by=owner,
    )
    overdue_ws = workspace_model.objects.create(
        account=overdue, name="prod", plan="commercial", upgraded_at=at(2026, 2, 1, 8)
    )
    logs = item_model.objects.get(code="logs")
    run = run_model.objects.create(
        day=date(2026, 5, 2),
        status="done",
        total_chunks=1,
        done_chunks=1,
        bills_written=2,
        started_at=at(2026, 5, 2, 16, 0),
        finished_at=at(2026, 5, 2, 16, 5),
    )
    acme_bill = bill_model.objects.create(
        workspace=acme_ws, account=acme, day=date(2026, 5, 2), total=Decimal("12.34"), run=run
    )
    overdue_bill = bill_model.objects.create(
        workspace=overdue_ws, account=overdue, day=date(2026, 5, 2), total=Decimal("50.00"), run=run
    )

    acme_wallet = wallet_model.objects.create(account=acme, cash_balance=Decimal("687.66"))
    overdue_wallet = wallet_model.objects.create(
        account=overdue, cash_balance=Decimal("0.00"), arrears=Decimal("40.00")
    )

    card_order = order_model.objects.create(
        account=acme,
        kind="prepaid_card",
        status="paid",
        total=Decimal("300.00"),
        lines=[
            {
                "description": "Prepaid card 300.00",
                "quantity": 1,
                "unit_price": "300.00",
                "amount": "300.00",
            },
            {
                "description": "Card PC-MOVE-0001",
                "quantity": 1,
                "unit_price": "0.00",
                "amount": "0.00",
            },
        ],
        request={"kind": "prepaid_card", "face_value": "300.00"},
        payment={"cash": "300.00", "prepaid_cards": [], "vouchers": []},
        idempotency_key="move-card-1",
        request_fingerprint="c" * 64,
        created_by=owner,
        created_at=at(2026, 5, 1, 3, 0),
        paid_at=at(2026, 5, 1, 3, 0, 1),
    )
    card = card_model.objects.create(
        account=acme,
        number="PC-MOVE-0001",
        face_value=Decimal("300.00"),
        balance=Decimal("200.00"),
        source="purchase",
        issued_at=at(2026, 5, 1, 3, 0, 1),
        expires_at=at(2027, 5, 1, 3, 0, 1),
        order=card_order,
    )
    granted = voucher_model.objects.create(
        account=acme,
        kind="full_reduction",
        face_value=Decimal("15.00"),
        balance=Decimal("15.00"),
        issued_at=at(2026, 5, 1, 3, 0, 1),
        expires_at=at(2026, 8, 1, 3, 0, 1),
        granted_by=card_order,
    )
    coded = voucher_model.objects.create(
        account=acme,
        kind="ordinary",
        face_value=Decimal("50.00"),
        balance=Decimal("29.90"),
        issued_at=at(2026, 4, 20),
        expires_at=at(2026, 12, 31, 15, 59, 59),
        code="SPRING-MOVE-2026",
        redeemed_at=at(2026, 5, 1, 4, 30),
    )
    issued = voucher_model.objects.create(
        account=acme,
        kind="ordinary",
        face_value=Decimal("5.00"),
        balance=Decimal("5.00"),
        issued_at=at(2026, 5, 1, 5),
        expires_at=at(2026, 6, 1, 5),
    )
    unredeemed = voucher_model.objects.create(  # an activation code nobody redeemed yet
        account=None,
        kind="ordinary",
        face_value=Decimal("25.00"),
        balance=Decimal("25.00"),
        issued_at=at(2026, 4, 20),
        expires_at=at(2026, 12, 31, 15, 59, 59),
        code="GIFT-MOVE-0002",
    )
    packs_order = order_model.objects.create(
        account=acme,
        kind="traffic_packs",
        status="paid",
        total=Decimal("120.10"),
        lines=[
            {  # as checkout wrote a traffic pack's line before: no item, no capacity
                "description": "Traffic pack APM traces 2,000,000/day × 30 days",
                "quantity": 30,
                "unit_price": "3.00",
                "amount": "90.00",
            },
            {
                "description": "Traffic pack Log records 1,000,000/day × 30 days",
                "quantity": 30,
                "unit_price": "1.00",
                "amount": "30.00",
                "item": "logs",
                "capacity": 1_000_000,
            },
            {
                "description": "Traffic pack RUM page views 10,000/day × 1 days",
                "quantity": 1,
                "unit_price": "0.10",
                "amount": "0.10",
                "item": "rum_pv",
                "capacity": 10_000,
            },
        ],
        request={
            "kind": "traffic_packs",
            "packs": [
                {"item": "traces", "capacity": 2_000_000},
                {"item": "logs", "capacity": 1_000_000},
                {"item": "rum_pv", "capacity": 10_000},
            ],
        },
        payment={
            "cash": "0.00",
            "prepaid_cards": [{"id": card.pk, "amount": "100.00"}],
            "vouchers": [{"id": coded.pk, "amount": "20.10"}],
        },
        idempotency_key=None,
        request_fingerprint="d" * 64,
        created_by=owner,
        created_at=at(2026, 5, 1, 6),
        paid_at=at(2026, 5, 1, 6, 0, 2),
    )

    def entry(account, instrument, amount, balance_after, kind, when, **links):
        return entry_model.objects.create(
            account=account,
            instrument=instrument,
            amount=Decimal(amount),
            balance_after=Decimal(balance_after),
            kind=kind,
            created_at=when,
            **links,
        ).pk

    entries = [
        entry(
            acme,
            "cash",
            "1000.00",
            "1000.00",
            "cash_credit",
            at(2026, 4, 30, 9),
            reference="bank remittance 2026-04-30",
            actor=owner,
        ),
        entry(
            acme,
            "cash",
            "-300.00",
            "700.00",
            "order_payment",
            at(2026, 5, 1, 3, 0, 1),
            order=card_order,
        ),
        entry(
            acme,
            "prepaid_card",
            "300.00",
            "300.00",
            "issue",
            at(2026, 5, 1, 3, 0, 1),
            prepaid_card=card,
            order=card_order,
            reference="card PC-MOVE-0001",
        ),
        entry(
            acme,
            "voucher",
            "15.00",
            "15.00",
            "grant",
            at(2026, 5, 1, 3, 0, 1),
            voucher=granted,
            order=card_order,
        ),
        entry(
            acme,
            "voucher",
            "50.00",
            "50.00",
            "redeem",
            at(2026, 5, 1, 4, 30),
            voucher=coded,
            reference="code SPRING-MOVE-2026",
        ),
        entry(
            acme, "voucher", "5.00", "5.00", "issue", at(2026, 5, 1, 5), voucher=issued, actor=owner
        ),
        entry(
            acme,
            "voucher",
            "-20.10",
            "29.90",
            "order_payment",
            at(2026, 5, 1, 6, 0, 2),
            voucher=coded,
            order=packs_order,
        ),
        entry(
            acme,
            "prepaid_card",
            "-100.00",
            "200.00",
            "order_payment",
            at(2026, 5, 1, 6, 0, 2),
            prepaid_card=card,
            order=packs_order,
        ),
        entry(
            acme,
            "cash",
            "-12.34",
            "687.66",
            "bill_payment",
            at(2026, 5, 2, 16, 3),
            daily_bill=acme_bill,
        ),
        entry(overdue, "cash", "10.00", "10.00", "cash_credit", at(2026, 4, 28, 10)),
        entry(
            overdue,
            "cash",
            "-10.00",
            "0.00",
            "bill_payment",
            at(2026, 5, 2, 16, 5),
            daily_bill=overdue_bill,
        ),
        entry(
            overdue,
            "arrears",
            "40.00",
            "40.00",
            "arrears_incurred",
            at(2026, 5, 2, 16, 5),
            daily_bill=overdue_bill,
        ),
    ]
    settlements = [
        settlement_model.objects.create(
            bill=acme_bill,
            account=acme,
            day=acme_bill.day,
            cash=Decimal("12.34"),
            settled_at=at(2026, 5, 2, 16, 3),
        ).pk,
        settlement_model.objects.create(
            bill=overdue_bill,
            account=overdue,
            day=overdue_bill.day,
            cash=Decimal("10.00"),
            arrears=Decimal("40.00"),
            settled_at=at(2026, 5, 2, 16, 5),
        ).pk,
    ]
    statement = statement_model.objects.create(
        account=acme,
        month=date(2026, 4, 1),
        payg_charged=Decimal("361.57"),
        paid_by_vouchers=Decimal("61.20"),
        paid_by_cards=Decimal("250.03"),
        paid_by_cash=Decimal("50.34"),
        left_in_arrears=Decimal("0.00"),
        orders_total=Decimal("0.00"),
        orders_count=0,
        arrears_at_month_end=Decimal("0.00"),
        created_at=at(2026, 5, 2, 18),
    )
    alert = alert_model.objects.create(
        account=acme, workspace=acme_ws, item=logs, threshold=Decimal("10.00")
    )
    notice = notice_model.objects.create(
        workspace=acme_ws,
        item=logs,
        day=date(2026, 5, 2),
        amount=Decimal("12.34"),
        threshold=Decimal("10.00"),
        created_at=at(2026, 5, 2, 16, 6),
    )
    return {
        "acme": acme.pk,
        "overdue": overdue.pk,
        "wallets": [acme_wallet.pk, overdue_wallet.pk],
        "card": card.pk,
        "vouchers": [granted.pk, coded.pk, issued.pk, unredeemed.pk],
        "orders": [card_order.pk, packs_order.pk],
        "entries": entries,
        "settlements": settlements,
        "statement": statement.pk,
        "alert": alert.pk,
        "notice": notice.pk,
    }


def _old_content_types(apps) -> dict[str, int]:
    """The content type of each moved model as the old schema has it (app orders)."""
    content_type_model = apps.get_model("contenttypes", "ContentType")
    return {
        model: content_type_model.objects.get_or_create(app_label="orders", model=model)[0].pk
        for _, model in MOVED.values()
    }


def _permissions(content_type_ids: dict[str, int]) -> dict[str, set[str]]:
    return {
        model: set(Permission.objects.filter(content_type_id=pk).values_list("codename", flat=True))
        for model, pk in content_type_ids.items()
    }


def _assert_at_old_schema() -> None:
    applied = _applied()
    assert not {key for key in applied if key[0] in ("wallet", "billing")}
    assert ("orders", "0003_schedules") in applied
    assert ("orders", "0004_wallet_statements_alerts_moved_out") not in applied
    assert ("quota", "0007_spend_alerts_from_orders") not in applied
    assert ("workspaces", "0003_arrears_countdown_to_wallet") not in applied
    tables = _tables()
    assert set(MOVED) <= tables
    assert not {f"{app}_{model}" for app, model in MOVED.values()} & tables
    assert "orders_orderline" not in tables
    assert "lines" in _columns("orders_order")
    assert set(COUNTDOWN) <= set(_columns("workspaces_account"))


def _assert_lines_are_rows(orders_before: list[dict]) -> None:
    from orders.models import Order, OrderLine

    assert "lines" not in _columns("orders_order")
    for order in orders_before:
        expected = [
            (
                position,
                line["description"],
                line["quantity"],
                Decimal(line["unit_price"]),
                Decimal(line["amount"]),
                line.get("item", ""),
                line.get("capacity"),
            )
            for position, line in enumerate(order["lines"])
        ]
        rows = OrderLine.objects.filter(order_id=order["id"]).order_by("position")
        got = list(
            rows.values_list(
                "position",
                "description",
                "quantity",
                "unit_price",
                "amount",
                "item_code",
                "capacity",
            )
        )
        assert got == expected, f"order {order['id']}"
        # amounts exactly as written (two decimals), and in the same order as the JSON list
        assert [f"{amount}" for amount in rows.values_list("amount", flat=True)] == [
            line["amount"] for line in order["lines"]
        ]
        assert Order.objects.get(pk=order["id"]).status == order["status"]
    assert OrderLine.objects.count() == sum(len(order["lines"]) for order in orders_before)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_moving_models_keeps_every_row_and_the_ledger_verifies_both_ways():
    try:
        # 1. Back to the schema before the move.
        executor = _executor()
        plan = executor.migration_plan(OLD_TARGETS)
        assert plan and all(backwards for _, backwards in plan)
        unapplied = {(migration.app_label, migration.name) for migration, _ in plan}
        assert {
            ("wallet", "0001_models_from_orders"),
            ("wallet", "0002_arrears_countdown_from_accounts"),
            ("billing", "0001_statements_from_orders"),
            ("quota", "0007_spend_alerts_from_orders"),
            ("orders", "0004_wallet_statements_alerts_moved_out"),
            ("orders", "0005_order_lines_and_status"),
            ("workspaces", "0003_arrears_countdown_to_wallet"),
        } <= unapplied
        _migrate(OLD_TARGETS)
        _assert_at_old_schema()

        # 2. The old schema filled through its historical models.
        old_apps = _executor().loader.project_state(OLD_STATE).apps
        ids = _fill_old_schema(old_apps)
        content_types = _old_content_types(old_apps)
        permissions = _permissions(content_types)
        before = {table: _rows(table) for table in [*MOVED, "orders_order", "workspaces_account"]}
        assert len(before["orders_ledgerentry"]) >= len(ids["entries"]) == 12
        old_max_ids = {
            table: max((row["id"] for row in rows), default=0) for table, rows in before.items()
        }

        # 3. Forward to the newest migrations.
        _migrate_to_latest()

        # 4a. Every row under its new table and model, same ids, same values.
        from billing.models import Statement
        from orders.models import Order, OrderLine
        from quota.models import SpendAlert, SpendAlertNotice
        from wallet.models import BillSettlement, LedgerEntry, PrepaidCard, Voucher, Wallet
        from wallet.services.ledger import balances_match

        tables = _tables()
        assert not set(MOVED) & tables
        models = {
            "orders_wallet": Wallet,
            "orders_prepaidcard": PrepaidCard,
            "orders_voucher": Voucher,
            "orders_ledgerentry": LedgerEntry,
            "orders_billsettlement": BillSettlement,
            "orders_statement": Statement,
            "orders_spendalert": SpendAlert,
            "orders_spendalertnotice": SpendAlertNotice,
        }
        for old_table, (app, model_name) in MOVED.items():
            model = models[old_table]
            assert model._meta.db_table == f"{app}_{model_name}"
            columns = list(before[old_table][0])
            assert _rows(model._meta.db_table, columns) == before[old_table], old_table
            assert list(model.objects.order_by("pk").values(*columns)) == before[old_table]

        acme_wallet = Wallet.objects.get(pk=ids["wallets"][0])
        assert (
            acme_wallet.account_id,
            str(acme_wallet.cash_balance),
            str(acme_wallet.arrears),
        ) == (ids["acme"], "687.66", "0.00")
        assert str(PrepaidCard.objects.get(pk=ids["card"]).balance) == "200.00"
        assert [str(Voucher.objects.get(pk=pk).balance) for pk in ids["vouchers"]] == [
            "15.00",
            "29.90",
            "5.00",
            "25.00",
        ]
        assert Voucher.objects.get(pk=ids["vouchers"][1]).code == "SPRING-MOVE-2026"
        assert Voucher.objects.get(pk=ids["vouchers"][3]).account_id is None
        assert (
            list(
                LedgerEntry.objects.filter(pk__in=ids["entries"])
                .values_list("pk", flat=True)
                .order_by("pk")
            )
            == ids["entries"]
        )
        assert [
            str(amount)
            for amount in LedgerEntry.objects.filter(pk__in=ids["entries"])
            .order_by("pk")
            .values_list("amount", flat=True)
        ] == [
            "1000.00",
            "-300.00",
            "300.00",
            "15.00",
            "50.00",
            "5.00",
            "-20.10",
            "-100.00",
            "-12.34",
            "10.00",
            "-10.00",
            "40.00",
        ]
        overdue_settlement = BillSettlement.objects.get(pk=ids["settlements"][1])
        assert (str(overdue_settlement.cash), str(overdue_settlement.arrears)) == ("10.00", "40.00")
        assert overdue_settlement.bill.total == Decimal("50.00")
        assert str(Statement.objects.get(pk=ids["statement"]).paid_by_cards) == "250.03"
        assert SpendAlert.objects.get(pk=ids["alert"]).item.code == "logs"
        assert str(SpendAlertNotice.objects.get(pk=ids["notice"]).amount) == "12.34"

        # 4b. The arrears countdown moved to the wallet, value for value.
        assert not set(COUNTDOWN) & set(_columns("workspaces_account"))
        accounts_before = before["workspaces_account"]
        assert _rows("workspaces_account") == _without(accounts_before, COUNTDOWN)
        wallets = {wallet.account_id: wallet for wallet in Wallet.objects.all()}
        for account in accounts_before:
            if any(account[field] for field in COUNTDOWN):
                wallet = wallets[account["id"]]
                assert [getattr(wallet, field) for field in COUNTDOWN] == [
                    account[field] for field in COUNTDOWN
                ], account["id"]
            elif account["id"] in wallets:
                wallet = wallets[account["id"]]
                assert [getattr(wallet, field) for field in COUNTDOWN] == [None, None, None]
        overdue_wallet = Wallet.objects.get(account_id=ids["overdue"])
        assert overdue_wallet.pk == ids["wallets"][1]
        assert overdue_wallet.arrears_since == at(2026, 5, 2, 16, 5, 7, 250_001)
        assert overdue_wallet.arrears_reminded_at == at(2026, 5, 13, 17, 0, 0, 123_456)
        assert overdue_wallet.locked_at == at(2026, 5, 16, 17, 0, 1)
        assert Wallet.objects.count() == len(before["orders_wallet"])  # no wallet made up

        # 4c. Order lines are rows, in the JSON's order; the orders themselves unchanged.
        assert _rows("orders_order") == _without(before["orders_order"], ["lines"])
        _assert_lines_are_rows(before["orders_order"])
        packs = OrderLine.objects.filter(order_id=ids["orders"][1]).order_by("position")
        assert [(line.item_code, line.capacity) for line in packs] == [
            ("", None),
            ("logs", 1_000_000),
            ("rum_pv", 10_000),
        ]
        assert sum(line.amount for line in packs) == Order.objects.get(pk=ids["orders"][1]).total

        # 4d. Content types (so permissions and admin history) followed the models.
        for old_table, (app, model_name) in MOVED.items():
            content_type = ContentType.objects.get(pk=content_types[model_name])
            assert (content_type.app_label, content_type.model) == (app, model_name)
            assert ContentType.objects.get_for_model(models[old_table]).pk == content_type.pk
        assert not ContentType.objects.filter(
            app_label="orders", model__in=list(content_types)
        ).exists()
        assert _permissions(content_types) == permissions

        # 4e. The ledger verifies.
        assert balances_match() == []
        out = StringIO()
        call_command("ledger_verify", stdout=out)
        assert "ledger clean" in out.getvalue()

        # 4f. New rows get ids after the copied ones (the sequences followed the renamed tables).
        for old_table, model in models.items():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
                sequence = cursor.fetchone()[0]
                assert sequence, model._meta.db_table
                cursor.execute(f"SELECT last_value FROM {sequence}")
                assert cursor.fetchone()[0] >= old_max_ids[old_table], old_table
        with transaction.atomic():
            entry = LedgerEntry.objects.create(
                account_id=ids["acme"],
                instrument="cash",
                amount=Decimal("5.00"),
                balance_after=Decimal("692.66"),
                kind="cash_credit",
                created_at=at(2026, 5, 3),
            )
            voucher = Voucher.objects.create(
                kind="ordinary",
                face_value=Decimal("1.00"),
                balance=Decimal("1.00"),
                issued_at=at(2026, 5, 3),
                expires_at=at(2026, 6, 3),
                code="NEW-AFTER-MOVE",
            )
            wallet = Wallet.objects.create(account_id=_new_account_id())
            line = OrderLine.objects.create(
                order_id=ids["orders"][0],
                position=2,
                description="extra",
                quantity=1,
                unit_price=Decimal("0.00"),
                amount=Decimal("0.00"),
            )
            assert entry.pk > old_max_ids["orders_ledgerentry"]
            assert voucher.pk > old_max_ids["orders_voucher"]
            assert wallet.pk > old_max_ids["orders_wallet"]
            assert line.pk > max(OrderLine.objects.exclude(pk=line.pk).values_list("pk", flat=True))
            transaction.set_rollback(True)
        assert balances_match() == []

        # 5. Back again: every row in its orders_* table as it was, lines rebuilt as JSON, the
        # countdown back on the account, content types back in orders.
        _migrate(OLD_TARGETS)
        _assert_at_old_schema()
        for table in [*MOVED, "orders_order", "workspaces_account"]:
            assert _rows(table) == before[table], table
        for model_name, pk in content_types.items():
            content_type = ContentType.objects.get(pk=pk)
            assert (content_type.app_label, content_type.model) == ("orders", model_name)
        assert _permissions(content_types) == permissions
    finally:
        _leave_at_latest()
    assert set(_executor().loader.graph.leaf_nodes()) <= _applied()
    assert "wallet_wallet" in _tables()


def _new_account_id() -> int:
    from workspaces.models import Account

    return Account.objects.create(name="Made after the move").pk
