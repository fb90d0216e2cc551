"""Arrears and locking (SPEC 5.4), run daily with the time passed in."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from orders.models import Wallet
from orders.services import notifications
from workspaces.models import Account
from workspaces.services import account_lock, account_mark_reminded

REMIND_DAYS_BEFORE_LOCK = 3


@dataclass
class ArrearsReport:
    reminded: list[int]
    locked: list[int]


def arrears_process(*, as_of: datetime) -> ArrearsReport:
    """Remind owners 3 days before the lock; lock every workspace once 14 days have passed."""
    lock_after = timedelta(days=settings.BILLING_LOCK_AFTER_DAYS)
    report = ArrearsReport(reminded=[], locked=[])
    owing = Account.objects.filter(arrears_since__isnull=False, locked_at__isnull=True).order_by(
        "pk"
    )
    for account in owing:
        lock_at = account.arrears_since + lock_after
        with transaction.atomic():
            wallet = Wallet.objects.select_for_update().filter(account=account).first()
            if wallet is None or wallet.arrears <= 0:
                continue
            if as_of >= lock_at:
                if account_lock(account_id=account.pk, at=as_of):
                    notifications.on_commit_locked(account_id=account.pk, amount=wallet.arrears)
                    report.locked.append(account.pk)
            elif as_of >= lock_at - timedelta(
                days=REMIND_DAYS_BEFORE_LOCK
            ) and account_mark_reminded(account_id=account.pk, at=as_of):
                notifications.on_commit_arrears_reminder(
                    account_id=account.pk, amount=wallet.arrears, lock_at=lock_at
                )
                report.reminded.append(account.pk)
    return report
