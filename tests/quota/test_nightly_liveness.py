"""The nightly run scales out and finishes by itself: chunks in parallel, faults healed."""

import os
import threading
from datetime import date, datetime, time, timedelta
from io import StringIO

import psycopg2
import pytest
from django.core import mail
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import override_settings
from django.utils import timezone

from billing.services.nightly import billing_chunk_run, deduction_run_day
from common.dates import ONE_DAY, billing_day, billing_zone
from quota.models import BillingChunk, BillingRun, ChunkStatus, DailyBill, RunStatus
from quota.services import billing_run_open, billing_watchdog
from tests.factories import make_account, make_workspace
from tests.quota.helpers import after, send
from tests.quota.scenario import build_scenario, forget_day, money_snapshot, snapshot

D = date(2026, 6, 10)
STALL = 300


def _clean_run(day=D, chunk_workspaces=2):
    """The rows of one clean run of the day, for comparison with a run that met faults."""
    result = snapshot(day), money_snapshot(day)
    forget_day(day)
    clean = deduction_run_day(day=day, now=after(day), chunk_workspaces=chunk_workspaces)
    assert clean.status == RunStatus.DONE
    assert (snapshot(day), money_snapshot(day)) == result
    return result


def _hook_with(monkeypatch, before=None, after_settle=None):
    """Wrap the settlement step of the billing layer: run `before` / `after_settle` around the
    real settlement."""
    from wallet.services.settlement import bills_settle as real

    def hook(*, bills, now):
        if before:
            before()
        real(bills=bills, now=now)
        if after_settle:
            after_settle()

    monkeypatch.setattr("billing.services.nightly.bills_settle", hook)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_chunk_commits_while_another_chunk_of_the_same_day_is_held_open(monkeypatch):
    build_scenario(D, accounts=4)
    run = billing_run_open(day=D, now=after(D), chunk_workspaces=2)
    first, second = run.chunks.order_by("index").values_list("pk", flat=True)[:2]
    holding, release = threading.Event(), threading.Event()

    def hold():
        if threading.current_thread().name == "holder":
            holding.set()
            release.wait(30)

    _hook_with(monkeypatch, after_settle=hold)

    def bill_first():
        try:
            billing_chunk_run(chunk_id=first, now=after(D))
        finally:
            connection.close()

    holder = threading.Thread(target=bill_first, name="holder")
    holder.start()
    try:
        assert holding.wait(30)  # the first chunk has written its bills and holds its transaction
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")  # waiting on the first chunk fails fast
        outcome = billing_chunk_run(chunk_id=second, now=after(D))
        assert outcome.bills_written > 0
        assert BillingChunk.objects.get(pk=second).status == ChunkStatus.DONE
        assert BillingChunk.objects.get(pk=first).status == ChunkStatus.PENDING
        # a worker asked for the held chunk skips it at once instead of queueing behind it
        assert billing_chunk_run(chunk_id=first, now=after(D)).skipped
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
        release.set()
        holder.join(30)
    run = deduction_run_day(day=D, now=after(D))
    assert run.status == RunStatus.DONE
    assert (run.done_chunks, run.total_chunks) == (run.chunks.count(), run.chunks.count())
    assert run.bills_written == DailyBill.objects.filter(day=D).count()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_one_and_three_worker_processes_write_identical_bills():
    build_scenario(D, accounts=8)
    run = deduction_run_day(day=D, now=after(D), chunk_workspaces=2, workers=3)
    assert run.status == RunStatus.DONE
    assert run.done_chunks == run.total_chunks > 3
    assert run.bills_written == DailyBill.objects.filter(day=D).count()
    billed_by = {chunk.claimed_by.rsplit(":", 1)[1] for chunk in run.chunks.all()}
    assert str(os.getpid()) not in billed_by  # the worker processes billed, not this one
    three = snapshot(D), money_snapshot(D)
    forget_day(D)
    run = deduction_run_day(day=D, now=after(D), chunk_workspaces=2, workers=1)
    assert (snapshot(D), money_snapshot(D)) == three


