"""The nightly run is idempotent, crash-safe, worker-count independent, and catches up."""

from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from billing.services.nightly import billing_chunk_run, deduction_run_day
from common.dates import ONE_DAY, billing_day
from quota.models import BillingChunk, BillingRun, DailyBill, DailyBillLine, LateUsage
from quota.services import billing_run_open, deduction_days_due
from quota.services.usage import Ingested
from tests.factories import make_account, make_workspace
from tests.quota.helpers import after, bill, hour_of, send, send_many
from tests.quota.scenario import build_scenario, forget_day, money_snapshot, snapshot

D = date(2026, 4, 2)


def counts():
    return (
        BillingRun.objects.count(),
        BillingChunk.objects.count(),
        DailyBill.objects.count(),
        DailyBillLine.objects.count(),
    )


@pytest.mark.django_db
def test_running_a_billed_day_again_writes_nothing_new():
    build_scenario(D)
    bill(D, chunk_workspaces=2)
    before, rows = counts(), snapshot(D)
    assert before[2] > 0
    again = bill(D, chunk_workspaces=2)
    assert again.status == "done"
    assert counts() == before
    assert snapshot(D) == rows
    for chunk in BillingChunk.objects.all():
        assert billing_chunk_run(chunk_id=chunk.pk, now=after(D)).bills_written == 0


@pytest.mark.django_db
def test_the_run_records_progress_and_timings():
    build_scenario(D)
    run = bill(D, chunk_workspaces=3)
    assert run.total_chunks > 1
    assert (run.done_chunks, run.status) == (run.total_chunks, "done")
    assert run.bills_written == DailyBill.objects.filter(day=D).count()
    assert run.started_at and run.finished_at and run.duration_seconds is not None


@pytest.mark.django_db
def test_usage_for_a_billed_day_is_stored_as_late_usage():
    account = make_account()[0]
    workspace = make_workspace(account, commercial=True)
    send(workspace, "logs", 1_000_000, D, retention=14)
    bill(D)
    assert send_many(
        [
            {
                "workspace": workspace.pk,
                "item": "logs",
                "retention_days": 14,
                "hour": hour_of(D, 3),
                "quantity": 2_000_000,
            }
        ],
        D,
    ) == Ingested(accepted=1, late=1)
    late = LateUsage.objects.get()
    assert (late.account_id, late.day, late.samples, late.rerated_at) == (account.pk, D, 1, None)


@pytest.mark.django_db
def test_only_ended_days_are_billed():
    with pytest.raises(ValueError, match="has not ended"):
        billing_run_open(day=D, now=after(D) - timedelta(hours=1))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_run_killed_after_k_chunks_and_run_again_equals_a_clean_run(monkeypatch):
    build_scenario(D)
    run = billing_run_open(day=D, now=after(D), chunk_workspaces=2)
    chunks = list(run.chunks.order_by("index").values_list("pk", flat=True))
    assert len(chunks) >= 4
    for chunk_id in chunks[:2]:
        billing_chunk_run(chunk_id=chunk_id, now=after(D))

    def crash(**kwargs):  # the connection dies after the bills are written, before the commit
        assert DailyBill.objects.filter(day=D).count() > 0
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("billing.services.nightly.bills_settle", crash)
    with pytest.raises(OperationalError):
        deduction_run_day(day=D, now=after(D))
    run.refresh_from_db()
    assert (run.status, run.done_chunks) == ("failed", 2)
    monkeypatch.undo()

    resumed = deduction_run_day(day=D, now=after(D))
    assert (resumed.status, resumed.done_chunks) == ("done", len(chunks))
    crashed_then_resumed = snapshot(D), money_snapshot(D)
    instruments_used = {entry[1] for entry in crashed_then_resumed[1][1]}
    assert instruments_used == {"cash", "voucher", "prepaid_card", "arrears"}

    forget_day(D)
    clean = deduction_run_day(day=D, now=after(D), chunk_workspaces=2)
    assert clean.status == "done"
    assert (snapshot(D), money_snapshot(D)) == crashed_then_resumed


def _process_in_parallel(chunk_ids, workers):
    def work(chunk_id):
        try:
            return billing_chunk_run(chunk_id=chunk_id, now=after(D)).bills_written
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return sum(pool.map(work, chunk_ids))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_one_and_four_workers_give_identical_bills_even_with_duplicate_deliveries():
    build_scenario(D, accounts=8)
    run = billing_run_open(day=D, now=after(D), chunk_workspaces=3)
    chunk_ids = list(run.chunks.values_list("pk", flat=True))
    written = _process_in_parallel(chunk_ids * 2, workers=4)  # every chunk delivered twice
    run.refresh_from_db()
    assert run.status == "done" and run.done_chunks == len(chunk_ids)
    assert written == DailyBill.objects.filter(day=D).count()
    four_workers = snapshot(D), money_snapshot(D)

    forget_day(D)
    run = billing_run_open(day=D, now=after(D), chunk_workspaces=3)
    _process_in_parallel(list(run.chunks.values_list("pk", flat=True)), workers=1)
    assert (snapshot(D), money_snapshot(D)) == four_workers


@pytest.mark.django_db
def test_catch_up_lists_every_unbilled_day_oldest_first():
    workspace = make_workspace(make_account()[0], commercial=True)
    today = D + 5 * ONE_DAY
    for day in (D, D + 2 * ONE_DAY):
        send(workspace, "logs", 1_000_000, day, retention=14)
    assert deduction_days_due(today=today) == [D, D + 2 * ONE_DAY, today - ONE_DAY]
    bill(D)
    assert deduction_days_due(today=today) == [D + 2 * ONE_DAY, today - ONE_DAY]


@pytest.mark.django_db
def test_nightly_task_bills_missed_days_oldest_first():
    from billing.tasks import deduction_nightly

    today = billing_day(timezone.now())
    workspace = make_workspace(make_account()[0], commercial=True)
    missed = [today - 4 * ONE_DAY, today - 2 * ONE_DAY]
    for day in missed:
        send(workspace, "logs", 2_000_000, day, retention=14)
    deduction_nightly.delay()  # eager in tests: each finished day dispatches the next
    runs = list(BillingRun.objects.order_by("created_at", "pk").values_list("day", "status"))
    assert runs == [(missed[0], "done"), (missed[1], "done"), (today - ONE_DAY, "done")]
    assert sorted(DailyBill.objects.values_list("day", flat=True)) == missed
