"""The number of queries of each page does not grow with the number of days or workspaces."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing.services.nightly import deduction_run_day
from common.dates import ONE_DAY, billing_day, day_start
from tests.factories import make_account, make_workspace
from tests.quota.helpers import after, send_many, subscribe
from wallet.services.balances import cash_credit
from wallet.services.instruments import prepaid_card_issue, voucher_issue

pytestmark = pytest.mark.django_db
PAGES = ["/", "/bills/", "/ledger/", "/statements/", "/wallet/", "/alerts/", "/buy/", "/package/"]


def build(workspaces: int, days: int):
    account, owner = make_account(name=f"Scale {workspaces}x{days}")
    members = [
        make_workspace(account, name=f"w{index}", commercial=True) for index in range(workspaces)
    ]
    today = billing_day(timezone.now())
    start = today - timedelta(days=days)
    subscription = subscribe(
        account, members[: max(1, workspaces // 2)], start=start, packs=[("logs", 10_000_000)]
    )
    cash_credit(
        account_id=account.pk, amount="100.00", reference="r", now=after(start) - timedelta(days=2)
    )
    voucher_issue(account_id=account.pk, amount="20.00", now=after(start) - timedelta(days=2))
    prepaid_card_issue(account_id=account.pk, amount="100", now=after(start) - timedelta(days=2))
    for offset in range(days + 1):
        day = start + offset * ONE_DAY
        samples = []
        for workspace in members:
            for code, retention, quantity in (
                ("logs", 30, 9_000_000),
                ("datakit", None, 7),
                ("sms", None, 40),
            ):
                sample = {
                    "workspace": workspace.pk,
                    "item": code,
                    "hour": (day_start(day) + timedelta(hours=4)).isoformat(),
                    "quantity": quantity,
                }
                if retention:
                    sample["retention_days"] = retention
                samples.append(sample)
        send_many(samples, day)
    client = Client()
    client.force_login(owner)
    return client, subscription


def count_queries(client, subscription) -> dict[str, int]:
    counts = {}
    for path in PAGES:
        url = f"/packages/{subscription.pk}/" if path == "/package/" else path
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[path] = len(queries.captured_queries)
    return counts


def test_page_queries_do_not_grow_with_days_or_workspaces():
    small = build(workspaces=2, days=3)
    large = build(workspaces=6, days=12)
    today = billing_day(timezone.now())
    for offset in range(12, 0, -1):
        day = today - offset * ONE_DAY
        deduction_run_day(day=day, now=after(day))
    small_counts, large_counts = count_queries(*small), count_queries(*large)
    assert all(count >= 4 for count in small_counts.values()), small_counts
    assert large_counts == small_counts
