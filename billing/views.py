"""Pages of the billing layer: the home page (the account at a glance) and statements."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.selectors import statement_for, statement_months, statement_orders
from common.csv_export import page_csv_response
from common.dates import billing_day, parse_month
from common.exceptions import InvalidInput
from common.pagination import page_of
from quota.selectors import daily_bill_list, subscription_list, subscription_view
from wallet.selectors import account_balances, usable_balances
from workspaces.selectors import workspace_list
from workspaces.views import billing_membership, current_membership, member_home

HOME_PACKAGES = 10  # current packages on the home page; ?packages=N shows the others


@login_required
def home(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    if not membership.can_see_billing:  # a member's home is a page they can use, not a 403
        return member_home(request, membership)
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


def statement_sections(statement) -> list[tuple[str, list[tuple[str, object]]]]:
    """The statement's amounts as the page and its CSV show them, by section."""
    return [
        (
            _("Pay-as-you-go"),
            [
                (_("Pay-as-you-go charged"), statement.payg_charged),
                (_("Paid by vouchers"), statement.paid_by_vouchers),
                (_("Paid by prepaid cards"), statement.paid_by_cards),
                (_("Paid from cash"), statement.paid_by_cash),
                (_("Left in arrears"), statement.left_in_arrears),
            ],
        ),
        (
            _("Orders"),
            [
                (_("Orders"), statement.orders_total),
                (_("Orders paid from cash"), statement.orders_paid_by_cash),
                (_("Orders paid by prepaid cards"), statement.orders_paid_by_cards),
                (_("Orders paid by vouchers"), statement.orders_paid_by_vouchers),
            ],
        ),
        (
            _("Corrections and debt"),
            [
                (_("Bill adjustments charged"), statement.adjustments_debited),
                (_("Bill adjustments given back"), statement.adjustments_credited),
                (_("Arrears at the end of the month"), statement.arrears_at_month_end),
            ],
        ),
    ]


def statement_state(statement, month, today) -> str:
    """final (produced on the 3rd), running (this month) or pending (ended, not produced yet)."""
    if statement.pk is not None:
        return "final"
    return "running" if month == today.replace(day=1) else "pending"


@login_required
def statements(request: HttpRequest) -> HttpResponse:
    membership = billing_membership(request)
    now = timezone.now()
    today = billing_day(now)
    error = None
    try:
        month = parse_month(request.GET.get("month"), field="month")
    except InvalidInput as invalid:
        error, month = invalid.message, None
    month = month or today.replace(day=1)
    statement = statement_for(account=membership.account, month=month, now=now)
    sections = statement_sections(statement)
    if request.GET.get("format") == "csv":
        return page_csv_response(
            f"statement-{month:%Y-%m}.csv",
            ["section", "field", "value"],
            [(title, label, value) for title, rows in sections for label, value in rows],
        )
    context = {
        "statement": statement,
        "state": statement_state(statement, month, today),
        "sections": sections,
        "orders": statement_orders(account=membership.account, month=month),
        "orders_count": statement.orders_count,
        "month": month,
        "months": statement_months(today=today),
        "error": error,
    }
    return render(request, "billing/statements.html", context, status=400 if error else 200)
