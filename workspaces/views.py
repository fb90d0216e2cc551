"""Pages: a member's home, the team, create a workspace, upgrade one (with a confirmation
step), switch account; choosing one's own password; the sign-in pages' answer to too many
attempts."""

import math
from datetime import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from common.exceptions import Conflict, InvalidInput, NotFound
from workspaces.forms import MemberAddForm, MemberRoleForm
from workspaces.models import Membership, Role
from workspaces.selectors import (
    account_billing_contacts,
    membership_current,
    membership_list_for_account,
    membership_list_for_user,
    membership_require_billing,
    membership_require_owner,
    team_events,
    team_may_change,
    team_roles_grantable,
    workspace_get,
    workspace_list,
)
from workspaces.services import member_add, member_remove, member_role_change, password_change_done
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
    """The membership the signed-in user acts through on pages (chosen in the switcher); the
    first one when the chosen account is no longer theirs (they were removed from its team)."""
    if not hasattr(request, "_membership"):
        try:
            request._membership = membership_current(
                user=request.user, account_id=request.session.get(SESSION_ACCOUNT_KEY)
            )
        except NotFound:
            if request.session.pop(SESSION_ACCOUNT_KEY, None) is None:
                raise
            request._membership = membership_current(user=request.user)
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


def member_home(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Home of a member (no billing rights): the account's workspaces and their status, and whom
    to ask about billing."""
    context = {
        "membership": membership,
        "workspaces": list(workspace_list(account=membership.account)),
        "contacts": account_billing_contacts(account=membership.account),
    }
    return render(request, "workspaces/member_home.html", context)


def team_context(membership: Membership, *, add_form=None, added=None) -> dict:
    grantable = team_roles_grantable(actor=membership)
    rows = [
        (member, team_may_change(actor=membership, target_role=member.role))
        for member in membership_list_for_account(account=membership.account)
    ]
    return {
        "membership": membership,
        "rows": rows,
        "roles": [(value, label) for value, label in Role.choices if value in grantable],
        "add_form": add_form or MemberAddForm(),
        "added": added,
        "events": team_events(account=membership.account),
    }


@login_required
def team(request: HttpRequest) -> HttpResponse:
    """The team of the account: owners and admins manage it, a new user's temporary password is
    shown once in the answer to the form that made it."""
    membership = billing_membership(request)
    if request.method != "POST":
        return render(request, "workspaces/team.html", team_context(membership))
    form = MemberAddForm(request.POST)
    if form.is_valid():
        try:
            added = member_add(membership=membership, now=timezone.now(), **form.cleaned_data)
        except (InvalidInput, Conflict) as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            name = added.membership.user.get_username()
            if added.temporary_password is None:
                messages.success(request, _("%(name)s joined the team.") % {"name": name})
                return redirect("team")
            context = team_context(membership, added=added)
            response = render(request, "workspaces/team.html", context)
            response["Cache-Control"] = "no-store"  # the password is shown once, never cached
            return response
    context = team_context(membership, add_form=form)
    return render(request, "workspaces/team.html", context, status=400)


@login_required
@require_POST
def team_member_role(request: HttpRequest, member_id: int) -> HttpResponse:
    membership = billing_membership(request)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role."))
        return redirect("team")
    try:
        changed = member_role_change(
            membership=membership,
            member_id=member_id,
            role=form.cleaned_data["role"],
            now=timezone.now(),
        )
    except Conflict as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(name)s is now %(role)s.")
            % {"name": changed.user.get_username(), "role": changed.get_role_display()},
        )
    return redirect("team" if changed_self_keeps_team(request, membership) else "home")


@login_required
@require_POST
def team_member_remove(request: HttpRequest, member_id: int) -> HttpResponse:
    membership = billing_membership(request)
    try:
        member_remove(membership=membership, member_id=member_id, now=timezone.now())
    except Conflict as error:
        messages.error(request, error.message)
        return redirect("team")
    messages.success(request, _("Removed from the team."))
    return redirect("team" if changed_self_keeps_team(request, membership) else "home")


def changed_self_keeps_team(request: HttpRequest, membership: Membership) -> bool:
    """After a change of the team, whether the actor may still open the team page (not when
    they removed themselves or became a member)."""
    current = Membership.objects.filter(pk=membership.pk).first()
    return current is not None and current.can_see_billing


class PasswordChangeView(auth_views.PasswordChangeView):
    """Choosing one's own password (asked for first after a temporary one)."""

    template_name = "registration/password_change_form.html"

    def get_success_url(self) -> str:
        return reverse("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        password_change_done(user=self.request.user)
        messages.success(self.request, _("Your password is changed."))
        return response
