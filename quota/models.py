"""Usage samples, subscriptions with their plan history, traffic packs and versioned bindings,
billing runs, and the daily bills whose lines record what the plan and traffic packs covered."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from packages.models import BillingItem, Plan
from workspaces.models import Account, Workspace

NO_RETENTION = 0  # stored retention_days of an item without retention tiers


class Subscription(models.Model):
    """A plan package bought by an account, from start_date to end_date (both inclusive)."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="subscriptions")
    start_date = models.DateField()
    end_date = models.DateField()
    renewal_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="renewal"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-start_date", "-pk"]
        indexes = [models.Index(fields=["account", "end_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="subscription_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"Subscription #{self.pk} ({self.start_date} → {self.end_date})"


class SubscriptionPlanPeriod(models.Model):
    """The plan of a subscription from `effective_from` on (until the next period starts)."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, related_name="plan_periods"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    effective_from = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["subscription", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "effective_from"], name="one_plan_per_subscription_and_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.code} from {self.effective_from}"


class TrafficPack(models.Model):
    """Extra daily capacity of one item, from start_date to the subscription's end."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, related_name="traffic_packs"
    )
    item = models.ForeignKey(BillingItem, on_delete=models.PROTECT, related_name="+")
    capacity = models.BigIntegerField(validators=[MinValueValidator(1)])
    daily_price = models.DecimalField(max_digits=14, decimal_places=2)
    start_date = models.DateField()
    end_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["subscription", "start_date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="pack_capacity_positive"),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="pack_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.capacity:,} {self.item.code}/day ({self.start_date} → {self.end_date})"


class Binding(models.Model):
    """Workspace `workspace` shares `subscription` at `priority` on days [valid_from, valid_to).

    Rows are never deleted: a reorder closes the rows in force and opens new ones from the next
    billing day, so any past day is billed with the binding of that day. A workspace's intervals
    never overlap (exclusion constraint), so it is bound to at most one subscription a day.
    """

    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, related_name="bindings"
    )
    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="bindings")
    priority = models.PositiveSmallIntegerField()
    valid_from = models.DateField()
    valid_to = models.DateField(help_text="Exclusive: the first day the binding no longer applies.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["subscription", "valid_from", "priority"]
        indexes = [
            models.Index(fields=["subscription", "valid_from", "valid_to"]),
            models.Index(fields=["workspace", "valid_from", "valid_to"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=F("valid_from")), name="binding_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        span = f"[{self.valid_from}, {self.valid_to})"
        return f"{self.workspace} #{self.priority} in {self.subscription} {span}"


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


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed (resumable)"
    PARTIAL = "partial", "Done except isolated accounts (retried each pass)"
    STALLED = "stalled", "Stalled (no progress; the watchdog keeps retrying)"


class BillingRun(models.Model):
    """The deduction of one billing day. Once it exists the day is closed to new usage."""

    day = models.DateField(unique=True)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    total_chunks = models.PositiveIntegerField(default=0)
    done_chunks = models.PositiveIntegerField(default=0)
    bills_written = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    error_count = models.PositiveIntegerField(default=0)
    stalled_at = models.DateTimeField(
        null=True, blank=True, help_text="When the watchdog last found it unable to progress."
    )

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"Billing run {self.day} ({self.status} {self.done_chunks}/{self.total_chunks})"

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return round((self.finished_at - self.started_at).total_seconds(), 3)
        return None


class ChunkStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DONE = "done", "Done"


class BillingChunk(models.Model):
    """A unit of work of a run: every billing group of some accounts, committed atomically."""

    run = models.ForeignKey(BillingRun, on_delete=models.PROTECT, related_name="chunks")
    index = models.PositiveIntegerField()
    account_ids = models.JSONField()
    workspace_count = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=ChunkStatus.choices, default=ChunkStatus.PENDING
    )
    bills_written = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0, help_text="Failed attempts.")
    dispatched_at = models.DateTimeField(
        null=True, blank=True, help_text="When a task for it was last sent to the workers."
    )
    redispatches = models.PositiveIntegerField(
        default=0, help_text="Times the watchdog sent it again after it made no progress."
    )
    claimed_by = models.CharField(max_length=200, blank=True, help_text="host:pid that billed it.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["run", "index"]
        constraints = [
            models.UniqueConstraint(fields=["run", "index"], name="one_chunk_per_run_and_index")
        ]

    def __str__(self) -> str:
        return f"chunk {self.index} of {self.run.day}"

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return round((self.finished_at - self.started_at).total_seconds(), 3)
        return None


class BillingAccountFailure(models.Model):
    """An account whose bills of the run's day could not be written (bad data, a bug).

    It is isolated: the other accounts of its chunk are billed, the day goes on to the next one,
    and every later pass of the run (nightly, `run_deduction`) tries the account again until it
    is billed (`resolved_at`). Operators see it in admin and get an e-mail.
    """

    run = models.ForeignKey(BillingRun, on_delete=models.PROTECT, related_name="account_failures")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    attempts = models.PositiveIntegerField(default=1)
    last_error = models.TextField()
    first_failed_at = models.DateTimeField()
    last_failed_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-run__day", "account_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "account"], name="one_failure_per_run_and_account"
            )
        ]

    def __str__(self) -> str:
        state = "billed" if self.resolved_at else "isolated"
        return f"account {self.account_id} on {self.run.day}: {state}"


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
