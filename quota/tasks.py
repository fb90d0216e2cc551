"""Celery task of the usage store: day partitions made ahead and dropped after retention."""

import logging

from celery import shared_task
from django.utils import timezone

from common.dates import billing_day
from quota.services.partitions import usage_partitions_maintain

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
