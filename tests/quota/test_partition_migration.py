"""The migration that partitions the usage samples keeps every row, and can be undone."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import make_account, make_workspace

BEFORE = ("quota", "0004_isolated_accounts_and_chunk_liveness")
AFTER = ("quota", "0005_partition_usage_samples")


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


def _migrate_to_latest():
    """Every app back to its newest migration (going back in quota also unapplied the apps that
    depend on it, such as the wallet)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _is_partitioned() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_partitioned_table "
            "WHERE partrelid = 'quota_usagesample'::regclass"
        )
        return cursor.fetchone()[0] == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_partitioning_keeps_every_sample_with_its_id_and_can_be_undone():
    workspace = make_workspace(make_account()[0], commercial=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM packages_billingitem WHERE code = 'logs'")
        logs = cursor.fetchone()[0]
    old_days = [date(2025, 1, 5), date(2025, 1, 6)]  # days no partition exists for
    try:
        _migrate(BEFORE)
        assert not _is_partitioned()
        with connection.cursor() as cursor:
            for number, day in enumerate(old_days):
                hour = datetime(day.year, day.month, day.day, 4, tzinfo=UTC)
                cursor.execute(
                    "INSERT INTO quota_usagesample (id, day, workspace_id, item_id, "
                    "retention_days, hour, quantity, received_at) "
                    "VALUES (%s, %s, %s, %s, 14, %s, %s, %s)",
                    [900 + number, day, workspace.pk, logs, hour, 1_000 + number, hour],
                )
        _migrate(AFTER)
        assert _is_partitioned()
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, day, quantity FROM quota_usagesample ORDER BY id")
            assert cursor.fetchall() == [(900, old_days[0], 1_000), (901, old_days[1], 1_001)]
            cursor.execute("SELECT count(*) FROM quota_usagesample_p20250105")
            assert cursor.fetchone() == (1,)
            # new rows continue after the copied ids
            cursor.execute(
                "INSERT INTO quota_usagesample (day, workspace_id, item_id, retention_days, "
                "hour, quantity, received_at) SELECT day, workspace_id, item_id, 30, hour, 5, "
                "received_at FROM quota_usagesample WHERE id = 900 RETURNING id"
            )
            assert cursor.fetchone()[0] > 901
        _migrate(BEFORE)
        assert not _is_partitioned()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*), min(id) FROM quota_usagesample")
            assert cursor.fetchone() == (3, 900)
    finally:
        _migrate_to_latest()
    assert _is_partitioned()
