"""The usage store stays bounded: day partitions made ahead, dropped once billed and old."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import override_settings

from common.dates import ONE_DAY
from quota.models import BillingRun, UsageDay, UsageSample
from quota.partitions import existing_partition_days, partition_name
from quota.services.partitions import usage_partitions_maintain
from tests.factories import make_account, make_workspace
from tests.quota.helpers import bill, hour_of, send

pytestmark = pytest.mark.django_db
TODAY = date(2027, 3, 1)


def partition_days() -> set[date]:
    with connection.cursor() as cursor:
        return existing_partition_days(cursor)


def test_samples_live_in_a_table_partitioned_by_day():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT partstrat FROM pg_partitioned_table "
            "WHERE partrelid = 'quota_usagesample'::regclass"
        )
        assert cursor.fetchone() == ("r",)


def test_a_sample_for_a_day_without_a_partition_gets_one_and_lands_in_it():
    day = date(2026, 2, 3)
    assert day not in partition_days()
    workspace = make_workspace(make_account()[0], commercial=True)
    send(workspace, "logs", 1_000_000, day, retention=14)
    assert day in partition_days()
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{partition_name(day)}"')
        assert cursor.fetchone() == (1,)
    assert UsageSample.objects.get(day=day).quantity == 1_000_000


@override_settings(USAGE_RETENTION_DAYS=93)
def test_upkeep_makes_the_next_week_and_drops_only_billed_days_past_retention():
    workspace = make_workspace(make_account()[0], commercial=True)
    billed_old = TODAY - timedelta(days=100)
    unbilled_old = TODAY - timedelta(days=99)
    recent = TODAY - timedelta(days=10)
    for day in (billed_old, unbilled_old, recent):
        send(workspace, "task_calls", 10_000, day)
    bill(billed_old)

    report = usage_partitions_maintain(today=TODAY)

    days = partition_days()
    assert {TODAY + timedelta(days=offset) for offset in range(-1, 8)} <= days
    assert billed_old not in days and billed_old in report.dropped
    assert not UsageDay.objects.filter(day=billed_old).exists()
    # never a day that is not billed yet, however old
    assert unbilled_old in days and report.kept_unbilled == [unbilled_old]
    assert recent in days
    assert UsageSample.objects.filter(day=unbilled_old).count() == 1
    # the bill of the dropped day stays: what pages need afterwards lives in the bills
    assert BillingRun.objects.get(day=billed_old).bills.get().total > 0
    # a second round changes nothing
    again = usage_partitions_maintain(today=TODAY)
    assert (again.created, again.dropped) == ([], [])


def test_a_retention_shorter_than_late_usage_and_disputes_is_refused_at_start():
    from django.core.checks import run_checks

    with override_settings(USAGE_RETENTION_DAYS=40, USAGE_MAX_AGE_DAYS=31, BILLING_DISPUTE_DAYS=62):
        errors = [error for error in run_checks() if error.id == "quota.E001"]
    assert errors and "93" in errors[0].msg
    assert not [error for error in run_checks() if error.id == "quota.E001"]


def test_a_resent_hour_replaces_the_quantity_within_its_partition():
    day = TODAY - ONE_DAY
    workspace = make_workspace(make_account()[0], commercial=True)
    send(workspace, "logs", 5, day, retention=14)
    send(workspace, "logs", 7, day, retention=14)
    assert list(UsageSample.objects.filter(day=day).values_list("quantity", flat=True)) == [7]
    assert hour_of(day)
