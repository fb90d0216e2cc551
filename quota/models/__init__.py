"""Usage samples, subscriptions with their plan history, traffic packs and versioned bindings,
billing runs, and the daily bills whose lines record what the plan and traffic packs covered.

One module per concern; every public name is re-exported so that `from quota.models import X`
stays the only import the rest of the project needs.
"""

from quota.models.alerts import SpendAlert, SpendAlertNotice
from quota.models.bills import (
    BILL_LINE_COLUMNS,
    AdjustmentKind,
    BillAdjustment,
    DailyBill,
    DailyBillLine,
    LateUsage,
)
from quota.models.reminders import ExpiryReminder
from quota.models.runs import (
    BillingAccountFailure,
    BillingChunk,
    BillingRun,
    ChunkStatus,
    RunStatus,
)
from quota.models.subscriptions import Binding, Subscription, SubscriptionPlanPeriod, TrafficPack
from quota.models.usage import NO_RETENTION, UsageDay, UsageSample

__all__ = [
    "BILL_LINE_COLUMNS",
    "AdjustmentKind",
    "BillAdjustment",
    "NO_RETENTION",
    "BillingAccountFailure",
    "BillingChunk",
    "BillingRun",
    "Binding",
    "ChunkStatus",
    "DailyBill",
    "DailyBillLine",
    "ExpiryReminder",
    "LateUsage",
    "RunStatus",
    "SpendAlert",
    "SpendAlertNotice",
    "Subscription",
    "SubscriptionPlanPeriod",
    "TrafficPack",
    "UsageDay",
    "UsageSample",
]
