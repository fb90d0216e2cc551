"""Keeping the usage store bounded: day partitions created ahead, dropped once billed and old.

Raw hourly samples are kept USAGE_RETENTION_DAYS (never less than USAGE_MAX_AGE_DAYS plus
BILLING_DISPUTE_DAYS, checked at start-up); afterwards what bills and pages need lives in the
bills. A day is never dropped before it is billed: a day with usage and no finished run keeps
its partition, however old.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction

from quota.models import BillingRun, RunStatus, UsageDay
from quota.partitions import create_partition, drop_partition, existing_partition_days

AHEAD_DAYS = 7


def usage_partitions_ensure(*, days: Iterable[date]) -> list[date]:
    """Make sure each day has its partition (ingestion calls this first); returns those made."""
    wanted = set(days)
    if not wanted:
        return []
    with connection.cursor() as cursor:
        missing = sorted(wanted - existing_partition_days(cursor))
    created = []
    for day in missing:
        with transaction.atomic(), connection.cursor() as cursor:
            if create_partition(cursor, day):
                created.append(day)
    return created


@dataclass
class PartitionReport:
    created: list[date] = field(default_factory=list)
    dropped: list[date] = field(default_factory=list)
    kept_unbilled: list[date] = field(default_factory=list)


def usage_retention_days() -> int:
    return settings.USAGE_RETENTION_DAYS


def usage_partitions_maintain(*, today: date) -> PartitionReport:
    """Create the partitions of yesterday to AHEAD_DAYS ahead; drop those older than the
    retention whose day is billed (or had no usage), with the day's UsageDay rows."""
    report = PartitionReport()
    report.created = usage_partitions_ensure(
        days=[today + timedelta(days=offset) for offset in range(-1, AHEAD_DAYS + 1)]
    )
    cutoff = today - timedelta(days=usage_retention_days())
    with connection.cursor() as cursor:
        old = sorted(day for day in existing_partition_days(cursor) if day < cutoff)
    if not old:
        return report
    billed = set(
        BillingRun.objects.filter(day__in=old, status=RunStatus.DONE).values_list("day", flat=True)
    )
    with_usage = set(UsageDay.objects.filter(day__in=old).values_list("day", flat=True).distinct())
    for day in old:
        if day in with_usage and day not in billed:
            report.kept_unbilled.append(day)
            continue
        with transaction.atomic(), connection.cursor() as cursor:
            UsageDay.objects.filter(day=day).delete()
            if drop_partition(cursor, day):
                report.dropped.append(day)
    return report
