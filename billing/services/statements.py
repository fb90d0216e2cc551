"""Writing monthly statements (SPEC 5.3) on the 3rd; what one contains is computed by
`billing.selectors.statement_compute`, which the pages also show for the running month."""

from datetime import date, datetime

from django.db import IntegrityError, transaction

from billing.models import Statement
from billing.selectors import month_bounds, statement_compute
from common.dates import day_start
from orders.models import Order
from quota.models import BillAdjustment, DailyBill
from wallet.models import Instrument, LedgerEntry
from workspaces.models import Account


def statements_generate(*, month: date, now: datetime) -> int:
    """Write the statement of `month` for every account that had activity; idempotent."""
    first, following = month_bounds(month)
    active = set(
        DailyBill.objects.filter(day__gte=first, day__lt=following).values_list(
            "account_id", flat=True
        )
    )
    active |= set(
        Order.objects.filter(
            paid_at__gte=day_start(first), paid_at__lt=day_start(following)
        ).values_list("account_id", flat=True)
    )
    active |= set(
        LedgerEntry.objects.filter(instrument=Instrument.ARREARS).values_list(
            "account_id", flat=True
        )
    )
    active |= set(
        BillAdjustment.objects.filter(settled_on__gte=first, settled_on__lt=following).values_list(
            "account_id", flat=True
        )
    )
    written = 0
    for account in Account.objects.filter(pk__in=active).order_by("pk"):
        if Statement.objects.filter(account=account, month=first).exists():
            continue
        statement = statement_compute(account=account, month=first, now=now)
        try:
            with transaction.atomic():
                statement.save()
                written += 1
        except IntegrityError:
            continue  # written by a concurrent run
    return written
