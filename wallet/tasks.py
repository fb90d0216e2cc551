"""Hourly task of the wallet: the arrears countdown, with the time passed in.

Its registered name stays "orders.arrears_daily": beat schedules stored in the database name it.
"""

from celery import shared_task
from django.utils import timezone

from wallet.services.arrears import arrears_process


@shared_task(name="orders.arrears_daily", expires=50 * 60)
def arrears_daily() -> str:
    report = arrears_process(as_of=timezone.now())
    return f"reminded {len(report.reminded)}, locked {len(report.locked)}"
