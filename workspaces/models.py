"""Users, billing accounts with their members and roles, and workspaces."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in. Billing rights come from memberships, not from the user."""

    password_change_required = models.BooleanField(
        default=False,
        help_text="Signed in with a temporary password (made by an owner on the team page): "
        "the portal asks for a new one before anything else.",
    )

    class Meta(AbstractUser.Meta):
        permissions = [("ingest_usage", "Can send usage samples through the metering API")]


class Account(models.Model):
    """A billing account: the enterprise that owns workspaces and pays for them."""

    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    MEMBER = "member", _("Member")


class Membership(models.Model):
    """A user's role in an account: owners buy and pay, admins see billing, members do neither."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["account", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "user"], name="one_membership_per_user_and_account"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.role} of {self.account}"

    @property
    def can_see_billing(self) -> bool:
        return self.role in (Role.OWNER, Role.ADMIN)

    @property
    def can_buy(self) -> bool:
        return self.role == Role.OWNER


class TeamAction(models.TextChoices):
    ADDED = "added", _("Added")
    ROLE_CHANGED = "role_changed", _("Role changed")
    REMOVED = "removed", _("Removed")


class MembershipEvent(models.Model):
    """Append-only history of an account's team: who added, re-roled or removed whom, when."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="team_events")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150, help_text="Kept if the user is deleted later.")
    action = models.CharField(max_length=12, choices=TeamAction.choices)
    role_before = models.CharField(max_length=10, choices=Role.choices, blank=True)
    role_after = models.CharField(max_length=10, choices=Role.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["account", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.username} {self.action}"


class WorkspacePlan(models.TextChoices):
    FREE = "free", _("Free")
    COMMERCIAL = "commercial", _("Commercial")


class WorkspaceStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ARREARS = "arrears", _("Arrears")
    LOCKED = "locked", _("Locked")


class Workspace(models.Model):
    """Where a customer's data goes; billed only on the commercial plan."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="workspaces")
    name = models.CharField(max_length=100)
    plan = models.CharField(
        max_length=12, choices=WorkspacePlan.choices, default=WorkspacePlan.FREE
    )
    status = models.CharField(
        max_length=10, choices=WorkspaceStatus.choices, default=WorkspaceStatus.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    upgraded_at = models.DateTimeField(null=True, blank=True)
    upgraded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["account", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "name"], name="workspace_name_unique_in_account"
            ),
            models.CheckConstraint(
                condition=Q(plan="free", upgraded_at__isnull=True)
                | Q(plan="commercial", upgraded_at__isnull=False),
                name="commercial_workspace_has_upgrade_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (#{self.pk})"
