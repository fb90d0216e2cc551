"""Daily and monthly tasks of the wallet: thin wrappers that pass the time in."""

from celery import shared_task
from django.utils import timezone

from common.dates import billing_day
from orders.services.arrears import arrears_process
from orders.services.statements import month_bounds, statements_generate


@shared_task(name="orders.arrears_daily", expires=20 * 3600)
def arrears_daily() -> str:
    report = arrears_process(as_of=timezone.now())
    return f"reminded {len(report.reminded)}, locked {len(report.locked)}"


@shared_task(name="orders.statements_monthly", expires=20 * 3600)
def statements_monthly() -> str:
    today = billing_day(timezone.now())
    first_of_this_month, _ = month_bounds(today)
    previous = (first_of_this_month.replace(day=1) - timezone.timedelta(days=1)).replace(day=1)
    written = statements_generate(month=previous, now=timezone.now())
    return f"{written} statement(s) for {previous:%Y-%m}"
