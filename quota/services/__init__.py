"""Services of the quota app: subscriptions, usage ingestion, billing a day's chunks."""

from quota.day_usage import deduction_compute_accounts
from quota.services.catchup import (
    deduction_days_beyond_catch_up,
    deduction_days_due,
    deduction_pass_next,
)
from quota.services.runs import (
    ChunkOutcome,
    billing_chunk_process,
    billing_chunk_record_error,
    billing_run_claim_and_process,
    billing_run_open,
    billing_run_pending_chunks,
    billing_run_refresh_progress,
    billing_run_resume,
    billing_run_retry_isolated,
)
from quota.services.subscriptions import (
    PackRequest,
    subscription_add_traffic_packs,
    subscription_change_plan,
    subscription_create,
    subscription_renew,
    subscription_set_workspaces,
)
from quota.services.usage import usage_ingest
from quota.services.watchdog import billing_watchdog

__all__ = [
    "ChunkOutcome",
    "PackRequest",
    "billing_chunk_process",
    "billing_chunk_record_error",
    "billing_run_claim_and_process",
    "billing_run_open",
    "billing_run_pending_chunks",
    "billing_run_refresh_progress",
    "billing_run_resume",
    "billing_run_retry_isolated",
    "billing_watchdog",
    "deduction_compute_accounts",
    "deduction_days_beyond_catch_up",
    "deduction_days_due",
    "deduction_pass_next",
    "subscription_add_traffic_packs",
    "subscription_change_plan",
    "subscription_create",
    "subscription_renew",
    "subscription_set_workspaces",
    "usage_ingest",
]
