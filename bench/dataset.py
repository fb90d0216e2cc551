"""Synthetic data for the benchmarks, written straight into PostgreSQL (COPY and INSERT … SELECT).

N workspaces: 30 % as many subscriptions as workspaces, each binding 1–8 workspaces (1,1,1,2,2,
3,4,8 in turn: 2.75 on average), the rest PAYG in accounts of ten; every workspace commercial.
Each workspace sends 5 items × 24 hourly samples for the day (logs at 30 d, traces at 7 d,
page views at 14 d, hosts and task calls), with quantities that put some over their quota.
"""

import io
import os
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "billing_center.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from common.dates import day_start  # noqa: E402
from packages.models import BillingItem, Plan  # noqa: E402
from quota.services.partitions import usage_partitions_ensure  # noqa: E402

SIZES = [1, 1, 1, 2, 2, 3, 4, 8]
BENCH_DAY = date(2026, 11, 1)
LONG_AGO = datetime(2024, 1, 1, tzinfo=day_start(BENCH_DAY).tzinfo)

APP_TABLES = [
    "quota_dailybillline",
    "quota_dailybill",
    "quota_billingchunk",
    "quota_billingrun",
    "quota_usagesample",
    "quota_usageday",
    "quota_binding",
    "quota_trafficpack",
    "quota_subscriptionplanperiod",
    "quota_subscription",
    "workspaces_workspace",
    "workspaces_membership",
    "workspaces_account",
]


def log(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(workers: int, **options) -> tuple[subprocess.Popen, int]:
    """gunicorn on the benchmark database with persistent connections; returns (process, port)."""
    import socket

    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": os.environ["DATABASE_URL"] + "?conn_max_age=60",
        "DJANGO_DEBUG": "false",
    }
    extra = [
        item
        for key, value in options.items()
        for item in (f"--{key.replace('_', '-')}", str(value))
    ]
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "billing_center.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            *extra,
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(150):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    return process, port


def run_threads(threads) -> float:
    """Start the client threads together, wait for them all; returns the seconds it took."""
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def copy_rows(cursor, table: str, columns: list[str], rows) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if value is None else str(value) for value in row) + "\n")
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def reset_bills(cursor) -> None:
    """Forget every run, bill and its settlement (wallets, ledger, arrears state) to run again."""
    cursor.execute(
        "TRUNCATE quota_dailybillline, quota_dailybill, quota_billingchunk, quota_billingrun, "
        "wallet_billsettlement, wallet_ledgerentry, wallet_wallet RESTART IDENTITY CASCADE"
    )
    cursor.execute("UPDATE workspaces_workspace SET status = 'active' WHERE status <> 'active'")


def insert_samples(cursor, day: date, hours: int = 24, now: datetime | None = None) -> int:
    """Every workspace's 5 items × `hours` hourly samples of `day`, in its partition."""
    items = {item.code: item.pk for item in BillingItem.objects.all()}
    usage_partitions_ensure(days=[day])
    cursor.execute(
        """
        INSERT INTO quota_usagesample (day, workspace_id, item_id, retention_days, hour, quantity,
                                       received_at)
        SELECT %(day)s, w.id, i.item_id, i.retention, %(start)s + h * interval '1 hour',
               i.base + ((w.id * 2654435761 + h * 40503 + i.item_id * 7919) %% i.spread),
               %(now)s
        FROM workspaces_workspace w
        CROSS JOIN (VALUES (%(datakit)s, 0, 3, 20), (%(logs)s, 30, 600000, 2000000),
                           (%(traces)s, 7, 100000, 300000), (%(rum)s, 14, 5000, 30000),
                           (%(tasks)s, 0, 4000, 10000)) AS i(item_id, retention, base, spread)
        CROSS JOIN generate_series(0, %(last_hour)s) AS h
        """,
        {
            "day": day,
            "start": day_start(day),
            "now": now or datetime.now(tz=LONG_AGO.tzinfo),
            "datakit": items["datakit"],
            "logs": items["logs"],
            "traces": items["traces"],
            "rum": items["rum_pv"],
            "tasks": items["task_calls"],
            "last_hour": hours - 1,
        },
    )
    return cursor.rowcount