def _watchdog(now, dispatched):
    from billing.tasks import deduction_chunk, deduction_nightly

    def dispatch(chunk_id):
        dispatched.append(chunk_id)
        deduction_chunk.delay(chunk_id)  # eager in tests

    def start_pass():
        deduction_nightly.delay()

    return billing_watchdog(now=now, dispatch=dispatch, start_pass=start_pass)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_chunk_held_by_a_worker_that_dies_is_sent_again_and_the_day_ends_done():
    build_scenario(D)
    run = billing_run_open(day=D, now=after(D), chunk_workspaces=2)
    chunk = run.chunks.order_by("index").first()
    others = list(run.chunks.exclude(pk=chunk.pk).values_list("pk", flat=True))
    for chunk_id in others:
        billing_chunk_run(chunk_id=chunk_id, now=after(D))
    db = connection.settings_dict
    worker = psycopg2.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"],
        host=db["HOST"],
        port=db["PORT"],
    )
    cursor = worker.cursor()
    cursor.execute("SELECT pg_backend_pid()")
    pid = cursor.fetchone()[0]
    cursor.execute("SELECT id FROM quota_billingchunk WHERE id = %s FOR UPDATE", [chunk.pk])
    later = timezone.now() + timedelta(seconds=STALL + 60)
    dispatched = []

    report = _watchdog(later, dispatched)  # a live worker holds it: left alone
    assert (report.busy, dispatched) == ([chunk.pk], [])

    with connection.cursor() as killer:  # the worker dies (its lock goes with its connection)
        killer.execute("SELECT pg_terminate_backend(%s)", [pid])
    worker.close()
    report = _watchdog(later + timedelta(seconds=STALL + 60), dispatched)

    assert dispatched == [chunk.pk]
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert BillingChunk.objects.get(pk=chunk.pk).redispatches == 1
    _clean_run()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_chunk_tasks_lost_from_the_queue_are_sent_again_by_the_watchdog(monkeypatch):
    from billing import tasks

    today = billing_day(timezone.now())
    day = today - ONE_DAY
    build_scenario(day)
    lost = []
    monkeypatch.setattr(tasks.deduction_chunk, "delay", lambda *args: lost.append(args))
    tasks.deduction_nightly()  # Redis goes away with every chunk task of the day
    monkeypatch.undo()
    run = BillingRun.objects.get(day=day)
    assert lost and run.status == RunStatus.RUNNING and run.done_chunks == 0

    dispatched = []
    assert _watchdog(timezone.now(), dispatched).redispatched == []  # not stalled yet
    report = _watchdog(timezone.now() + timedelta(seconds=STALL + 1), dispatched)

    assert sorted(report.redispatched) == sorted(run.chunks.values_list("pk", flat=True))
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    result = snapshot(day), money_snapshot(day)
    forget_day(day)
    deduction_run_day(day=day, now=after(day))
    assert (snapshot(day), money_snapshot(day)) == result


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_operational_error_mid_chunk_is_recorded_and_retried_by_the_task(monkeypatch):
    from billing.tasks import deduction_chunk

    build_scenario(D)
    run = billing_run_open(day=D, now=after(D), chunk_workspaces=100)
    (chunk_id,) = run.chunks.values_list("pk", flat=True)
    failures = iter([OperationalError("deadlock detected")])

    def fail_once():
        error = next(failures, None)
        if error is not None:
            raise error

    _hook_with(monkeypatch, after_settle=fail_once)
    deduction_chunk.delay(chunk_id)

    chunk = BillingChunk.objects.get(pk=chunk_id)
    assert (chunk.status, chunk.attempts) == (ChunkStatus.DONE, 1)
    assert "deadlock detected" in chunk.last_error or chunk.last_error == ""
    run.refresh_from_db()
    assert (run.status, run.error_count) == (RunStatus.DONE, 1)
    monkeypatch.undo()
    _clean_run(chunk_workspaces=100)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_database_restart_mid_chunk_is_recorded_on_a_fresh_connection_and_retried(monkeypatch):
    from billing.tasks import deduction_chunk

    build_scenario(D)
    run = billing_run_open(day=D, now=after(D), chunk_workspaces=100)
    (chunk_id,) = run.chunks.values_list("pk", flat=True)
    restarts = iter([True])

    def restart_once():  # the server drops this connection, as a restart does
        if next(restarts, False):
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    _hook_with(monkeypatch, after_settle=restart_once)
    deduction_chunk.delay(chunk_id)

    run.refresh_from_db()
    assert (run.status, run.error_count) == (RunStatus.DONE, 1)
    assert "terminat" in run.last_error.lower() or "closed" in run.last_error.lower()
    assert BillingChunk.objects.get(pk=chunk_id).attempts == 1
    monkeypatch.undo()
    _clean_run(chunk_workspaces=100)


