"""Benchmark of usage ingestion through POST /api/v1/usage/ with 10,000-sample batches.

    .venv/bin/python scripts/stack.py bench ingest [--batches 40] [--clients 2] [--web-workers 2]

Starts gunicorn on the benchmark database (CONN_MAX_AGE 60), sends distinct samples for
yesterday from client threads over keep-alive connections, and compares with the floor: the
same number of rows written by one INSERT … SELECT.
"""

import argparse
import http.client
import json
import threading
import time
from datetime import timedelta
from pathlib import Path

from dataset import build, log, run_threads, start_gunicorn
from django.contrib.auth.models import Permission
from django.db import connection
from django.utils import timezone

from common.dates import ONE_DAY, billing_day, day_start
from quota.models import UsageSample
from workspaces.models import User
from workspaces.services import api_token_create

ROOT = Path(__file__).resolve().parent.parent
ITEMS = [("logs", 30), ("traces", 7), ("rum_pv", 14), ("datakit", None), ("task_calls", None)]


def batches(count: int, workspaces: int, day) -> list[bytes]:
    """Distinct keys: workspace × item × hour, walked in order, 10,000 per batch."""
    hours = [(day_start(day) + timedelta(hours=hour)).isoformat() for hour in range(24)]
    keys = ((w, item, hour) for hour in hours for item in ITEMS for w in range(1, workspaces + 1))
    bodies = []
    for _ in range(count):
        samples = []
        for (workspace, (code, retention), hour), _ in zip(keys, range(10_000), strict=False):
            sample = {
                "workspace": workspace,
                "item": code,
                "hour": hour,
                "quantity": 1_000 + workspace,
            }
            if retention:
                sample["retention_days"] = retention
            samples.append(sample)
        bodies.append(json.dumps({"samples": samples}).encode())
    return bodies


def send_all(port: int, token: str, bodies: list[bytes], clients: int) -> float:
    errors: list[str] = []

    def client(share: list[bytes]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for body in share:
            conn.request(
                "POST",
                "/api/v1/usage/",
                body=body,
                headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
            )
            answer = conn.getresponse()
            payload = answer.read()
            if answer.status != 200:
                errors.append(f"{answer.status} {payload[:300]!r}")
        conn.close()

    threads = [
        threading.Thread(target=client, args=(bodies[index::clients],)) for index in range(clients)
    ]
    elapsed = run_threads(threads)
    if errors:
        raise SystemExit(f"ingestion failed: {errors[:3]}")
    return elapsed


def sql_floor(rows: int, day) -> float:
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        started = time.perf_counter()
        cursor.execute(
            """
            INSERT INTO quota_usagesample (day, workspace_id, item_id, retention_days, hour, quantity, received_at)
            SELECT %s, 1 + (g %% 10000), 2, 30, %s + ((g / 10000) %% 24) * interval '1 hour' + (g / 240000) * interval '1 day', g, now()
            FROM generate_series(0, %s - 1) g
            """,
            [day - 10 * ONE_DAY, day_start(day - 10 * ONE_DAY), rows],
        )
        elapsed = time.perf_counter() - started
        cursor.execute("ROLLBACK")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=40)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--workspaces", type=int, default=10_000)
    args = parser.parse_args()

    build(args.workspaces, hours=0)
    user, _ = User.objects.get_or_create(username="bench-meter")
    user.user_permissions.add(Permission.objects.get(codename="ingest_usage"))
    _token, secret = api_token_create(user=user, now=timezone.now())
    yesterday = billing_day(timezone.now()) - ONE_DAY
    bodies = batches(args.batches, args.workspaces, yesterday)
    samples = sum(body.count(b'"workspace"') for body in bodies)

    web, port = start_gunicorn(args.web_workers, timeout=120)
    try:
        send_all(port, secret, bodies[:2], 1)  # warm up: imports, connections, catalog
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE quota_usagesample, quota_usageday")
        elapsed = send_all(port, secret, bodies, args.clients)
    finally:
        web.terminate()
        web.wait(timeout=30)
    stored = UsageSample.objects.count()
    assert stored == samples, (stored, samples)
    floor = sql_floor(samples, yesterday)
    log(
        f"{samples:,} samples in {args.batches} batches of 10,000 from {args.clients} client(s), "
        f"gunicorn {args.web_workers} worker(s): {elapsed:.2f} s → {samples / elapsed:,.0f} samples/s"
    )
    log(
        f"floor (one INSERT … SELECT of {samples:,} rows): {floor:.2f} s → {samples / floor:,.0f} rows/s; "
        f"ratio {elapsed / floor:.1f}×"
    )


if __name__ == "__main__":
    main()
