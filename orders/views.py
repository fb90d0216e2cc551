"""Pages of the Billing Center that show money: the home page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from orders.selectors import account_balances
from workspaces.selectors import workspace_list
from workspaces.views import billing_membership


@login_required
def home(request: HttpRequest) -> HttpResponse:
    membership = billing_membership(request)
    balances = account_balances(account=membership.account)
    days_to_lock = None
    if balances.lock_at is not None:
        days_to_lock = max((balances.lock_at - timezone.now()).days, 0)
    workspaces = list(workspace_list(account=membership.account))
    context = {
        "membership": membership,
        "balances": balances,
        "days_to_lock": days_to_lock,
        "workspaces": workspaces,
        "free_count": sum(1 for workspace in workspaces if workspace.plan == "free"),
        "commercial_count": sum(1 for workspace in workspaces if workspace.plan == "commercial"),
    }
    return render(request, "orders/home.html", context)
