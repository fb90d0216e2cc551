"""Pages: package management (usage against quota, reorder, actions), consumption details and
high-spend alert thresholds."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.api import parse_id
from common.csv_export import CSV_CHUNK_SIZE, page_csv_response
from common.dates import ONE_DAY, billing_day, parse_day
from common.exceptions import ApplicationError, InvalidInput, NotFound
from packages.selectors import billing_item_list
from quota.bill_summary import bills_overview, conversion_legend
from quota.charts import usage_chart
from quota.day_usage import subscription_usage_for_day
from quota.models import (
    BILL_LINE_COLUMNS,
    NO_RETENTION,
)
from quota.selectors import (
    daily_bill_list,
    spend_alert_list,
    subscription_daily_use,
    subscription_get,
    subscription_pools_by_day,
    subscription_view,
)
from quota.services import subscription_set_workspaces
from quota.services.alerts import spend_alert_set
from quota.workspace_usage import subscription_workspace_usage
from workspaces.selectors import membership_require_owner, workspace_list
from workspaces.views import billing_membership, current_membership

CHART_DAYS = 30


def _charts(subscription, today: date) -> tuple[list, list[str]]:
    """One chart per item used: daily converted use (covered and charged) against the pool, over
    the last 30 billed days of the subscription; and the names of the items left unused."""
    last = min(today - ONE_DAY, subscription.end_date)
    first = max(last - timedelta(days=CHART_DAYS - 1), subscription.start_date)
    if last < first:
        return [], []
    days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    used = subscription_daily_use(subscription=subscription, first=first, last=last)
    pools = subscription_pools_by_day(subscription=subscription, days=days)
    charts, unused = [], []
    for item in billing_item_list():
        if any(used.get((day, item.code), (0,))[0] for day in days):
            charts.append(usage_chart(item=item, days=days, used=used, pools=pools))
        elif any(pools.get((day, item.code)) for day in days):
            unused.append(item.display_name)
    return charts, unused


@login_required
def package_detail(request: HttpRequest, subscription_id: int) -> HttpResponse:
    membership = current_membership(request)
    subscription = subscription_get(account=membership.account, subscription_id=subscription_id)
    billing_membership(request)
    today = billing_day(timezone.now())
    view = subscription_view(subscription=subscription, today=today)
    names = dict(workspace_list(account=membership.account).values_list("pk", "name"))
    charts, unused_charts = _charts(subscription, today)
    shared = subscription_workspace_usage(subscription=subscription, today=today)
    rows = []
    if view.status == "active":
        _, today_items = subscription_usage_for_day(subscription=subscription, day=today)
        yesterday_items = {}
        if today - ONE_DAY >= subscription.start_date:
            _, items = subscription_usage_for_day(subscription=subscription, day=today - ONE_DAY)
            yesterday_items = {item.item_code: item for item in items}
        for item in today_items:
            before = yesterday_items.get(item.item_code)
            rows.append({"today": item, "yesterday": before})
    context = {
        "membership": membership,
        "view": view,
        "subscription": subscription,
        "days_left": max((subscription.end_date - today).days + 1, 0),
        "workspaces": [
            (workspace_id, names.get(workspace_id, workspace_id))
            for workspace_id in view.workspace_ids
        ],
        "pending": [
            (workspace_id, names.get(workspace_id, workspace_id))
            for workspace_id in view.pending_workspace_ids or []
        ],
        "others": [
            (pk, name)
            for pk, name in names.items()
            if pk not in (view.pending_workspace_ids or view.workspace_ids)
        ],
        "rows": rows,
        "charts": charts,
        "unused_charts": unused_charts,
        "shared": shared,
        "shared_items": [item for item in shared.items if item.used],
        "shared_unused": [item.display_name for item in shared.items if not item.used],
        "tomorrow": today + ONE_DAY,
    }
    return render(request, "quota/package_detail.html", context)


@login_required
@require_POST
def package_reorder(request: HttpRequest, subscription_id: int) -> HttpResponse:
    membership = current_membership(request)
    subscription = subscription_get(account=membership.account, subscription_id=subscription_id)
    membership_require_owner(membership=membership)
    ids = [
        parse_id(part) or 0
        for part in request.POST.get("workspaces", "").split(",")
        if part.strip()
    ]
    try:
        effective = subscription_set_workspaces(
            subscription=subscription,
            workspace_ids=ids,
            today=billing_day(timezone.now()),
            actor=request.user,
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The new order applies from %(day)s.") % {"day": effective.isoformat()}
        )
    return redirect("package-detail", subscription_id=subscription.pk)


BILL_COLUMNS = ["date", "workspace", *BILL_LINE_COLUMNS, "adjustment"]


def _bill_range(request: HttpRequest, today: date) -> tuple[date, date, dict[str, str]]:
    """The days asked for (the last 7 billed days by default, at most 93), and what was wrong."""
    errors: dict[str, str] = {}

    def day_param(name: str, default: date) -> date:
        try:
            return parse_day(request.GET.get(name), field=name) or default
        except InvalidInput as invalid:
            errors[name] = invalid.message
            return default

    date_to = day_param("date_to", today - ONE_DAY)
    date_from = day_param("date_from", date_to - timedelta(days=6))
    if date_from > date_to:
        errors["date_from"] = _("The start is after the end.")
        date_from = date_to
    if (date_to - date_from).days > 92:
        errors["date_from"] = _("Show at most 93 days at a time.")
        date_from = date_to - timedelta(days=92)
    return date_from, date_to, errors


def _retention(days) -> int | str:
    return "" if days in (None, NO_RETENTION) else days


def _bill_values(bill):
    """A bill's lines, then its adjustments (changes in the lines' columns, with the reason)."""
    for line in bill.lines.all():
        values = [getattr(line, column) for column in BILL_LINE_COLUMNS[2:]]
        yield [line.item.code, _retention(line.retention_days), *values, ""]
    for change in bill.adjustments.all():
        yield [
            change.item.code if change.item else "",
            _retention(change.retention_days),
            change.quantity_delta,
            change.converted_delta,
            change.plan_covered_delta,
            change.traffic_covered_delta,
            change.payg_quantity_delta,
            "",
            change.amount,
            change.reason_text,
        ]


def _bills_csv(selected, date_from: date, date_to: date) -> HttpResponse:
    """The bills' lines as CSV, one row a line, with the columns of the page; streamed from the
    queryset of the page's filter, with every bill it selects."""
    rows = (
        [bill.day, bill.workspace.name, *values]
        for bill in selected.iterator(chunk_size=CSV_CHUNK_SIZE)
        for values in _bill_values(bill)
    )
    return page_csv_response(f"consumption-{date_from}-{date_to}.csv", BILL_COLUMNS, rows)


