"""Reminders that a package ends: 30, 7 and 1 day before its end date the owners get one e-mail
each, never two; a renewal stops those still to come."""

from datetime import date, timedelta

import pytest
from django_celery_beat.models import PeriodicTask
from post_office.models import Email

from common.dates import ONE_DAY
from quota.models import ExpiryReminder
from quota.services.reminders import expiry_threshold_due, subscription_expiry_remind
from quota.services.subscriptions import subscription_renew
from tests.factories import add_member, make_workspace
from tests.orders.helpers import at
from tests.quota.helpers import subscribe
from workspaces.models import Role

pytestmark = pytest.mark.django_db

START = date(2026, 1, 1)
END = date(2026, 12, 31)  # startup package: 365 days from START


@pytest.fixture
def package(account_a):
    account, owner = account_a
    owner.email = "owner@example.com"
    owner.save()
    add_member(account, role=Role.ADMIN)  # admins are not told
    workspaces = [make_workspace(account, name=n, commercial=True) for n in ("Prod", "Lab")]
    subscription = subscribe(account, workspaces, START)
    assert subscription.end_date == END
    return subscription


def remind(day: date):
    return subscription_expiry_remind(today=day, now=at(day, 9))


def reminder_days(subscription) -> list[int]:
    return sorted(
        ExpiryReminder.objects.filter(subscription=subscription).values_list(
            "days_before", flat=True
        ),
        reverse=True,
    )


def test_each_threshold_is_told_on_its_exact_day_and_never_before(package):
    sent_on = {}
    for day in (END - timedelta(days=offset) for offset in range(40, -3, -1)):
        for reminder in remind(day):
            sent_on[reminder.days_before] = day
    assert sent_on == {
        30: date(2026, 12, 1),
        7: date(2026, 12, 24),
        1: date(2026, 12, 30),
    }
    emails = list(Email.objects.order_by("pk"))
    assert len(emails) == 3
    assert all(email.to == ["owner@example.com"] for email in emails)
    assert "your package ends in 30 days" in emails[0].subject
    assert "your package ends in 1 day" in emails[2].subject
    body = emails[0].message
    assert "Startup Acceleration Package package #" in body
    assert "ends on 2026-12-31" in body and "From 2027-01-01" in body
    assert "(Prod, Lab)" in body
    assert [r.email_id for r in ExpiryReminder.objects.order_by("pk")] == [e.pk for e in emails]


def test_a_second_pass_the_same_day_sends_nothing(package):
    assert len(remind(END - timedelta(days=30))) == 1
    assert remind(END - timedelta(days=30)) == []
    assert remind(END - timedelta(days=29)) == []
    assert reminder_days(package) == [30]
    assert Email.objects.count() == 1


def test_a_missed_day_is_caught_up_with_the_current_threshold_only(package):
    # The pass did not run from 30 to 6 days before the end: one reminder, the 7-day one.
    assert [r.days_before for r in remind(END - timedelta(days=5))] == [7]
    assert ExpiryReminder.objects.get().days_left == 5
    assert remind(END - timedelta(days=4)) == []
    assert [r.days_before for r in remind(END)] == [1]  # the last day still hears
    assert remind(END + ONE_DAY) == []  # ended: nothing more
    assert reminder_days(package) == [7, 1]


def test_a_renewal_stops_the_reminders_still_to_come(package):
    assert len(remind(END - timedelta(days=30))) == 1
    renewal = subscription_renew(subscription=package, today=END - timedelta(days=20))
    assert remind(END - timedelta(days=7)) == []
    assert remind(END - ONE_DAY) == []
    assert reminder_days(package) == [30]
    # The renewal has reminders of its own, before its own end.
    assert [r.subscription_id for r in remind(renewal.end_date - timedelta(days=30))] == [
        renewal.pk
    ]


def test_thresholds():
    due = {
        days_left: expiry_threshold_due(days_left=days_left)
        for days_left in (31, 30, 8, 7, 2, 1, 0, -1)
    }
    assert due == {31: None, 30: 30, 8: 30, 7: 7, 2: 7, 1: 1, 0: 1, -1: None}


def test_the_daily_pass_is_scheduled_in_beat():
    task = PeriodicTask.objects.get(task="quota.subscription_expiry_remind")
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == (
        "9",
        "0",
        "Asia/Shanghai",
    )
    assert task.enabled and task.expire_seconds < 24 * 3600


def test_the_task_runs_the_pass(package, monkeypatch):
    from quota import tasks

    monkeypatch.setattr(tasks.timezone, "now", lambda: at(END - timedelta(days=7), 9))
    assert tasks.subscription_expiry_remind_task() == "1 expiry reminder(s) queued"
