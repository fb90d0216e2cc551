"""The e-mail outbox: every notice is a row of django-post-office's Email table, written in the
transaction of the change that causes it (a rolled-back change leaves no e-mail, a committed one
never loses its e-mail). The Celery task "outbox.deliver" sends the queued rows after the commit
and again every minute (beat): each SMTP call times out (EMAIL_TIMEOUT), a failed attempt is
retried POST_OFFICE["MAX_RETRIES"] times every RETRY_INTERVAL, then the row is marked failed.
Admin shows every row with its status (queued, requeued, sent, failed) and one log per attempt.

One delivery pass runs at a time in the whole cluster (a PostgreSQL advisory lock), so two
workers never send the same row twice."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from celery import shared_task
from django.conf import settings
from django.db import connection, transaction
from django.dispatch import Signal
from post_office import mail as post_office_mail
from post_office.models import STATUS, Email
from post_office.settings import get_batch_size

logger = logging.getLogger("common.outbox")

OUTBOX_LOCK_NAMESPACE = 72_010  # pg advisory lock class of "the outbox is being delivered"
MAX_BATCHES_PER_PASS = 100  # a pass ends after this many batches; the next one goes on

# Sent after every delivery pass that attempted something: receivers update what depends on an
# e-mail having gone out (the wallet's "reminder sent" mark).
mail_delivered = Signal()


@dataclass(frozen=True)
class Notice:
    recipients: list[str]
    subject: str
    body: str


def notices_queue(notices: Iterable[Notice]) -> list[Email]:
    """Write the notices with recipients as queued e-mails in the current transaction; delivery
    starts after the commit. Returns the rows, in the order given (notices without recipients
    are skipped)."""
    kept = [notice for notice in notices if notice.recipients]
    if not kept:
        return []
    emails = post_office_mail.send_many(
        [
            {
                "recipients": notice.recipients,
                "sender": settings.DEFAULT_FROM_EMAIL,
                "subject": notice.subject,
                "message": notice.body,
            }
            for notice in kept
        ]
    )
    # A request per call: extra passes find the outbox busy or empty (the advisory lock).
    transaction.on_commit(deliver_soon, robust=True)
    return emails


def notice_queue(notice: Notice) -> Email | None:
    """One notice; None when it has no recipients (nothing to send)."""
    emails = notices_queue([notice])
    return emails[0] if emails else None


def deliver_soon() -> None:
    """Ask a worker for a delivery pass. A lost broker only delays the mail: the pass that beat
    starts every minute sends it."""
    try:
        outbox_deliver_task.delay()
    except Exception:  # the rows are committed; beat's next pass delivers them
        logger.warning("could not dispatch the outbox delivery; beat's next pass sends the mail")


@dataclass
class Delivery:
    sent: int = 0
    failed: int = 0
    requeued: int = 0
    busy: bool = False  # another pass holds the outbox

    @property
    def attempted(self) -> int:
        return self.sent + self.failed + self.requeued


def outbox_deliver() -> Delivery:
    """Send every e-mail that is due (queued, or requeued with its retry time passed)."""
    delivery = Delivery()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, 0)", [OUTBOX_LOCK_NAMESPACE])
        if not cursor.fetchone()[0]:
            delivery.busy = True
            return delivery
    try:
        for _batch in range(MAX_BATCHES_PER_PASS):
            sent, failed, requeued = post_office_mail.send_queued(processes=1)
            delivery.sent += sent
            delivery.failed += failed
            delivery.requeued += requeued
            if sent + failed + requeued < get_batch_size():
                break  # everything due was attempted once; retries wait for a later pass
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, 0)", [OUTBOX_LOCK_NAMESPACE])
    if delivery.failed or delivery.requeued:
        logger.error(
            "outbox: %s e-mail(s) failed for good, %s will be retried (admin: Post Office, Emails)",
            delivery.failed,
            delivery.requeued,
        )
    if delivery.attempted:
        mail_delivered.send(sender=Email)
    return delivery


def outbox_due() -> int:
    """E-mails waiting for a delivery attempt (queued or requeued)."""
    return Email.objects.filter(status__in=[STATUS.queued, STATUS.requeued]).count()


@shared_task(
    name="outbox.deliver",
    ignore_result=True,
    soft_time_limit=15 * 60,
    time_limit=16 * 60,
    expires=3600,
)
def outbox_deliver_task() -> str:
    delivery = outbox_deliver()
    if delivery.busy:
        return "busy: another pass is delivering"
    return f"sent {delivery.sent}, failed {delivery.failed}, requeued {delivery.requeued}"
