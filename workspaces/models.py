"""Users, billing accounts with their members and roles, and workspaces."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in. Billing rights come from memberships, not from the user."""

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
