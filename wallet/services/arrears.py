"""The arrears countdown (SPEC 5.4): it starts when a bill is left unpaid, reminds 3 days before
the lock, locks every workspace after 14 days, and stops when the debt is paid. Its state lives
on the wallet, next to the debt; workspaces only show it (their status)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

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
        arrears_since=since, arrears_reminded_at=None, locked_at=None
    )
    for wallet in starting:
        wallet.arrears_since, wallet.arrears_reminded_at, wallet.locked_at = since, None, None
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
        Wallet.objects.filter(pk=wallet.pk).update(
            arrears_since=None, arrears_reminded_at=None, locked_at=None
        )
        notifications.on_commit_arrears_cleared(account_id=wallet.account_id)
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
    reminded: list[int]
    locked: list[int]


def arrears_process(*, as_of: datetime) -> ArrearsReport:
    """Remind owners 3 days before the lock; lock every workspace once 14 days have passed."""
    report = ArrearsReport(reminded=[], locked=[])
    owing = Wallet.objects.filter(arrears_since__isnull=False, locked_at__isnull=True)
    for account_id in owing.order_by("account_id").values_list("account_id", flat=True):
        with transaction.atomic():
            wallet = Wallet.objects.select_for_update().get(account_id=account_id)
            lock_at = wallet_lock_at(wallet)
            if wallet.arrears <= 0 or lock_at is None or wallet.locked_at is not None:
                continue
            if as_of >= lock_at:
                if wallet_lock_workspaces(wallet=wallet, at=as_of):
                    notifications.on_commit_locked(account_id=account_id, amount=wallet.arrears)
                    report.locked.append(account_id)
            elif (
                as_of >= lock_at - timedelta(days=REMIND_DAYS_BEFORE_LOCK)
                and wallet.arrears_reminded_at is None
            ):
                Wallet.objects.filter(pk=wallet.pk).update(arrears_reminded_at=as_of)
                notifications.on_commit_arrears_reminder(
                    account_id=account_id, amount=wallet.arrears, lock_at=lock_at
                )
                report.reminded.append(account_id)
    return report
