"""Django admin of the billing layer: the nightly runs (with the retry and re-send actions,
which send the layer's chunk task), monthly statements, read-only, and corrections: bill
adjustments (added through the wallet's service) and late usage (re-rated by an action)."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from billing import account_admin  # noqa: F401  (registers the account console)
from billing.models import Statement
from billing.services.nightly import day_rerate_now
from billing.tasks import deduction_chunk
from common.admin import ReadOnlyInline, ReadOnlyMixin, ServiceFormMixin, money_column
from packages.models import BillingItem
from quota.models import BillAdjustment, BillingAccountFailure, BillingChunk, BillingRun, LateUsage
from quota.services import (
    billing_run_pending_chunks,
    billing_run_resume,
    billing_run_retry_isolated,
)
from quota.services.runs import billing_chunks_mark_dispatched
from wallet.services.adjustments import bill_adjust, bill_amount_due


@admin.register(Statement)
class StatementAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "month",
        "account",
        "payg_charged",
        "paid_by_vouchers",
        "paid_by_cards",
        "paid_by_cash",
        "left_in_arrears",
        "orders_total",
        "arrears_at_month_end",
    ]
    list_filter = ["month"]
    search_fields = ["account__name"]
    list_select_related = ["account"]


class ChunkInline(ReadOnlyInline):
    model = BillingChunk
    fields = [
        "index",
        "workspace_count",
        "status",
        "bills_written",
        "attempts",
        "dispatched_at",
        "redispatches",
        "claimed_by",
        "started_at",
        "finished_at",
        "seconds",
        "last_error",
    ]

    @admin.display(description="seconds")
    def seconds(self, chunk):
        return chunk.duration_seconds


FAILURE_FIELDS = ["account", "attempts", "first_failed_at", "last_failed_at", "resolved_at"]


class AccountFailureInline(ReadOnlyInline):
    model = BillingAccountFailure
    fields = [*FAILURE_FIELDS, "last_error"]


@admin.register(BillingAccountFailure)
class BillingAccountFailureAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Accounts isolated by the nightly run: the rest of their day was billed without them."""

    list_display = [
        "day",
        "account",
        "state",
        "attempts",
        "first_failed_at",
        "last_failed_at",
        "resolved_at",
        "error",
    ]
    list_filter = [("resolved_at", admin.EmptyFieldListFilter)]
    list_select_related = ["run", "account"]
    search_fields = ["=account__id", "account__name"]
    readonly_fields = ["run", *FAILURE_FIELDS, "last_error"]
    actions = ["retry"]

    @admin.display(description="day", ordering="run__day")
    def day(self, failure):
        return failure.run.day

    @admin.display(description="state")
    def state(self, failure):
        return "billed" if failure.resolved_at else "isolated"

    @admin.display(description="error")
    def error(self, failure):
        return failure.last_error.splitlines()[0][:120] if failure.last_error else ""

    @admin.action(description="Retry: bill the isolated accounts of these days now")
    def retry(self, request, queryset):
        for run in BillingRun.objects.filter(
            pk__in=queryset.filter(resolved_at__isnull=True).values("run_id")
        ).order_by("day"):
            chunk = billing_run_retry_isolated(run=run)
            if chunk is not None:
                deduction_chunk.delay(chunk.pk)
            self.message_user(
                request,
                f"{run.day}: {len(chunk.account_ids) if chunk else 0} account(s) dispatched.",
            )


