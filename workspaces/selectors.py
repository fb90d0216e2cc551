"""Reads of accounts, memberships and workspaces, always scoped to what the user may see."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from common.api import parse_id
from common.exceptions import Forbidden, NotFound
from workspaces.models import Account, Membership, MembershipEvent, Role, Workspace


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


def membership_list_for_account(*, account: Account) -> list[Membership]:
    """The team of an account: owners first, then admins, then members, by username."""
    order = {Role.OWNER: 0, Role.ADMIN: 1, Role.MEMBER: 2}
    memberships = Membership.objects.filter(account=account).select_related("user")
    return sorted(memberships, key=lambda m: (order.get(m.role, 3), m.user.username.lower()))


def account_billing_contacts(*, account: Account) -> list[Membership]:
    """Whom a member asks about billing: the account's owners, then its admins."""
    return [
        membership
        for membership in membership_list_for_account(account=account)
        if membership.can_see_billing
    ]


def membership_get(*, account: Account, membership_id: int | str) -> Membership:
    """A membership of this account; any other (or unknown) id answers 404."""
    membership_id = parse_id(membership_id)
    membership = (
        Membership.objects.filter(account=account, pk=membership_id).select_related("user").first()
        if membership_id is not None
        else None
    )
    if membership is None:
        raise NotFound(_("No such member."))
    return membership


def team_events(*, account: Account, limit: int = 20) -> QuerySet[MembershipEvent]:
    return MembershipEvent.objects.filter(account=account).select_related("actor")[:limit]


def team_roles_grantable(*, actor: Membership) -> list[str]:
    """The roles this person may give: owners any, admins admin or member, members none."""
    if actor.role == Role.OWNER:
        return list(Role.values)
    if actor.role == Role.ADMIN:
        return [Role.ADMIN, Role.MEMBER]
    return []


def team_may_change(*, actor: Membership, target_role: str) -> bool:
    """Whether this person may change or remove a member of this role (admins never an owner)."""
    return actor.role == Role.OWNER or (actor.role == Role.ADMIN and target_role != Role.OWNER)
