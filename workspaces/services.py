"""Everything that writes accounts, memberships and workspaces."""

from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from knox.models import AuthToken, get_digest_token
from knox.settings import CONSTANTS, knox_settings

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
                _("The username %(name)s is taken.") % {"name": owner_username},
                field="username",
                code="username_taken",
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
            _("The account already has a workspace named %(name)s.") % {"name": name},
            field="name",
            code="name_taken",
        ) from None


def account_workspace_status(*, account: Account) -> str:
    """What a new workspace of the account shows: what the others show (locked, in arrears or
    active, SPEC 5.4). Read under the account's row lock, which `accounts_workspaces_show` takes."""
    shown = set(Workspace.objects.filter(account=account).values_list("status", flat=True))
    for status in (WorkspaceStatus.LOCKED, WorkspaceStatus.ARREARS):
        if status in shown:
            return status
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
                _("%(name)s is already on the commercial plan.") % {"name": workspace.name},
                code="already_commercial",
            )
        workspace.plan = WorkspacePlan.COMMERCIAL
        workspace.upgraded_at = now
        workspace.upgraded_by = actor
        workspace.save(update_fields=["plan", "upgraded_at", "upgraded_by"])
    return workspace


def accounts_workspaces_show(
    *, account_ids: list[int], status: str, only_from: str | None = None
) -> None:
    """Every workspace of these accounts shows `status` (the wallet's arrears countdown decides
    it); `only_from` limits the change to workspaces showing that status now. The accounts' rows
    are locked first, so a workspace created at the same moment gets the new status too."""
    list(Account.objects.select_for_update().filter(pk__any=account_ids).order_by("pk"))
    workspaces = Workspace.objects.filter(account_id__any=account_ids)
    if only_from is not None:
        workspaces = workspaces.filter(status=only_from)
    workspaces.exclude(status=status).update(status=status)


def api_token_create(*, user, now: datetime) -> tuple[AuthToken, str]:
    """A new API token of `user` and its secret, shown once: only its digest is stored. It
    expires API_TOKEN_TTL_DAYS after its last use. Expired tokens of the user go, and beyond
    API_TOKENS_PER_USER live ones, those unused for longest (the earliest expiry)."""
    tokens = AuthToken.objects.filter(user=user)
    tokens.filter(expiry__lte=now).delete()
    keep = settings.API_TOKENS_PER_USER - 1
    surplus = list(tokens.order_by("-expiry").values_list("digest", flat=True)[keep:])
    if surplus:
        AuthToken.objects.filter(digest__in=surplus).delete()
    digest, secret = get_digest_token()
    token = AuthToken(
        digest=digest,
        token_key=secret[: CONSTANTS.TOKEN_KEY_LENGTH],
        user=user,
        expiry=now + knox_settings.TOKEN_TTL,
    )
    token.save(force_insert=True)
    return token, secret


def api_token_revoke(*, token: AuthToken) -> None:
    """The token stops working now."""
    AuthToken.objects.filter(digest=token.digest).delete()


def api_tokens_revoke_all(*, user_id: int) -> int:
    """Every API token of the user stops working now (a new password, a logout); how many."""
    revoked, _by_model = AuthToken.objects.filter(user_id=user_id).delete()
    return revoked