@admin.register(BillingRun)
class BillingRunAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "day",
        "status",
        "progress",
        "bills_written",
        "started_at",
        "finished_at",
        "seconds",
        "error_count",
    ]
    list_filter = ["status"]
    date_hierarchy = "day"
    readonly_fields = [
        "day",
        "status",
        "total_chunks",
        "done_chunks",
        "bills_written",
        "created_at",
        "started_at",
        "finished_at",
        "seconds",
        "stalled_at",
        "error_count",
        "last_error",
    ]
    inlines = [AccountFailureInline, ChunkInline]
    actions = ["resume"]

    @admin.display(description="done / total")
    def progress(self, run):
        return f"{run.done_chunks} / {run.total_chunks}"

    @admin.display(description="seconds")
    def seconds(self, run):
        return run.duration_seconds

    @admin.action(description="Resume: dispatch the pending chunks to the workers")
    def resume(self, request, queryset):
        for run in queryset.order_by("day"):
            billing_run_resume(run=run)
            billing_run_retry_isolated(run=run)
            pending = billing_run_pending_chunks(run=run)
            billing_chunks_mark_dispatched(chunk_ids=pending, now=timezone.now())
            for chunk_id in pending:
                deduction_chunk.delay(chunk_id)
            self.message_user(request, f"{run.day}: {len(pending)} chunk(s) dispatched.")


class AdjustBillForm(forms.Form):
    bill = forms.IntegerField(min_value=1, help_text="The daily bill's id")
    amount = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        help_text="A debit is positive (settled today by the waterfall); a credit is negative "
        "(gives back what paid the bill, at most what it still costs).",
    )
    reason = forms.CharField(max_length=500, help_text="Shown to the customer")
    item = forms.ModelChoiceField(
        queryset=BillingItem.objects.order_by("display_order"),
        required=False,
        to_field_name="code",
        help_text="Empty: the whole bill",
    )
    retention_days = forms.IntegerField(min_value=0, required=False)
    quantity = forms.IntegerField(required=False, help_text="Raw quantity change, if any")


@admin.register(BillAdjustment)
class BillAdjustmentAdmin(ServiceFormMixin, admin.ModelAdmin):
    """Adjustments are new lines on a bill, never edits; add = adjust a bill (SPEC 6.1)."""

    list_display = [
        "created_at",
        "account",
        "bill",
        "day",
        "kind",
        "item",
        "amount_cny",
        "reason",
        "actor",
        "settled_on",
    ]
    list_filter = ["kind", "settled_on"]
    amount_cny = money_column("amount")
    search_fields = ["=bill__id", "account__name", "reason"]
    list_select_related = ["account", "item", "actor"]
    readonly_fields = [field.name for field in BillAdjustment._meta.fields]
    date_hierarchy = "created_at"
    show_full_result_count = False
    service_form = AdjustBillForm
    service_title = "Adjust a daily bill (debit or credit)"

    def call_service(self, request, data):
        adjustment = bill_adjust(
            bill_id=data["bill"],
            amount=data["amount"],
            reason=data["reason"],
            item_code=data["item"].code if data["item"] else None,
            retention_days=data["retention_days"],
            quantity_delta=data["quantity"],
            actor=request.user,
            now=timezone.now(),
        )
        moved = ", ".join(f"{key} ¥{value}" for key, value in adjustment.sources.items())
        return (
            f"Bill #{adjustment.bill_id}: adjustment ¥{adjustment.amount:+,.2f} ({moved}); it "
            f"now costs ¥{bill_amount_due(adjustment.bill):,.2f}."
        )


@admin.register(LateUsage)
class LateUsageAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Billed days that received usage after their run; the next nightly pass re-rates them."""

    list_display = ["day", "account", "samples", "received_at", "rerated_at"]
    list_filter = [("rerated_at", admin.EmptyFieldListFilter), "day"]
    search_fields = ["account__name"]
    list_select_related = ["account"]
    actions = ["rerate_now"]

    @admin.action(description="Re-rate the selected account-days now")
    def rerate_now(self, request, queryset):
        written = 0
        for day, account_id in sorted(set(queryset.values_list("day", "account_id"))):
            report = day_rerate_now(day=day, now=timezone.now(), account_id=account_id)
            written += len(report.adjustments)
        self.message_user(request, f"{written} adjustment(s) written.", messages.SUCCESS)
