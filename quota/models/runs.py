"""Billing runs of a day, their chunks of accounts and the accounts isolated after a failure."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from workspaces.models import Account


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed (resumable)")
    PARTIAL = "partial", _("Done except isolated accounts (retried each pass)")
    STALLED = "stalled", _("Stalled (no progress; the watchdog keeps retrying)")


class _Timed:
    """A run or chunk's `started_at` and `finished_at`, as the seconds in between."""

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return round((self.finished_at - self.started_at).total_seconds(), 3)
        return None


class BillingRun(_Timed, models.Model):
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


class ChunkStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")


class BillingChunk(_Timed, models.Model):
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
