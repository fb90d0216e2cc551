"""Everything that writes accounts, memberships and workspaces."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from common.exceptions import Conflict, InvalidInput
from workspaces.models import Account, Membership, Role, Workspace, WorkspacePlan, WorkspaceStatus
from workspaces.selectors import (
    membership_require_billing,
    membership_require_owner,
    workspace_get,
)

User = get_user_model()


def account_create(
    *, name: str, owner_username: str, owner_password: str, owner_email: str = ""
) -> Account:
    """A billing account with its owner, a new user."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("An account needs a name."), field="name")
    if not owner_username:
        raise InvalidInput(_("The owner needs a username."), field="username")
    candidate = User(username=owner_username, email=owner_email)
    try:
        validate_password(owner_password, user=candidate)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), field="password") from None
    with transaction.atomic():
        if User.objects.filter(username=owner_username).exists():
            raise InvalidInput(
                _("The username %(name)s is taken.") % {"name": owner_username}, field="username"
            )
        user = User.objects.create_user(
            username=owner_username, email=owner_email, password=owner_password
        )
        account = Account.objects.create(name=name)
        Membership.objects.create(account=account, user=user, role=Role.OWNER)
    return account


def membership_set(*, account: Account, user, role: str) -> Membership:
    """Add a user to an account, or change their role."""
    if role not in Role.values:
        raise InvalidInput(_("Unknown role %(role)s.") % {"role": role}, field="role")
    membership, _created = Membership.objects.update_or_create(
        account=account, user=user, defaults={"role": role}
    )
    return membership


def workspace_create(*, membership: Membership, name: str) -> Workspace:
    """A new free workspace in the member's account (owners and admins)."""
    membership_require_billing(membership=membership)
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("A workspace needs a name."), field="name")
    if len(name) > Workspace._meta.get_field("name").max_length:
        raise InvalidInput(_("Use at most 100 characters."), field="name")
    try:
        with transaction.atomic():
            # The account row lock orders this against a lock or an unlock of the account.
            account = Account.objects.select_for_update().get(pk=membership.account_id)
            return Workspace.objects.create(
                account=account, name=name, status=account_workspace_status(account=account)
            )
    except IntegrityError:
        raise InvalidInput(
            _("The account already has a workspace named %(name)s.") % {"name": name}, field="name"
        ) from None


def account_workspace_status(*, account: Account) -> str:
    """What every workspace of the account shows: locked, in arrears, or active (SPEC 5.4)."""
    if account.locked_at is not None:
        return WorkspaceStatus.LOCKED
    if account.arrears_since is not None:
        return WorkspaceStatus.ARREARS
    return WorkspaceStatus.ACTIVE


def workspace_upgrade(*, membership: Membership, workspace_id: int, now: datetime) -> Workspace:
    """Free → commercial, by an owner of the workspace's account; no charge (SPEC 2)."""
    workspace = workspace_get(account=membership.account, workspace_id=workspace_id)
    membership_require_owner(membership=membership)
    return _workspace_make_commercial(workspace_id=workspace.pk, actor=membership.user, now=now)


def workspace_upgrade_by_staff(*, workspace_id: int, actor, now: datetime) -> Workspace:
    """The same upgrade done by an operator in Django admin."""
    return _workspace_make_commercial(workspace_id=workspace_id, actor=actor, now=now)


def _workspace_make_commercial(*, workspace_id: int, actor, now: datetime) -> Workspace:
    with transaction.atomic():
        workspace = Workspace.objects.select_for_update().get(pk=workspace_id)
        if workspace.plan == WorkspacePlan.COMMERCIAL:
            raise Conflict(
                _("%(name)s is already on the commercial plan.") % {"name": workspace.name}
            )
        workspace.plan = WorkspacePlan.COMMERCIAL
        workspace.upgraded_at = now
        workspace.upgraded_by = actor
        workspace.save(update_fields=["plan", "upgraded_at", "upgraded_by"])
    return workspace


def account_arrears_start(*, account_id: int, since: datetime) -> bool:
    """The account owes money: start the countdown and show its workspaces in arrears.

    Returns True when this starts a new countdown (the caller sends the e-mail).
    """
    updated = Account.objects.filter(pk=account_id, arrears_since__isnull=True).update(
        arrears_since=since, arrears_reminded_at=None, locked_at=None
    )
    if updated:
        Workspace.objects.filter(account_id=account_id, status=WorkspaceStatus.ACTIVE).update(
            status=WorkspaceStatus.ARREARS
        )
    return bool(updated)


def accounts_arrears_start(*, account_ids: list[int], since: datetime) -> list[int]:
    """account_arrears_start for many accounts at once (the nightly settlement); returns the
    accounts whose countdown starts now."""
    starting = list(
        Account.objects.filter(pk__any=account_ids, arrears_since__isnull=True).values_list(
            "pk", flat=True
        )
    )
    if starting:
        Account.objects.filter(pk__any=starting).update(
            arrears_since=since, arrears_reminded_at=None, locked_at=None
        )
        Workspace.objects.filter(account_id__any=starting, status=WorkspaceStatus.ACTIVE).update(
            status=WorkspaceStatus.ARREARS
        )
    return starting


def account_arrears_clear(*, account_id: int) -> bool:
    """The debt is paid: stop the countdown and unlock every workspace. True if it was owing."""
    updated = Account.objects.filter(pk=account_id, arrears_since__isnull=False).update(
        arrears_since=None, arrears_reminded_at=None, locked_at=None
    )
    Workspace.objects.filter(account_id=account_id).exclude(status=WorkspaceStatus.ACTIVE).update(
        status=WorkspaceStatus.ACTIVE
    )
    return bool(updated)


def account_lock(*, account_id: int, at: datetime) -> bool:
    """The countdown ran out: every workspace of the account is locked. True if newly locked."""
    updated = Account.objects.filter(
        pk=account_id, arrears_since__isnull=False, locked_at__isnull=True
    ).update(locked_at=at)
    if updated:
        Workspace.objects.filter(account_id=account_id).update(status=WorkspaceStatus.LOCKED)
    return bool(updated)


def account_mark_reminded(*, account_id: int, at: datetime) -> bool:
    return bool(
        Account.objects.filter(pk=account_id, arrears_reminded_at__isnull=True).update(
            arrears_reminded_at=at
        )
    )
