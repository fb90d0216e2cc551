"""Telling operators about billing trouble: a log line always, and an outbox e-mail written in the
caller's transaction (sent after its commit, retried while the mail server is down)."""

import logging
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model

from common.outbox import Notice, notice_queue

logger = logging.getLogger("quota.operators")


def operator_emails() -> list[str]:
    """BILLING_OPERATOR_EMAILS, or every active staff user with an e-mail address."""
    if settings.BILLING_OPERATOR_EMAILS:
        return list(settings.BILLING_OPERATOR_EMAILS)
    return list(
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )


def _mail_operators(subject: str, body: str) -> None:
    notice_queue(Notice(operator_emails(), f"[Billing Center] {subject}", body))


def operators_notify_isolated(*, day: date, failed: dict[int, str]) -> None:
    """Accounts whose bills of `day` could not be written: the rest of the day was billed."""
    listed = "\n".join(f"- account {account_id}: {error}" for account_id, error in failed.items())
    logger.error("billing %s: %s account(s) isolated\n%s", day, len(failed), listed)
    _mail_operators(
        f"{len(failed)} account(s) not billed for {day}",
        f"The bills of {day} could not be written for these accounts; every other account of "
        f"the day was billed and settled.\n\n{listed}\n\nEach pass of the nightly run (and "
        f"`run_deduction`) tries them again; correct their usage (the day accepts corrected "
        f"samples for them) or the data named in the error. Admin: Billing account failures.",
    )


def operators_notify_beyond_catch_up(*, days: list[date]) -> None:
    """Unbilled days with usage that catch-up no longer looks at: billed only by hand."""
    listed = ", ".join(day.isoformat() for day in days)
    logger.error("unbilled days with usage beyond catch-up: %s", listed)
    _mail_operators(
        f"{len(days)} unbilled day(s) older than catch-up",
        f"These days have usage but no billing run, and are older than the nightly catch-up "
        f"looks (USAGE_MAX_AGE_DAYS + 1 days): {listed}.\n\nBill each with "
        f"`manage.py run_deduction --date YYYY-MM-DD`.",
    )


def operators_notify_stalled(*, day: date, reason: str, last_error: str) -> None:
    """A run that cannot progress: the watchdog keeps retrying, a person should look."""
    logger.error("billing %s stalled: %s (last error: %s)", day, reason, last_error or "none")
    _mail_operators(
        f"the billing run of {day} is stalled",
        f"The billing run of {day} made no progress: {reason}.\n\nLast error: "
        f"{last_error or 'none recorded'}\n\nThe watchdog keeps sending its chunks again, so the "
        f"run finishes by itself once the cause is fixed (database, workers, broker). Admin: "
        f"Billing runs.",
    )
