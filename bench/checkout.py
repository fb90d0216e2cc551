"""Benchmark of paid orders through POST /api/v1/orders/ under gunicorn with concurrent clients.

    .venv/bin/python scripts/stack.py bench checkout [--clients 16] [--orders 60] [--web-workers 2]

Each client is the owner of its own account and buys traffic packs for an active subscription,
each order split across cash, a prepaid card and a voucher. Reports orders/s and latency
percentiles, then checks that no balance went below zero and that the ledger is clean.
"""

import argparse
import http.client
import json
import threading
import time
from datetime import timedelta
from pathlib import Path

from dataset import build, log, run_threads, start_gunicorn
from django.db.models import Q
from django.utils import timezone

from common.dates import billing_day
from orders.models import Order
from packages.selectors import plan_get
from quota.services import subscription_create
from wallet.models import PrepaidCard, Voucher, Wallet
from wallet.services.balances import cash_credit
from wallet.services.instruments import prepaid_card_issue, voucher_issue
from wallet.services.ledger import balances_match
from workspaces.models import Membership, User
from workspaces.services import account_create, api_token_create, workspace_upgrade_by_staff

ROOT = Path(__file__).resolve().parent.parent


def setup(clients: int) -> list[tuple[str, bytes]]:
    build(0, hours=0)  # empty the application tables
    User.objects.filter(username__startswith="buyer").delete()
    now = timezone.now()
    today = billing_day(now)
    buyers = []
    for number in range(clients):
        account = account_create(
            name=f"Checkout {number}",
            owner_username=f"buyer{number}",
            owner_password="bench-pass-123",
        )
        workspace = account.workspaces.create(name="prod")
        workspace_upgrade_by_staff(
            workspace_id=workspace.pk, actor=None, now=now - timedelta(days=400)
        )
        subscription = subscription_create(
            account=account,
            plan=plan_get(code="startup_acceleration"),
            start_date=today - timedelta(days=300),
            workspace_ids=[workspace.pk],
        )
        cash_credit(account_id=account.pk, amount="1000000.00", reference="bench", now=now)
        card = prepaid_card_issue(account_id=account.pk, amount="100000", now=now)
        voucher = voucher_issue(account_id=account.pk, amount="100000.00", now=now)
        days_left = (subscription.end_date - today).days + 1
        total = 10 * days_left  # an SMS pack of 100 a day: ¥10 a day
        body = {
            "kind": "traffic_packs",
            "subscription": subscription.pk,
            "traffic_packs": [{"item": "sms", "capacity": 100}],
            "payment": {
                "cash": f"{total - 2}.00",
                "prepaid_cards": [{"id": card.pk, "amount": "1.00"}],
                "vouchers": [{"id": voucher.pk, "amount": "1.00"}],
            },
        }
        owner = Membership.objects.get(account=account).user
        _token, secret = api_token_create(user=owner, now=now)
        buyers.append((secret, json.dumps(body).encode()))
    return buyers


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--orders", type=int, default=60, help="orders per client")
    parser.add_argument("--web-workers", type=int, default=2)
    args = parser.parse_args()
    buyers = setup(args.clients)
    web, port = start_gunicorn(args.web_workers, backlog=256)
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def client(token: str, body: bytes, count: int, key_prefix: str) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for number in range(count):
            started = time.perf_counter()
            conn.request(
                "POST",
                "/api/v1/orders/",
                body=body,
                headers={
                    "Authorization": f"Token {token}",
                    "Content-Type": "application/json",
                    "Idempotency-Key": f"{key_prefix}-{number}",
                },
            )
            answer = conn.getresponse()
            payload = answer.read()
            elapsed = time.perf_counter() - started
            with lock:
                if answer.status == 201:
                    latencies.append(elapsed)
                else:
                    failures.append(f"{answer.status} {payload[:200]!r}")
        conn.close()

    try:
        client(buyers[0][0], buyers[0][1], 3, "warmup")  # imports, connections
        latencies.clear()
        threads = [
            threading.Thread(target=client, args=(token, body, args.orders, f"run{index}"))
            for index, (token, body) in enumerate(buyers)
        ]
        elapsed = run_threads(threads)
    finally:
        web.terminate()
        web.wait(timeout=30)
    paid = len(latencies)
    negative = Wallet.objects.filter(Q(cash_balance__lt=0) | Q(arrears__lt=0)).count()
    negative += (
        PrepaidCard.objects.filter(balance__lt=0).count()
        + Voucher.objects.filter(balance__lt=0).count()
    )
    problems = balances_match()
    log(
        f"{paid} paid orders ({len(failures)} failed) from {args.clients} clients in {elapsed:.2f} s "
        f"→ {paid / elapsed:.1f} orders/s; latency p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
        f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms, p99 {percentile(latencies, 0.99) * 1000:.0f} ms"
    )
    log(
        f"orders in the database: {Order.objects.count()}; negative balances: {negative}; "
        f"ledger_verify: {'clean' if not problems else problems[:3]}"
    )
    if failures:
        log(f"failures: {failures[:3]}")


if __name__ == "__main__":
    main()