@override_settings(BILLING_OPERATOR_EMAILS=["ops@example.com"])
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_run_that_cannot_progress_is_stalled_reported_once_and_finishes_once_fixed(
    monkeypatch,
):
    build_scenario(D)
    run = billing_run_open(day=D, now=after(D), chunk_workspaces=100)
    down = [True]

    def database_away():
        if down[0]:
            raise OperationalError("could not connect to server")

    _hook_with(monkeypatch, before=database_away)
    moment = timezone.now()
    dispatched = []
    for _ in range(4):
        moment += timedelta(seconds=STALL + 1)
        _watchdog(moment, dispatched)
    run.refresh_from_db()
    assert run.status == RunStatus.STALLED
    stalled_mail = [m for m in mail.outbox if "stalled" in m.subject]
    assert len(stalled_mail) == 1 and str(D) in stalled_mail[0].subject

    down[0] = False  # the database is back: the next round finishes the day, nobody acts
    _watchdog(moment + timedelta(seconds=STALL + 1), dispatched)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert run.started_at < run.finished_at


def unbilled_usage_two_days_ago() -> date:
    """A commercial workspace's usage of two billing days ago, no run yet; returns today."""
    account, _ = make_account()
    workspace = make_workspace(account, commercial=True)
    today = billing_day(timezone.now())
    send(workspace, "logs", 3_000_000, today - 2 * ONE_DAY, retention=14)
    return today


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_night_whose_run_never_started_is_started_by_the_watchdog():
    today = unbilled_usage_two_days_ago()
    late_morning = datetime.combine(today, time(9), tzinfo=billing_zone())
    report = _watchdog(late_morning, [])
    assert report.started_pass
    statuses = dict(BillingRun.objects.values_list("day", "status"))
    assert statuses[today - 2 * ONE_DAY] == RunStatus.DONE
    assert statuses[today - ONE_DAY] == RunStatus.DONE


@pytest.mark.django_db
def test_run_deduction_reports_the_real_duration_and_takes_workers():
    build_scenario(D)
    out = StringIO()
    call_command("run_deduction", "--date", str(D), "--chunk-size", "2", stdout=out)
    run = BillingRun.objects.get(day=D)
    assert run.started_at < run.finished_at
    assert run.duration_seconds > 0
    assert f"{run.duration_seconds:.1f} s" in out.getvalue()
    for chunk in run.chunks.all():
        assert chunk.started_at <= chunk.finished_at and chunk.claimed_by
    with pytest.raises(Exception, match="--workers"):
        call_command("run_deduction", "--workers", "0", stdout=StringIO())


def test_celery_puts_a_task_of_a_killed_worker_back_in_the_queue():
    from billing.tasks import deduction_chunk
    from billing_center.celery import app

    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert deduction_chunk.acks_late and deduction_chunk.reject_on_worker_lost


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_watchdog_starts_no_night_while_operators_paused_the_schedule():
    from django_celery_beat.models import PeriodicTask

    from billing.tasks import billing_watchdog_task

    today = unbilled_usage_two_days_ago()
    PeriodicTask.objects.filter(task="quota.deduction_nightly").update(enabled=False)
    assert "nightly pass started" not in billing_watchdog_task()
    assert not BillingRun.objects.exists()
    PeriodicTask.objects.filter(task="quota.deduction_nightly").update(enabled=True)
    assert "nightly pass started" in billing_watchdog_task()
    assert BillingRun.objects.get(day=today - 2 * ONE_DAY).status == RunStatus.DONE
