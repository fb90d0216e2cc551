"""The e-mail outbox (issue 11): every notice is a row of the transaction that causes it, sent by
a Celery task with retries and a timeout; the lock reminder counts only once it is sent, and the
lock waits for its delivery attempt."""

import threading
from datetime import timedelta

import psycopg2
import pytest
from django.core import mail
from django.db import connection, transaction
from django.test import override_settings
from post_office.models import STATUS, Email, Log

from common import outbox
from common.outbox import OUTBOX_LOCK_NAMESPACE, Notice, notice_queue, outbox_deliver
from tests.mailservers import SilentSMTPServer
from tests.wallet.test_settlement import owing_after_d
from wallet.models import Wallet
from wallet.services.arrears import arrears_process
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db

DOWN = "tests.mailservers.MailServerDown"
UP = "django.core.mail.backends.locmem.EmailBackend"


def post_office(**changes) -> dict:
    """POST_OFFICE of the test settings with retries due at once (no waiting in tests)."""
    from django.conf import settings

    return {**settings.POST_OFFICE, "RETRY_INTERVAL": timedelta(0), **changes}


@pytest.fixture
def account(account_a):
    account, owner = account_a
    owner.email = "owner@example.com"
    owner.save()
    return account


def test_a_notice_is_written_with_its_transaction_and_sent_after_the_commit(
    django_capture_on_commit_callbacks,
):
    with pytest.raises(RuntimeError), transaction.atomic():
        notice_queue(Notice(["a@example.com"], "rolled back", "never sent"))
        raise RuntimeError("the change fails")
    assert not Email.objects.exists()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = notice_queue(Notice(["a@example.com"], "kept", "body"))
    assert Email.objects.get().status == STATUS.queued  # a row before any sending
    assert mail.outbox == []
    for callback in callbacks:
        callback()  # the commit: the delivery task runs (eager in tests)
    email.refresh_from_db()
    assert email.status == STATUS.sent
    assert [(m.subject, m.to) for m in mail.outbox] == [("kept", ["a@example.com"])]
    assert notice_queue(Notice([], "nobody", "has an address")) is None


@override_settings(EMAIL_BACKEND=DOWN)
def test_the_mail_server_down_loses_no_notice_and_retries_until_it_is_back(
    account, django_capture_on_commit_callbacks, caplog
):
    with override_settings(POST_OFFICE=post_office(MAX_RETRIES=3)):
        owing_after_d(account, django_capture_on_commit_callbacks)
        notice = Email.objects.get()
        assert notice.subject.endswith("your account is in arrears / 您的账户已欠费")
        assert (notice.status, notice.number_of_retries) == (STATUS.requeued, 1)
        assert Log.objects.get(email=notice).message == "SMTP server down"
        assert "1 will be retried" in caplog.text
        assert Wallet.objects.get(account=account).arrears_since is not None  # money committed

        outbox_deliver()  # still down
        notice.refresh_from_db()
        assert (notice.status, notice.number_of_retries) == (STATUS.requeued, 2)
        with override_settings(EMAIL_BACKEND=UP):
            assert outbox_deliver().sent == 1
    notice.refresh_from_db()
    assert notice.status == STATUS.sent
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["owner@example.com"]
    assert outbox_deliver().attempted == 0  # sent once, never again


@override_settings(EMAIL_BACKEND=DOWN)
def test_after_its_last_retry_a_notice_is_failed_and_stays_in_the_outbox(
    account, django_capture_on_commit_callbacks
):
    with override_settings(POST_OFFICE=post_office(MAX_RETRIES=1)):
        owing_after_d(account, django_capture_on_commit_callbacks)
        assert outbox_deliver().failed == 1
    notice = Email.objects.get()
    assert notice.status == STATUS.failed
    assert Log.objects.filter(email=notice, status=STATUS.failed).count() == 2


# serialized_rollback as the other threaded tests: their flushes and reloads stay consistent.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_server_that_never_answers_times_out_and_the_mail_is_retried(monkeypatch):
    monkeypatch.setattr(outbox, "deliver_soon", lambda: None)  # the pass runs in a thread below
    server = SilentSMTPServer()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=server.port,
            EMAIL_TIMEOUT=1,
            POST_OFFICE=post_office(MAX_RETRIES=5),
        ):
            email = notice_queue(Notice(["a@example.com"], "hello", "body"))
            done = threading.Event()
            result = {}

            def deliver():
                try:
                    result["delivery"] = outbox_deliver()
                finally:
                    connection.close()
                    done.set()

            worker = threading.Thread(target=deliver, daemon=True)
            worker.start()
            # Liveness, not speed: without a timeout the pass would never come back.
            assert done.wait(timeout=60), "the delivery pass hung on a silent mail server"
    finally:
        server.close()
    assert result["delivery"].requeued == 1
    email.refresh_from_db()
    assert email.status == STATUS.requeued
    assert "timed out" in Log.objects.get(email=email).message


