"""Reads of accounts, memberships and workspaces, always scoped to what the user may see."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from common.api import parse_id
from common.exceptions import Forbidden, NotFound
from workspaces.models import Account, Membership, Workspace


def membership_list_for_user(*, user) -> QuerySet[Membership]:
    if not user.is_authenticated:
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user)
        .select_related("account", "user")
        .order_by("account__name", "pk")
    )


def membership_current(*, user, account_id: int | str | None = None) -> Membership:
    """The membership the user acts through: the chosen account, else their first one."""
    memberships = membership_list_for_user(user=user)
    if account_id not in (None, ""):
        account_id = parse_id(account_id)
        if account_id is None:
            raise NotFound(_("No such account."))
        memberships = memberships.filter(account_id=account_id)
    membership = memberships.first()
    if membership is None:
        raise NotFound(_("You are not a member of any billing account."))
    return membership


def membership_require_billing(*, membership: Membership) -> Membership:
    if not membership.can_see_billing:
        raise Forbidden(
            _("Your role in this account gives no access to billing."),
            code="billing_access_required",
        )
    return membership


def membership_require_owner(*, membership: Membership) -> Membership:
    if not membership.can_buy:
        raise Forbidden(_("Only an owner of the account can do this."), code="owner_required")
    return membership


def workspace_list(*, account: Account) -> QuerySet[Workspace]:
    return Workspace.objects.filter(account=account).order_by("pk")


def workspace_get(*, account: Account, workspace_id: int | str) -> Workspace:
    """A workspace of this account; any other (or unknown) id answers 404."""
    workspace_id = parse_id(workspace_id)
    if workspace_id is None:
        raise NotFound(_("No such workspace."))
    workspace = workspace_list(account=account).filter(pk=workspace_id).first()
    if workspace is None:
        raise NotFound(_("No such workspace."))
    return workspace
