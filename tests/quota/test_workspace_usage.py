"""Usage per workspace inside a shared package (issue 13): what each workspace used of an item
and what the plan quota and the traffic packs covered for it — today (live), yesterday (billed)
and the last days (billed) — in priority order; the package page and its JSON endpoint."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from rest_framework.test import APIClient

from common.dates import ONE_DAY, billing_day
from quota.charts import bar_chart, compact, usage_chart
from quota.services import subscription_set_workspaces
from quota.workspace_usage import subscription_workspace_usage
from tests.factories import make_workspace
from tests.quota.helpers import bill, send, subscribe

pytestmark = pytest.mark.django_db
D = date(2026, 6, 8)
M = 1_000_000


def two_workspaces_sharing(account, start):
    """Alpha then Beta share a Startup package (40,000,000 logs a day) and a 10,000,000 pack.

    start:      Alpha 30M → plan 30M;           Beta 30M → plan 10M, pack 10M, PAYG 10M ¥15
    start + 1:  Alpha 50M → plan 40M, pack 10M; Beta 10M → PAYG 10M ¥15
    start + 2 (today, live): Alpha 10M → plan 10M; Beta 35M → plan 30M, pack 5M
    """
    alpha = make_workspace(account, name="Alpha", commercial=True)
    beta = make_workspace(account, name="Beta", commercial=True)
    subscription = subscribe(account, [alpha, beta], start=start, packs=[("logs", 10 * M)])
    for offset, (from_alpha, from_beta) in enumerate([(30, 30), (50, 10), (10, 35)]):
        day = start + offset * ONE_DAY
        send(alpha, "logs", from_alpha * M, day, retention=14)
        send(beta, "logs", from_beta * M, day, retention=14)
        if offset < 2:
            bill(day)
    return subscription, alpha, beta


def figures(use):
    return (
        use.used,
        use.plan_covered,
        use.traffic_covered,
        use.payg_quantity,
        use.payg_amount,
    )


def test_each_workspace_sees_what_it_used_and_what_covered_it(account):
    subscription, alpha, beta = two_workspaces_sharing(account, D)
    usage = subscription_workspace_usage(subscription=subscription, today=D + 2 * ONE_DAY)
    assert (usage.yesterday_billed, usage.first, usage.last) == (True, D, D + ONE_DAY)
    logs = next(item for item in usage.items if item.item_code == "logs")
    assert [(row.name, row.priority) for row in logs.workspaces] == [("Alpha", 1), ("Beta", 2)]
    first, second = logs.workspaces
    zero = Decimal("0.00")
    assert figures(first.today) == (10 * M, 10 * M, 0, 0, zero)
    assert figures(second.today) == (35 * M, 30 * M, 5 * M, 0, zero)
    assert figures(first.yesterday) == (50 * M, 40 * M, 10 * M, 0, zero)
    assert figures(second.yesterday) == (10 * M, 0, 0, 10 * M, Decimal("15.00"))
    assert figures(first.last_days) == (80 * M, 70 * M, 10 * M, 0, zero)
    assert figures(second.last_days) == (40 * M, 10 * M, 10 * M, 20 * M, Decimal("30.00"))
    # items of the plan without use are listed with zeros; SMS (no quota, no use) is not
    codes = [item.item_code for item in usage.items]
    assert codes == ["datakit", "logs", "traces", "rum_pv", "task_calls"]
    # one day summed: only yesterday
    one_day = subscription_workspace_usage(subscription=subscription, today=D + 2 * ONE_DAY, days=1)
    logs = next(item for item in one_day.items if item.item_code == "logs")
    assert figures(logs.workspaces[1].last_days) == figures(logs.workspaces[1].yesterday)


def test_a_workspace_removed_from_the_package_still_shows_its_past_use(account):
    subscription, alpha, beta = two_workspaces_sharing(account, D)
    subscription_set_workspaces(
        subscription=subscription, workspace_ids=[beta.pk], today=D + 2 * ONE_DAY, actor=None
    )
    usage = subscription_workspace_usage(subscription=subscription, today=D + 3 * ONE_DAY)
    logs = next(item for item in usage.items if item.item_code == "logs")
    assert [(row.name, row.priority) for row in logs.workspaces] == [("Beta", 1), ("Alpha", None)]
    assert usage.yesterday_billed is False  # D + 2 is not billed: yesterday is live
    assert figures(logs.workspaces[1].yesterday) == (10 * M, 10 * M, 0, 0, Decimal("0.00"))


def test_the_workspace_usage_endpoint(account_a, account_b):
    account, owner = account_a
    today = billing_day(timezone.now())
    subscription, alpha, beta = two_workspaces_sharing(account, today - 2 * ONE_DAY)
    client = APIClient()
    client.force_authenticate(owner)
    path = f"/api/v1/subscriptions/{subscription.pk}/workspace-usage/"
    body = client.get(path, {"days": "30"}).json()
    assert (body["date"], body["yesterday_billed"], body["days"]) == (str(today), True, 30)
    assert body["date_from"] == str(today - 2 * ONE_DAY)
    logs = next(item for item in body["items"] if item["item"] == "logs")
    assert logs["name"] == "Log records"
    second = logs["workspaces"][1]
    assert (second["workspace"], second["name"], second["priority"]) == (beta.pk, "Beta", 2)
    assert second["yesterday"] == {
        "used": 10 * M,
        "plan_covered": 0,
        "traffic_covered": 0,
        "payg_quantity": 10 * M,
        "payg_amount": "15.00",
    }
    assert second["last_days"]["payg_amount"] == "30.00"
    assert second["today"]["traffic_covered"] == 5 * M
    for bad in ("0", "94", "x", "-1", "1.5"):
        response = client.get(path, {"days": bad})
        assert response.status_code == 400, bad
        assert "days" in response.json()["errors"]
    other = APIClient()
    other.force_authenticate(account_b[1])
    assert other.get(path).status_code == 404


def test_the_package_page_shows_each_workspaces_use(client, account_a):
    account, owner = account_a
    today = billing_day(timezone.now())
    subscription, alpha, beta = two_workspaces_sharing(account, today - 2 * ONE_DAY)
    client.force_login(owner)
    page = client.get(f"/packages/{subscription.pk}/").content.decode()
    assert 'data-testid="workspace-usage"' in page
    assert '2. workspace «<span class="name">Beta</span>»' in page
    assert 'data-testid="usage-chart"' in page
    # only logs were used: the other items of the plan are named once, without tables or charts
    assert page.count('data-testid="workspace-usage-item"') == 1
    assert page.count('data-testid="usage-chart"') == 1
    assert (
        "Not used in these periods: DataKit hosts, APM traces, RUM page views, Task calls" in page
    )


def test_chart_axes_gridlines_and_readouts():
    days = [D, D + ONE_DAY, D + 2 * ONE_DAY]
    chart = bar_chart(
        title="t",
        axis_title="CNY",
        days=days,
        stacks=[[Decimal("15.00"), Decimal("0.00"), Decimal("7.50")]],
        classes=["bar-cost"],
        head=["Amount due"],
        cells=lambda index: [["¥15.00", "¥0.00", "¥7.50"][index]],
        prefix="¥",
    )
    assert [(line.label, line.y) for line in chart.gridlines] == [
        ("¥0", 192.0),
        ("¥5", 136.0),
        ("¥10", 80.0),
        ("¥15", 24.0),
    ]
    assert [label.label for label in chart.dates] == ["06-08", "06-09", "06-10"]
    tallest, empty, half = chart.columns
    assert [(segment.y, segment.height) for segment in tallest.segments] == [(24.0, 168.0)]
    assert empty.segments == ()
    assert [(segment.y, segment.height) for segment in half.segments] == [(108.0, 84.0)]
    assert half.readout == "2026-06-10 · Amount due ¥7.50"
    assert [column.slot_x for column in chart.columns] == [
        Decimal("60.00"),
        Decimal("197.33"),
        Decimal("334.67"),
    ]


def test_usage_chart_stacks_covered_and_charged_under_the_pool():
    class Logs:
        code = "logs"
        display_name = "Log records"

    days = [D, D + ONE_DAY]
    used = {(D, "logs"): (45 * M, 5 * M)}
    pools = {(D, "logs"): 40 * M, (D + ONE_DAY, "logs"): 40 * M}
    chart = usage_chart(item=Logs, days=days, used=used, pools=pools)
    assert [line.label for line in chart.gridlines] == ["0", "20M", "40M", "60M"]
    covered, charged = chart.columns[0].segments
    assert (covered.css, covered.height, charged.css, charged.height) == (
        "bar-covered",
        112.0,
        "bar-overage",
        14.0,
    )
    assert chart.columns[0].readout == (
        "2026-06-08 · Used 45,000,000 · Covered 40,000,000 · Charged 5,000,000 "
        "· Quota + packs 40,000,000"
    )
    assert chart.columns[1].cells == ("0", "0", "0", "40,000,000")
    assert chart.line_points.startswith("60.0,80.0 ")


def test_compact_axis_labels_follow_the_language():
    assert [compact(value) for value in (0, 500, 1_500, 40 * M, 2_000_000_000)] == [
        "0",
        "500",
        "1.5k",
        "40M",
        "2B",
    ]
    with translation.override("zh-hans"):
        assert [compact(value) for value in (40 * M, 15_000, 300_000_000)] == [
            "4000万",
            "1.5万",
            "3亿",
        ]
