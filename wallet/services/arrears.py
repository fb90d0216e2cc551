"""The arrears countdown (SPEC 5.4): it starts when a bill is left unpaid, reminds 3 days before
the lock, locks every workspace after 14 days, and stops when the debt is paid. Its state lives
on the wallet, next to the debt; workspaces only show it (their status).

The reminder is an outbox e-mail: the wallet counts as reminded only once it is sent, and the
lock waits for its delivery attempt (sent, or failed after every retry)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import OuterRef, Subquery
from post_office.models import STATUS, Email

from wallet.models import Wallet
from wallet.selectors import wallet_lock_at
from wallet.services import notifications
from workspaces.models import WorkspaceStatus
from workspaces.services import accounts_workspaces_show

REMIND_DAYS_BEFORE_LOCK = 3


def wallets_arrears_start(*, wallets: list[Wallet], since: datetime) -> list[int]:
    """These locked wallets owe money: start the countdown of those not counting down yet and
    show their workspaces in arrears. Returns the accounts whose countdown starts now."""
    starting = [wallet for wallet in wallets if wallet.arrears_since is None]
    if not starting:
        return []
    Wallet.objects.filter(pk__any=[wallet.pk for wallet in starting]).update(
        arrears_since=since, arrears_reminder=None, arrears_reminded_at=None, locked_at=None
    )
    for wallet in starting:
        wallet.arrears_since, wallet.arrears_reminded_at, wallet.locked_at = since, None, None
        wallet.arrears_reminder = None
    account_ids = sorted(wallet.account_id for wallet in starting)
    accounts_workspaces_show(
        account_ids=account_ids, status=WorkspaceStatus.ARREARS, only_from=WorkspaceStatus.ACTIVE
    )
    return account_ids


def wallet_arrears_clear(*, wallet: Wallet) -> bool:
    """The locked wallet's debt is paid: stop the countdown and unlock every workspace.
    True if it was counting down (the owner gets an e-mail)."""
    was_owing = wallet.arrears_since is not None
    if was_owing:
        wallet.arrears_since = wallet.arrears_reminded_at = wallet.locked_at = None
        wallet.arrears_reminder = None
        Wallet.objects.filter(pk=wallet.pk).update(
            arrears_since=None, arrears_reminder=None, arrears_reminded_at=None, locked_at=None
        )
        notifications.arrears_cleared_mail(account_id=wallet.account_id)
    accounts_workspaces_show(account_ids=[wallet.account_id], status=WorkspaceStatus.ACTIVE)
    return was_owing


def wallet_lock_workspaces(*, wallet: Wallet, at: datetime) -> bool:
    """The countdown of the locked wallet ran out: lock every workspace. True if newly locked."""
    if wallet.arrears_since is None or wallet.locked_at is not None:
        return False
    wallet.locked_at = at
    Wallet.objects.filter(pk=wallet.pk).update(locked_at=at)
    accounts_workspaces_show(account_ids=[wallet.account_id], status=WorkspaceStatus.LOCKED)
    return True


@dataclass
class ArrearsReport:
    reminded: list[int]  # reminders queued by this pass
    locked: list[int]
    waiting: list[int]  # due for the lock, waiting for the reminder's delivery attempt


def arrears_process(*, as_of: datetime) -> ArrearsReport:
    """Remind owners 3 days before the lock; lock every workspace once 14 days have passed and
    the reminder's delivery was attempted."""
    report = ArrearsReport(reminded=[], locked=[], waiting=[])
    reminders_mark_sent()
    owing = Wallet.objects.filter(arrears_since__isnull=False, locked_at__isnull=True)
    for account_id in owing.order_by("account_id").values_list("account_id", flat=True):
        with transaction.atomic():
            wallet = Wallet.objects.select_for_update().get(account_id=account_id)
            lock_at = wallet_lock_at(wallet)
            if wallet.arrears <= 0 or lock_at is None or wallet.locked_at is not None:
                continue
            if as_of < lock_at - timedelta(days=REMIND_DAYS_BEFORE_LOCK):
                continue
            if wallet.arrears_reminder_id is None and wallet.arrears_reminded_at is None:
                _remind(wallet, lock_at=lock_at, at=as_of)
                report.reminded.append(account_id)
            elif as_of < lock_at:
                continue
            elif not _reminder_attempted(wallet):
                report.waiting.append(account_id)
            elif wallet_lock_workspaces(wallet=wallet, at=as_of):
                notifications.locked_mail(account_id=account_id, amount=wallet.arrears)
                report.locked.append(account_id)
    return report


def _remind(wallet: Wallet, *, lock_at: datetime, at: datetime) -> None:
    """Queue the reminder with the wallet's change; an owner without an e-mail address has
    nothing to wait for (reminded now)."""
    email = notifications.arrears_reminder_mail(
        account_id=wallet.account_id, amount=wallet.arrears, lock_at=lock_at
    )
    if email is None:
        Wallet.objects.filter(pk=wallet.pk).update(arrears_reminded_at=at)
    else:
        Wallet.objects.filter(pk=wallet.pk).update(arrears_reminder=email)


def _reminder_attempted(wallet: Wallet) -> bool:
    if wallet.arrears_reminded_at is not None or wallet.arrears_reminder_id is None:
        return True
    status = Email.objects.filter(pk=wallet.arrears_reminder_id).values_list("status", flat=True)
    return status.first() in (STATUS.sent, STATUS.failed)


def reminders_mark_sent() -> int:
    """Wallets whose reminder went out: reminded at the time it was sent."""
    sent = Email.objects.filter(pk=OuterRef("arrears_reminder_id"), status=STATUS.sent)
    return Wallet.objects.filter(
        arrears_reminded_at__isnull=True, arrears_reminder__status=STATUS.sent
    ).update(arrears_reminded_at=Subquery(sent.values("last_updated")[:1]))


def reminders_mark_sent_on_delivery(sender, **kwargs) -> None:
    """Connected to the outbox's mail_delivered signal (wallet/apps.py)."""
    reminders_mark_sent()
