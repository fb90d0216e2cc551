"""Tasks of the wallet: the arrears countdown (hourly) and the low-balance alert (every 15
minutes), with the time passed in.

The arrears task's registered name stays "orders.arrears_daily": beat schedules stored in the
database name it.
"""

from celery import shared_task
from django.utils import timezone

from wallet.services.arrears import arrears_process
from wallet.services.low_balance import low_balance_check


@shared_task(name="orders.arrears_daily", expires=50 * 60)
def arrears_daily() -> str:
    report = arrears_process(as_of=timezone.now())
    return f"reminded {len(report.reminded)}, locked {len(report.locked)}"


@shared_task(name="wallet.low_balance_check", expires=14 * 60)
def low_balance_check_task() -> str:
    """Every 15 minutes: owners and admins of an account that fell below its threshold hear once."""
    report = low_balance_check(now=timezone.now())
    return f"told {len(report.notified)}, re-armed {len(report.rearmed)}"
