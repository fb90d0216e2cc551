"""Hourly usage samples (partitioned by day) and the days on which a workspace sent usage."""

from django.db import models
from django.db.models import Q

from packages.models import BillingItem
from workspaces.models import Workspace

NO_RETENTION = 0  # stored retention_days of an item without retention tiers


class UsageSample(models.Model):
    """One hour of one item at one retention for one workspace; a re-send replaces quantity.

    The table is partitioned by day in PostgreSQL (migration 0005): one partition a billing day,
    created ahead by a daily task (and on demand by ingestion), dropped whole once the day is
    billed and older than USAGE_RETENTION_DAYS. Its primary key there is (day, id).
    """

    day = models.DateField(help_text="Billing day (Asia/Shanghai) of `hour`; the partition key.")
    # No index of their own: every read and write leads with the day (one_sample_per_key), and
    # each index would be written once per sample.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    item = models.ForeignKey(
        BillingItem, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    retention_days = models.PositiveSmallIntegerField(
        help_text="0 for an item without retention tiers."
    )
    hour = models.DateTimeField()
    quantity = models.BigIntegerField()
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            # day leads so that one index serves both the upsert and the per-day scans of the run
            models.UniqueConstraint(
                fields=["day", "workspace", "item", "retention_days", "hour"],
                name="one_sample_per_key",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=0), name="sample_quantity_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"ws {self.workspace_id} {self.item_id} {self.hour:%Y-%m-%d %H}:00 = {self.quantity}"


class UsageDay(models.Model):
    """A workspace sent usage on a day: the run plans and catches up without scanning samples."""

    day = models.DateField()
    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "workspace"], name="one_usage_day_per_workspace")
        ]

    def __str__(self) -> str:
        return f"{self.day} ws {self.workspace_id}"
