"""Everything that writes accounts, memberships and workspaces."""

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from knox.models import AuthToken, get_digest_token
from knox.settings import CONSTANTS, knox_settings

from common.exceptions import Conflict, Forbidden, InvalidInput
from common.text import name_clean
from workspaces.mail import member_added_mail, member_removed_mail, member_role_mail
from workspaces.models import (
    Account,
    Membership,
    MembershipEvent,
    Role,
    TeamAction,
    Workspace,
    WorkspacePlan,
    WorkspaceStatus,
)
from workspaces.selectors import (
    membership_get,
    membership_require_billing,
    membership_require_owner,
    team_may_change,
    team_roles_grantable,
    workspace_get,
)

User = get_user_model()


def account_create(
    *, name: str, owner_username: str, owner_password: str, owner_email: str = ""
) -> Account:
    """A billing account with its owner, a new user."""
    name = name_clean(name)
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
    name = name_clean(name)
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


# The team (owners manage everyone; admins manage admins and members, never an owner).

# Temporary passwords are read out and typed by hand: no 0/O/o, 1/l/I (16 of 56: 92 bits).
PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"


@dataclass(frozen=True)
class MemberAdded:
    membership: Membership
    temporary_password: str | None  # a new user's, shown once to whoever added them; not stored


def member_add(
    *, membership: Membership, username: str, email: str, role: str, now: datetime
) -> MemberAdded:
    """Add a person to the account: an existing user (by username, and their e-mail address when
    they have one), else a new user with a temporary password to change at the first sign-in."""
    username, email = (username or "").strip(), (email or "").strip()
    if not username:
        raise InvalidInput(_("Give the username."), field="username")
    with transaction.atomic():
        actor = _team_actor_locked(membership)
        _require_may_change(actor=actor, target_role=None, new_role=_valid_role(role))
        user = User.objects.filter(username=username).first()
        password = None
        if user is None:
            user, password = _user_with_temporary_password(username=username, email=email)
        elif not user.is_active or (user.email and user.email.lower() != email.lower()):
            raise InvalidInput(
                _(
                    "The username %(name)s is taken. To add that person, give the e-mail address "
                    "of their sign-in."
                )
                % {"name": username},
                field="email",
                code="email_mismatch",
            )
        try:
            with transaction.atomic():
                added = Membership.objects.create(account_id=actor.account_id, user=user, role=role)
        except IntegrityError:
            raise Conflict(
                _("%(name)s is already in the team.") % {"name": username},
                field="username",
                code="already_member",
            ) from None
        _team_event(actor=actor, target=added, action=TeamAction.ADDED, now=now, after=role)
        member_added_mail(
            email=user.email,
            account_id=actor.account_id,
            username=user.username,
            role=role,
            by=actor.user.get_username(),
            new_user=password is not None,
        )
    return MemberAdded(membership=added, temporary_password=password)


def member_role_change(
    *, membership: Membership, member_id: int | str, role: str, now: datetime
) -> Membership:
    """Give a member of the team another role; the account always keeps an owner."""
    role = _valid_role(role)
    with transaction.atomic():
        actor = _team_actor_locked(membership)
        target = _team_target(actor, member_id)
        if target.role == role:
            return target
        _require_may_change(actor=actor, target_role=target.role, new_role=role)
        if target.role == Role.OWNER:
            _require_another_owner(target)
        before = target.role
        target.role = role
        target.save(update_fields=["role"])
        _team_event(
            actor=actor,
            target=target,
            action=TeamAction.ROLE_CHANGED,
            now=now,
            before=before,
            after=role,
        )
        member_role_mail(
            email=target.user.email,
            account_id=actor.account_id,
            role_before=before,
            role=role,
            by=actor.user.get_username(),
        )
    return target


def member_remove(*, membership: Membership, member_id: int | str, now: datetime) -> None:
    """Take a person out of the team (the user stays, with their other accounts); never the last
    owner."""
    with transaction.atomic():
        actor = _team_actor_locked(membership)
        target = _team_target(actor, member_id)
        _require_may_change(actor=actor, target_role=target.role, new_role=None)
        if target.role == Role.OWNER:
            _require_another_owner(target)
        _team_event(
            actor=actor, target=target, action=TeamAction.REMOVED, now=now, before=target.role
        )
        target.delete()
        member_removed_mail(
            email=target.user.email, account_id=actor.account_id, by=actor.user.get_username()
        )


def _valid_role(role: str) -> str:
    if role not in Role.values:
        raise InvalidInput(_("Unknown role %(role)s.") % {"role": role}, field="role")
    return role


def _team_actor_locked(membership: Membership) -> Membership:
    """The actor's membership re-read under the account's row lock, which serializes every
    change of the team (two owners demoting each other at once leave one owner)."""
    Account.objects.select_for_update().get(pk=membership.account_id)
    actor = Membership.objects.filter(pk=membership.pk).select_related("user", "account").first()
    if actor is None or not actor.can_see_billing:
        raise Forbidden(
            _("Only owners and admins of the account manage its team."),
            code="team_manager_required",
        )
    return actor


def _team_target(actor: Membership, member_id: int | str) -> Membership:
    return membership_get(account=actor.account, membership_id=member_id)


def _require_may_change(*, actor: Membership, target_role: str | None, new_role: str | None):
    """Owners may do anything; admins neither make an owner nor change or remove one."""
    if new_role is not None and new_role not in team_roles_grantable(actor=actor):
        raise Forbidden(_("Only an owner can make someone an owner."), code="owner_required")
    if target_role is not None and not team_may_change(actor=actor, target_role=target_role):
        raise Forbidden(_("Only an owner can change or remove an owner."), code="owner_required")


def _require_another_owner(target: Membership) -> None:
    others = Membership.objects.filter(account_id=target.account_id, role=Role.OWNER).exclude(
        pk=target.pk
    )
    if not others.exists():
        raise Conflict(
            _("An account always keeps an owner: make someone else an owner first."),
            code="last_owner",
        )


def _user_with_temporary_password(*, username: str, email: str):
    try:
        User.username_validator(username)
        if len(username) > User._meta.get_field("username").max_length:
            raise ValidationError(_("Use at most 150 characters."))
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), field="username") from None
    if not email:
        raise InvalidInput(
            _("A new user needs an e-mail address."), field="email", code="email_required"
        )
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(_("Enter a valid e-mail address."), field="email") from None
    password = "".join(secrets.choice(PASSWORD_ALPHABET) for _position in range(16))
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=username, email=email, password=password, password_change_required=True
            )
    except IntegrityError:  # the same username, made a moment ago by someone else
        raise InvalidInput(
            _("The username %(name)s is taken.") % {"name": username},
            field="username",
            code="username_taken",
        ) from None
    return user, password


def _team_event(*, actor, target, action, now, before: str = "", after: str = "") -> None:
    MembershipEvent.objects.create(
        account_id=target.account_id,
        user=target.user,
        username=target.user.get_username(),
        action=action,
        role_before=before,
        role_after=after,
        actor=actor.user,
        created_at=now,
    )


def password_change_done(*, user) -> None:
    """The user chose their own password: the portal stops asking for one."""
    if user.password_change_required:
        User.objects.filter(pk=user.pk).update(password_change_required=False)
        user.password_change_required = False
