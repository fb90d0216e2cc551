"""Benchmark of the portal pages with a year of daily bills for ten workspaces.

    .venv/bin/python scripts/stack.py bench pages [--requests 40]

Builds one account (ten commercial workspaces, five of them sharing a package with a traffic
pack, a year of usage billed day by day through the real run), then requests every page over a
keep-alive connection to gunicorn (2 workers) and reports p50 and p95 per page.
"""

import argparse
import http.client
import re
import time
from datetime import timedelta

from dataset import build, log, start_gunicorn
from django.utils import timezone

from billing.services.nightly import deduction_run_day
from common.dates import ONE_DAY, billing_day, day_start
from packages.selectors import plan_get
from quota.models import DailyBill
from quota.services import PackRequest, subscription_create, usage_ingest
from wallet.services.balances import cash_credit
from wallet.services.instruments import voucher_issue
from workspaces.models import User
from workspaces.services import account_create, workspace_upgrade_by_staff

PASSWORD = "bench-pages-123"
ITEMS = [
    ("logs", 30, 6_000_000),
    ("traces", 7, 900_000),
    ("rum_pv", 14, 60_000),
    ("datakit", None, 9),
    ("task_calls", None, 30_000),
]


def setup(days: int):
    build(0, hours=0)
    User.objects.filter(username="pages-owner").delete()
    now = timezone.now()
    today = billing_day(now)
    start = today - timedelta(days=days)
    account = account_create(
        name="Pages Corp", owner_username="pages-owner", owner_password=PASSWORD
    )
    workspaces = []
    for index in range(10):
        workspace = account.workspaces.create(name=f"workspace-{index}")
        workspace_upgrade_by_staff(
            workspace_id=workspace.pk, actor=None, now=day_start(start) - timedelta(days=1)
        )
        workspaces.append(workspace)
    cash_credit(account_id=account.pk, amount="500000.00", reference="bench", now=day_start(start))
    voucher_issue(account_id=account.pk, amount="3000.00", now=day_start(start))
    subscription = subscription_create(
        account=account,
        plan=plan_get(code="startup_acceleration"),
        start_date=start,
        workspace_ids=[w.pk for w in workspaces[:5]],
        traffic_packs=[PackRequest("logs", 10_000_000)],
    )
    started = time.perf_counter()
    for offset in range(days):
        day = start + timedelta(days=offset)
        samples = []
        for number, workspace in enumerate(workspaces):
            for code, retention, quantity in ITEMS:
                sample = {
                    "workspace": workspace.pk,
                    "item": code,
                    "hour": (day_start(day) + timedelta(hours=3)).isoformat(),
                    "quantity": quantity + number * 1000 + offset,
                }
                if retention:
                    sample["retention_days"] = retention
                samples.append(sample)
        usage_ingest(samples=samples, now=day_start(day + ONE_DAY), operator_import=True)
        deduction_run_day(day=day, now=day_start(day + ONE_DAY) + timedelta(minutes=10))
    log(
        f"  {DailyBill.objects.count():,} daily bills over {days} days in {time.perf_counter() - started:.0f} s"
    )
    return subscription


def login(conn) -> str:
    conn.request("GET", "/accounts/login/")
    answer = conn.getresponse()
    body = answer.read().decode()
    cookie = answer.getheader("Set-Cookie").split(";", 1)[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    conn.request(
        "POST",
        "/accounts/login/",
        body=f"username=pages-owner&password={PASSWORD}&csrfmiddlewaretoken={token}",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie,
            "Referer": "http://127.0.0.1/",
        },
    )
    answer = conn.getresponse()
    answer.read()
    cookies = [part.split(";", 1)[0] for part in answer.headers.get_all("Set-Cookie")]
    return "; ".join(cookies)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    subscription = setup(args.days)
    pages = [
        "/",
        "/buy/",
        "/bills/",
        f"/packages/{subscription.pk}/",
        "/wallet/",
        "/ledger/",
        "/statements/",
        "/alerts/",
        "/plans/",
    ]
    web, port = start_gunicorn(2)
    rows = []
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        cookie = login(conn)
        for path in pages:
            timings = []
            for number in range(args.requests + 3):
                started = time.perf_counter()
                conn.request("GET", path, headers={"Cookie": cookie})
                answer = conn.getresponse()
                answer.read()
                assert answer.status == 200, (path, answer.status)
                if number >= 3:  # warm-up requests are not counted
                    timings.append(time.perf_counter() - started)
            timings.sort()
            rows.append(
                (
                    path,
                    timings[len(timings) // 2] * 1000,
                    timings[int(len(timings) * 0.95) - 1] * 1000,
                )
            )
    finally:
        web.terminate()
        web.wait(timeout=30)
    log("| page | p50 | p95 |")
    log("|---|---|---|")
    for path, p50, p95 in rows:
        log(f"| `{path}` | {p50:.0f} ms | {p95:.0f} ms |")


if __name__ == "__main__":
    main()
