"""Pages: create a workspace, upgrade one (with a confirmation step), switch account; the
sign-in pages' answer to too many attempts."""

import math
from datetime import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from common.exceptions import InvalidInput
from workspaces.models import Membership
from workspaces.selectors import (
    membership_current,
    membership_list_for_user,
    membership_require_billing,
    membership_require_owner,
    workspace_get,
)
from workspaces.services import workspace_create as create_workspace
from workspaces.services import workspace_upgrade as upgrade_workspace
from workspaces.signin import (
    locked_out_message,
    lockout_ends_at,
    lockout_username,
    seconds_until,
)

SESSION_ACCOUNT_KEY = "account_id"


def current_membership(request: HttpRequest) -> Membership:
    """The membership the signed-in user acts through on pages (chosen in the switcher)."""
    if not hasattr(request, "_membership"):
        request._membership = membership_current(
            user=request.user, account_id=request.session.get(SESSION_ACCOUNT_KEY)
        )
    return request._membership


def billing_membership(request: HttpRequest) -> Membership:
    return membership_require_billing(membership=current_membership(request))


class WorkspaceForm(forms.Form):
    name = forms.CharField(max_length=100, label=gettext_lazy("Name"))


@login_required
def workspace_create(request: HttpRequest) -> HttpResponse:
    membership = billing_membership(request)
    form = WorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workspace = create_workspace(membership=membership, name=form.cleaned_data["name"])
        except InvalidInput as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Workspace %(name)s created.") % {"name": workspace.name})
            return redirect("home")
    return render(request, "workspaces/workspace_form.html", {"form": form})


@login_required
def workspace_upgrade(request: HttpRequest, workspace_id: int) -> HttpResponse:
    membership = current_membership(request)
    workspace = workspace_get(account=membership.account, workspace_id=workspace_id)
    membership_require_owner(membership=membership)
    if request.method == "POST":
        if workspace.plan == "commercial":
            messages.info(
                request, _("%(name)s is already on the commercial plan.") % {"name": workspace.name}
            )
            return redirect("home")
        upgrade_workspace(membership=membership, workspace_id=workspace.pk, now=timezone.now())
        messages.success(
            request, _("%(name)s is now on the commercial plan.") % {"name": workspace.name}
        )
        return redirect(_next_or_home(request))
    return render(
        request,
        "workspaces/workspace_upgrade.html",
        {"workspace": workspace, "next": _next_or_home(request)},
    )


def _next_or_home(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/"


@login_required
@require_POST
def account_switch(request: HttpRequest) -> HttpResponse:
    membership = membership_current(user=request.user, account_id=request.POST.get("account"))
    request.session[SESSION_ACCOUNT_KEY] = membership.account_id
    return redirect("home")


def membership_choices(request: HttpRequest) -> list[Membership]:
    return list(membership_list_for_user(user=request.user))


def signin_refused(request: HttpRequest, *, until: datetime, locked: bool) -> HttpResponse:
    """429 for the login page and the admin login, saying when to try again: `locked` for a
    locked-out (username, address) pair, else too many attempts (the throttles)."""
    seconds = seconds_until(until, now=timezone.now())
    response = render(
        request,
        "registration/signin_refused.html",
        {"locked": locked, "retry_at": until, "minutes": math.ceil(seconds / 60)},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


def signin_locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE, for a request whose sign-in axes refused or just locked out. The
    token API has answered its 429 already (workspaces.api.TokenLoginView); pages get theirs."""
    is_api = request.path.startswith("/api/")
    if is_api and original_response is not None and original_response.status_code == 429:
        return original_response
    now = timezone.now()
    until = lockout_ends_at(request, username=lockout_username(request, credentials), now=now)
    if not is_api:
        return signin_refused(request, until=until, locked=True)
    seconds = seconds_until(until, now=now)
    response = JsonResponse(
        {
            "errors": {"detail": [locked_out_message(seconds=seconds)]},
            "codes": {"detail": ["locked_out"]},
        },
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
