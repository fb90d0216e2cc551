"""High-spend alert thresholds and the notices sent (one per workspace, item and day)."""

from django.db import models
from django.db.models import Q

from packages.models import BillingItem
from workspaces.models import Account, Workspace


class SpendAlert(models.Model):
    """Notify owners and admins when a day's line of this workspace and item exceeds a threshold."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="spend_alerts")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="spend_alerts")
    item = models.ForeignKey(BillingItem, on_delete=models.PROTECT, related_name="+")
    threshold = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "item"], name="one_alert_per_workspace_and_item"
            ),
            models.CheckConstraint(
                condition=Q(threshold__gte=0), name="alert_threshold_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workspace} {self.item.code} > ¥{self.threshold}"


class SpendAlertNotice(models.Model):
    """One e-mail per workspace, item and day, never more."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(BillingItem, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    threshold = models.DecimalField(max_digits=14, decimal_places=2)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "item", "day"], name="one_notice_per_workspace_item_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.workspace_id} {self.item_id}: {self.amount}"
