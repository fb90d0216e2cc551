"""Daily bills, and the lines that record what the plan and traffic packs covered."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.dates import billing_zone
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

    @property
    def amount_due(self) -> Decimal:
        """What the customer owes for the bill: its total plus its adjustments (SPEC 6.1);
        uses the prefetched adjustments where a list prefetched them."""
        return self.total + sum((a.amount for a in self.adjustments.all()), Decimal("0.00"))


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


class AdjustmentKind(models.TextChoices):
    MANUAL = "manual", _("Operator adjustment")
    LATE_USAGE = "late_usage", _("Late usage re-rated")


class BillAdjustment(models.Model):
    """A debit (+) or a credit (−) on a daily bill (SPEC 6.1, 6.2): a new line, never an edit of
    the bill. What the customer owes for the bill is its total plus its adjustments. A debit is
    settled by the waterfall on the day it is made; a credit gives back what paid the bill."""

    bill = models.ForeignKey(DailyBill, on_delete=models.PROTECT, related_name="adjustments")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    day = models.DateField(help_text="The bill's day (the adjustment is dated on it).")
    kind = models.CharField(max_length=12, choices=AdjustmentKind.choices)
    item = models.ForeignKey(
        BillingItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    retention_days = models.PositiveSmallIntegerField(null=True, blank=True)
    quantity_delta = models.BigIntegerField(default=0, help_text="Raw quantity change.")
    converted_delta = models.BigIntegerField(default=0)
    plan_covered_delta = models.BigIntegerField(default=0)
    traffic_covered_delta = models.BigIntegerField(default=0)
    payg_quantity_delta = models.BigIntegerField(default=0)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    reason = models.CharField(max_length=500)
    usage_received_at = models.DateTimeField(
        null=True, blank=True, help_text="Late usage: when its latest sample arrived."
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    settled_on = models.DateField(help_text="The billing day on which it was settled.")
    sources = models.JSONField(
        default=dict,
        blank=True,
        help_text='By source instrument ("cash", "arrears", "voucher:ID", "prepaid_card:ID"): '
        "what paid this debit, or whose share of the bill this credit gave back.",
    )

    class Meta:
        ordering = ["bill", "created_at", "pk"]
        indexes = [models.Index(fields=["account", "created_at"])]
        constraints = [
            # A re-rating may move only quantities (coverage shifting between workspaces).
            models.CheckConstraint(
                condition=~Q(amount=0) | Q(kind="late_usage"), name="adjustment_moves_money"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="adjustment_has_a_reason"),
            models.CheckConstraint(
                condition=Q(item__isnull=True, retention_days__isnull=True)
                | Q(item__isnull=False, retention_days__isnull=False),
                name="adjustment_item_with_its_retention",
            ),
        ]

    def __str__(self) -> str:
        return f"Adjustment {self.amount:+} on bill #{self.bill_id}: {self.reason}"

    @property
    def reason_text(self) -> str:
        """The reason in the reader's language: a re-rating's is ours, an operator's is theirs."""
        if self.kind == AdjustmentKind.LATE_USAGE and self.usage_received_at is not None:
            local = timezone.localtime(self.usage_received_at, billing_zone())
            return gettext("late usage received %(time)s") % {"time": f"{local:%Y-%m-%d %H:%M}"}
        return self.reason

    @property
    def is_credit(self) -> bool:
        return self.amount < 0


class LateUsage(models.Model):
    """An account's billed day that received samples after its run: the next run re-rates the
    whole day of the account (SPEC 6.2). One open row per account and day."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    samples = models.PositiveIntegerField(default=0, help_text="Late samples received.")
    received_at = models.DateTimeField(help_text="When the latest late sample arrived.")
    rerated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["day", "account_id"]
        verbose_name_plural = "late usage"
        constraints = [
            models.UniqueConstraint(
                fields=["account", "day"],
                condition=Q(rerated_at__isnull=True),
                name="one_open_late_usage_per_account_and_day",
            )
        ]

    def __str__(self) -> str:
        return f"Late usage of {self.day} for account {self.account_id}"
