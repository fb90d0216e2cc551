"""Daily bills, and the lines that record what the plan and traffic packs covered."""

from django.db import models
from django.db.models import F, Q

from packages.models import BillingItem
from quota.models.runs import BillingRun
from quota.models.subscriptions import Subscription
from workspaces.models import Account, Workspace


class DailyBill(models.Model):
    """What one workspace owes for one billing day. Never edited after it is written."""

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="daily_bills")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="daily_bills")
    day = models.DateField()
    subscription = models.ForeignKey(
        Subscription, null=True, blank=True, on_delete=models.PROTECT, related_name="daily_bills"
    )
    total = models.DecimalField(max_digits=14, decimal_places=2)
    run = models.ForeignKey(BillingRun, on_delete=models.PROTECT, related_name="bills")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "workspace_id"]
        indexes = [models.Index(fields=["account", "day"])]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "day"], name="one_bill_per_workspace_and_day"
            )
        ]

    def __str__(self) -> str:
        return f"Bill {self.day} ws {self.workspace_id}: {self.total}"


# What a bill line shows, in this order: pages, CSV exports and admin use the same columns.
BILL_LINE_COLUMNS = [
    "item",
    "retention_days",
    "quantity",
    "converted_quantity",
    "plan_covered",
    "traffic_covered",
    "payg_quantity",
    "unit_price",
    "amount",
]


class DailyBillLine(models.Model):
    """One item and retention of a bill, with its allocation: plan-covered, traffic-covered, PAYG.

    quantity is raw; converted_quantity = quantity × retention factor under a package (raw
    otherwise); converted = plan_covered + traffic_covered + payg_quantity.
    """

    bill = models.ForeignKey(DailyBill, on_delete=models.PROTECT, related_name="lines")
    item = models.ForeignKey(BillingItem, on_delete=models.PROTECT, related_name="+")
    retention_days = models.PositiveSmallIntegerField()
    quantity = models.BigIntegerField()
    converted_quantity = models.BigIntegerField()
    plan_covered = models.BigIntegerField(default=0)
    traffic_covered = models.BigIntegerField(default=0)
    traffic_by_pack = models.JSONField(
        default=dict, blank=True, help_text="pack id → quantity covered"
    )
    payg_quantity = models.BigIntegerField()
    unit_price = models.DecimalField(max_digits=18, decimal_places=6)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    reason = models.CharField(max_length=200, blank=True, help_text="Set on adjustment lines only.")

    class Meta:
        ordering = ["bill", "item__display_order", "retention_days"]
        constraints = [
            models.UniqueConstraint(
                fields=["bill", "item", "retention_days"],
                condition=Q(reason=""),
                name="one_line_per_bill_item_and_retention",
            ),
            models.CheckConstraint(
                condition=Q(
                    converted_quantity=F("plan_covered") + F("traffic_covered") + F("payg_quantity")
                ),
                name="line_covered_plus_payg_is_converted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.retention_days} d: {self.amount}"
