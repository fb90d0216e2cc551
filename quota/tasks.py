"""Celery tasks of quota: day partitions of the usage store made ahead and dropped after
retention; the reminders that packages end."""

import logging

from celery import shared_task
from django.utils import timezone

from common.dates import billing_day
from quota.services.partitions import usage_partitions_maintain
from quota.services.reminders import subscription_expiry_remind

logger = logging.getLogger(__name__)


@shared_task(name="quota.usage_partitions_maintain", expires=20 * 3600)
def usage_partitions_maintain_task() -> str:
    """Daily: partitions of the next days exist; billed days past the retention are dropped."""
    report = usage_partitions_maintain(today=billing_day(timezone.now()))
    if report.kept_unbilled:
        logger.warning(
            "usage partitions kept although past retention (not billed yet): %s",
            ", ".join(str(day) for day in report.kept_unbilled),
        )
    return (
        f"{len(report.created)} partition(s) created, {len(report.dropped)} dropped, "
        f"{len(report.kept_unbilled)} kept unbilled"
    )


@shared_task(name="quota.subscription_expiry_remind", expires=20 * 3600)
def subscription_expiry_remind_task() -> str:
    """Daily: the owners of packages that end in 30, 7 or 1 day(s) get their reminder, once."""
    now = timezone.now()
    reminders = subscription_expiry_remind(today=billing_day(now), now=now)
    return f"{len(reminders)} expiry reminder(s) queued"