def build(workspaces: int, hours: int = 24) -> dict:
    """Replace all accounts, workspaces, subscriptions and usage with a synthetic day."""
    started = time.perf_counter()
    subscriptions = int(workspaces * 0.3)
    plan_ids = list(Plan.objects.order_by("price").values_list("pk", flat=True))
    items = {item.code: item.pk for item in BillingItem.objects.all()}
    now = datetime.now(tz=LONG_AGO.tzinfo)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(APP_TABLES)} RESTART IDENTITY CASCADE")
        accounts: list[tuple[int, int, bool]] = []  # (account id, workspaces, has subscription)
        bound = 0
        for index in range(subscriptions):
            size = SIZES[index % len(SIZES)]
            if bound + size > workspaces:
                break
            accounts.append((len(accounts) + 1, size, True))
            bound += size
        remaining = workspaces - bound
        while remaining > 0:
            size = min(10, remaining)
            accounts.append((len(accounts) + 1, size, False))
            remaining -= size
        copy_rows(
            cursor,
            "workspaces_account",
            ["id", "name", "created_at"],
            ((account_id, f"Bench {account_id}", now) for account_id, _, _ in accounts),
        )
        workspace_rows = []
        binding_rows = []
        subscription_rows = []
        period_rows = []
        pack_rows = []
        workspace_id = 0
        start = BENCH_DAY - timedelta(days=100)
        end = start + timedelta(days=364)
        for account_id, size, subscribed in accounts:
            members = []
            for _ in range(size):
                workspace_id += 1
                members.append(workspace_id)
                workspace_rows.append(
                    (
                        workspace_id,
                        account_id,
                        f"w{workspace_id}",
                        "commercial",
                        "active",
                        now,
                        LONG_AGO,
                    )
                )
            if subscribed:
                subscription_id = len(subscription_rows) + 1
                subscription_rows.append((subscription_id, account_id, start, end, now))
                period_rows.append(
                    (
                        subscription_id,
                        subscription_id,
                        plan_ids[0 if subscription_id % 10 else 1],
                        start,
                        now,
                    )
                )
                for priority, member in enumerate(members, start=1):
                    binding_rows.append(
                        (
                            member,
                            subscription_id,
                            member,
                            priority,
                            start,
                            end + timedelta(days=1),
                            now,
                        )
                    )
                if subscription_id % 3 == 0:
                    pack_rows.append(
                        (subscription_id, items["logs"], 30_000_000, "36.00", start, end, now)
                    )
        copy_rows(
            cursor,
            "workspaces_workspace",
            ["id", "account_id", "name", "plan", "status", "created_at", "upgraded_at"],
            workspace_rows,
        )
        copy_rows(
            cursor,
            "quota_subscription",
            ["id", "account_id", "start_date", "end_date", "created_at"],
            subscription_rows,
        )
        copy_rows(
            cursor,
            "quota_subscriptionplanperiod",
            ["id", "subscription_id", "plan_id", "effective_from", "created_at"],
            period_rows,
        )
        copy_rows(
            cursor,
            "quota_binding",
            [
                "id",
                "subscription_id",
                "workspace_id",
                "priority",
                "valid_from",
                "valid_to",
                "created_at",
            ],
            binding_rows,
        )
        copy_rows(
            cursor,
            "quota_trafficpack",
            [
                "subscription_id",
                "item_id",
                "capacity",
                "daily_price",
                "start_date",
                "end_date",
                "created_at",
            ],
            pack_rows,
        )
        for table in [
            "workspaces_account",
            "workspaces_workspace",
            "quota_subscription",
            "quota_subscriptionplanperiod",
            "quota_binding",
        ]:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            )
        log(
            f"  {len(accounts):,} accounts, {workspace_id:,} workspaces, {len(subscription_rows):,} subscriptions "
            f"({bound:,} bound workspaces), {len(pack_rows):,} traffic packs"
        )

        sample_start = time.perf_counter()
        samples = insert_samples(cursor, BENCH_DAY, hours=hours, now=now)
        cursor.execute(
            "INSERT INTO quota_usageday (day, workspace_id) SELECT %s, id FROM workspaces_workspace",
            [BENCH_DAY],
        )
        log(f"  {samples:,} usage samples in {time.perf_counter() - sample_start:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE quota_usagesample")
        cursor.execute("ANALYZE")
    log(f"  data ready in {time.perf_counter() - started:.1f} s")
    return {"workspaces": workspace_id, "subscriptions": len(subscription_rows), "samples": samples}