@login_required
def bills(request: HttpRequest) -> HttpResponse:
    """Consumption details: daily bills with their lines, by date range and workspace."""
    membership = billing_membership(request)
    date_from, date_to, errors = _bill_range(request, billing_day(timezone.now()))
    workspaces = list(workspace_list(account=membership.account))
    workspace_id = parse_id(request.GET.get("workspace", ""))
    if workspace_id not in {workspace.pk for workspace in workspaces}:
        workspace_id = None
    chosen = daily_bill_list(
        account=membership.account,
        workspace_id=workspace_id,
        date_from=date_from,
        date_to=date_to,
    ).select_related("workspace")
    if request.GET.get("format") == "csv":
        return _bills_csv(chosen, date_from, date_to)
    selected = list(chosen.select_related("settlement"))
    context = {
        "membership": membership,
        "overview": bills_overview(bills=selected, date_from=date_from, date_to=date_to),
        "legend": conversion_legend(billing_item_list()),
        "workspaces": workspaces,
        "workspace_id": workspace_id,
        "date_from": date_from,
        "date_to": date_to,
        "errors": errors,
        "no_retention": NO_RETENTION,
    }
    return render(request, "quota/bills.html", context, status=400 if errors else 200)


@login_required
def alerts(request: HttpRequest) -> HttpResponse:
    """High-spend alert thresholds per workspace and item (owners set them)."""
    membership = billing_membership(request)
    errors = {}
    if request.method == "POST":
        membership_require_owner(membership=membership)
        for key, value in request.POST.items():
            if not key.startswith("threshold-"):
                continue
            workspace_id, _sep, item_code = key[len("threshold-") :].partition("-")
            try:
                spend_alert_set(
                    membership=membership,
                    workspace_id=workspace_id,
                    item_code=item_code,
                    threshold=value.strip(),
                )
            except (InvalidInput, NotFound) as error:
                errors[key] = error.message
        if not errors:
            messages.success(request, _("Alert thresholds saved."))
            return redirect("alerts")
    current = {
        (alert.workspace_id, alert.item.code): alert.threshold
        for alert in spend_alert_list(account=membership.account)
    }
    items = [item for item in billing_item_list()]
    workspaces = [w for w in workspace_list(account=membership.account) if w.plan == "commercial"]
    grid = [
        (
            workspace,
            [
                (
                    item,
                    f"threshold-{workspace.pk}-{item.code}",
                    request.POST.get(
                        f"threshold-{workspace.pk}-{item.code}",
                        current.get((workspace.pk, item.code), ""),
                    ),
                )
                for item in items
            ],
        )
        for workspace in workspaces
    ]
    context = {"membership": membership, "grid": grid, "items": items, "errors": errors}
    return render(request, "quota/alerts.html", context, status=400 if errors else 200)
