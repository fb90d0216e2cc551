"""Pages of the billing layer: the home page (the account at a glance) and statements."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.selectors import statement_for
from common.csv_export import csv_response
from common.dates import billing_day, parse_month
from common.exceptions import InvalidInput
from common.pagination import page_of
from quota.selectors import daily_bill_list, subscription_list, subscription_view
from wallet.selectors import account_balances, usable_balances
from workspaces.selectors import workspace_list
from workspaces.views import billing_membership

HOME_PACKAGES = 10  # current packages on the home page; ?packages=N shows the others


@login_required
def home(request: HttpRequest) -> HttpResponse:
    membership = billing_membership(request)
    now = timezone.now()
    today = billing_day(now)
    balances = account_balances(account=membership.account)
    days_to_lock = None
    if balances.lock_at is not None:
        days_to_lock = max((balances.lock_at - now).days, 0)
    workspaces = list(workspace_list(account=membership.account))
    package_pager = page_of(
        request,
        subscription_list(account=membership.account).filter(end_date__gte=today),
        per_page=HOME_PACKAGES,
        param="packages",
    )
    packages = [
        subscription_view(subscription=subscription, today=today)
        for subscription in package_pager.rows
    ]
    names = {workspace.pk: workspace.name for workspace in workspaces}
    context = {
        "membership": membership,
        "balances": balances,
        "usable": usable_balances(account=membership.account, now=now),
        "days_to_lock": days_to_lock,
        "workspaces": workspaces,
        "packages": [(view, [names.get(pk, pk) for pk in view.workspace_ids]) for view in packages],
        "package_pager": package_pager,
        "latest_bills": list(
            daily_bill_list(account=membership.account).select_related("workspace")[:6]
        ),
        "free_count": sum(1 for workspace in workspaces if workspace.plan == "free"),
        "commercial_count": sum(1 for workspace in workspaces if workspace.plan == "commercial"),
    }
    return render(request, "billing/home.html", context)


@login_required
def statements(request: HttpRequest) -> HttpResponse:
    membership = billing_membership(request)
    now = timezone.now()
    error = None
    try:
        month = parse_month(request.GET.get("month"), field="month")
    except InvalidInput as invalid:
        error, month = invalid.message, None
    month = month or billing_day(now).replace(day=1)
    statement = statement_for(account=membership.account, month=month, now=now)
    rows = [
        (_("Pay-as-you-go charged"), statement.payg_charged),
        (_("Paid by vouchers"), statement.paid_by_vouchers),
        (_("Paid by prepaid cards"), statement.paid_by_cards),
        (_("Paid from cash"), statement.paid_by_cash),
        (_("Left in arrears"), statement.left_in_arrears),
        (_("Orders"), statement.orders_total),
        (_("Arrears at the end of the month"), statement.arrears_at_month_end),
        (_("Bill adjustments charged"), statement.adjustments_debited),
        (_("Bill adjustments given back"), statement.adjustments_credited),
    ]
    if request.GET.get("format") == "csv":
        return csv_response(
            f"statement-{month:%Y-%m}.csv",
            ["field", "value"],
            [(label, value) for label, value in rows],
        )
    months = [
        (billing_day(now).replace(day=1) - timedelta(days=31 * back)).replace(day=1)
        for back in range(12)
    ]
    context = {
        "statement": statement,
        "rows": rows,
        "month": month,
        "months": months,
        "error": error,
    }
    return render(request, "billing/statements.html", context, status=400 if error else 200)