def test_a_lost_broker_only_delays_the_mail(
    monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def broker_down():
        raise ConnectionRefusedError("Redis is gone")

    monkeypatch.setattr(outbox.outbox_deliver_task, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        email = notice_queue(Notice(["a@example.com"], "later", "body"))
    assert "beat's next pass sends the mail" in caplog.text
    email.refresh_from_db()
    assert email.status == STATUS.queued
    assert outbox_deliver().sent == 1  # the pass that beat starts every minute


def test_one_delivery_pass_at_a_time(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        notice_queue(Notice(["a@example.com"], "once", "body"))
    params = connection.get_connection_params()
    other = psycopg2.connect(**{k: v for k, v in params.items() if k != "cursor_factory"})
    try:
        with other.cursor() as cursor:  # another worker's pass holds the outbox
            cursor.execute("SELECT pg_advisory_lock(%s, 0)", [OUTBOX_LOCK_NAMESPACE])
        assert outbox_deliver().busy
        assert mail.outbox == []
        with other.cursor() as cursor:  # its pass ends
            cursor.execute("SELECT pg_advisory_unlock(%s, 0)", [OUTBOX_LOCK_NAMESPACE])
    finally:
        other.close()
    assert outbox_deliver().sent == 1


def lock_reminder(account):
    return Wallet.objects.get(account=account).arrears_reminder


@override_settings(EMAIL_BACKEND=DOWN)
def test_the_reminder_counts_once_sent_and_the_lock_waits_for_its_delivery(
    account, django_capture_on_commit_callbacks
):
    with override_settings(POST_OFFICE=post_office(MAX_RETRIES=10)):
        workspace = owing_after_d(account, django_capture_on_commit_callbacks)
        since = Wallet.objects.get(account=account).arrears_since

        def process(days: int):
            with django_capture_on_commit_callbacks(execute=True):
                return arrears_process(as_of=since + timedelta(days=days))

        assert process(11).reminded == [account.pk]
        reminder = lock_reminder(account)
        assert reminder.status == STATUS.requeued
        assert Wallet.objects.get(account=account).arrears_reminded_at is None  # not sent yet
        assert process(12).reminded == []  # queued once, retried by the outbox

        report = process(14)  # due for the lock, but the reminder has not gone out
        assert (report.locked, report.waiting) == ([], [account.pk])
        assert Workspace.objects.get(pk=workspace.pk).status == "arrears"

        with override_settings(EMAIL_BACKEND=UP):
            outbox_deliver()
        reminder.refresh_from_db()
        assert reminder.status == STATUS.sent
        assert Wallet.objects.get(account=account).arrears_reminded_at == reminder.last_updated
        assert process(14).locked == [account.pk]
    assert Workspace.objects.get(pk=workspace.pk).status == "locked"
    subjects = [message.subject.split(": ", 1)[1].split(" / ")[0] for message in mail.outbox]
    # The arrears notice was retrying too: each went out once, when the server came back.
    assert sorted(subjects) == ["workspaces lock in 3 days", "your account is in arrears"]


@override_settings(EMAIL_BACKEND=DOWN)
def test_a_reminder_that_failed_for_good_lets_the_lock_go_ahead(
    account, django_capture_on_commit_callbacks
):
    with override_settings(POST_OFFICE=post_office(MAX_RETRIES=0)):
        workspace = owing_after_d(account, django_capture_on_commit_callbacks)
        since = Wallet.objects.get(account=account).arrears_since
        with django_capture_on_commit_callbacks(execute=True):
            arrears_process(as_of=since + timedelta(days=11))
        assert lock_reminder(account).status == STATUS.failed
        with django_capture_on_commit_callbacks(execute=True):
            assert arrears_process(as_of=since + timedelta(days=14)).locked == [account.pk]
    assert Workspace.objects.get(pk=workspace.pk).status == "locked"
    assert Wallet.objects.get(account=account).arrears_reminded_at is None  # never reached


def test_operators_see_every_e_mail_and_its_attempts_in_admin(
    client, django_user_model, django_capture_on_commit_callbacks
):
    admin_client = client
    admin_client.force_login(
        django_user_model.objects.create_superuser("operator", "op@example.com", "x" * 20)
    )
    with (
        override_settings(EMAIL_BACKEND=DOWN, POST_OFFICE=post_office(MAX_RETRIES=0)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        failed = notice_queue(Notice(["a@example.com"], "could not go", "body"))
    with django_capture_on_commit_callbacks(execute=True):
        sent = notice_queue(Notice(["b@example.com"], "went out", "body"))
    listing = admin_client.get("/admin/post_office/email/")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "could not go" in page and "went out" in page
    failed_page = admin_client.get(f"/admin/post_office/email/{failed.pk}/change/")
    assert failed_page.status_code == 200 and "SMTP server down" in failed_page.content.decode()
    assert admin_client.get(f"/admin/post_office/email/{sent.pk}/change/").status_code == 200
