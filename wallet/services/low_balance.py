"""The low-balance alert: an owner's threshold on the cash balance (or cash and prepaid cards);
when what the account holds falls below it, owners and admins get one e-mail, and another only
after the balance was back at or above the threshold.

The check is a pass of its own every 15 minutes (one query over the accounts with an alert), not
a step of the nightly settlement or of checkout: the nightly stays as fast as it is, and the pass
also sees what no event announces (a prepaid card that expires)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Case, DecimalField, F, OuterRef, QuerySet, Subquery, Sum, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from common.exceptions import InvalidInput
from common.money import ZERO, parse_amount
from wallet.models import BalanceBasis, LowBalanceAlert, PrepaidCard, Wallet
from wallet.services.notifications import low_balance_mail
from workspaces.models import Membership
from workspaces.selectors import membership_require_owner

AMOUNT = DecimalField(max_digits=14, decimal_places=2)


def low_balance_alert_set(
    *, membership: Membership, threshold, basis: str, now: datetime
) -> LowBalanceAlert | None:
    """Set (or, with an empty threshold, remove) the account's alert, by an owner. A new
    threshold starts afresh: a balance already below it is told at once."""
    membership_require_owner(membership=membership)
    if threshold in (None, ""):
        LowBalanceAlert.objects.filter(account_id=membership.account_id).delete()
        return None
    threshold = parse_amount(threshold, field="threshold")
    if basis not in BalanceBasis.values:
        raise InvalidInput(_("Choose which balance to watch."), field="basis")
    with transaction.atomic():
        alert = (
            LowBalanceAlert.objects.select_for_update()
            .filter(account_id=membership.account_id)
            .first()
        ) or LowBalanceAlert(account_id=membership.account_id)
        if (alert.threshold, alert.basis) != (threshold, basis):
            # A new threshold starts afresh; saving the same one again sends nothing new.
            alert.threshold, alert.basis = threshold, basis
            alert.below_since, alert.notice = None, None
        alert.updated_at, alert.updated_by = now, membership.user
        alert.save()
    low_balance_check(now=now, account_ids=[membership.account_id])
    alert.refresh_from_db()
    return alert


def alerts_with_balance(*, now: datetime) -> QuerySet[LowBalanceAlert]:
    """Every alert with `balance`: the cash balance, plus the usable prepaid cards when its
    basis says so (an account that never held money has ¥0.00)."""
    cash = Wallet.objects.filter(account_id=OuterRef("account_id")).values("cash_balance")[:1]
    cards = (
        PrepaidCard.objects.filter(
            account_id=OuterRef("account_id"), balance__gt=0, expires_at__gt=now
        )
        .order_by()
        .values("account_id")
        .annotate(total=Sum("balance"))
        .values("total")
    )
    return LowBalanceAlert.objects.annotate(
        cash=Coalesce(Subquery(cash, output_field=AMOUNT), ZERO, output_field=AMOUNT),
        cards=Coalesce(Subquery(cards, output_field=AMOUNT), ZERO, output_field=AMOUNT),
    ).annotate(
        balance=Case(
            When(basis=BalanceBasis.CASH_AND_CARDS, then=F("cash") + F("cards")),
            default=F("cash"),
            output_field=AMOUNT,
        )
    )


@dataclass
class LowBalanceReport:
    notified: list[int]  # accounts told now
    rearmed: list[int]  # accounts back at or above their threshold


def low_balance_check(*, now: datetime, account_ids: list[int] | None = None) -> LowBalanceReport:
    """Tell each account that fell below its threshold, once; re-arm those back above it."""
    alerts = alerts_with_balance(now=now)
    if account_ids is not None:
        alerts = alerts.filter(account_id__in=account_ids)
    rearmed = list(
        alerts.filter(below_since__isnull=False, balance__gte=F("threshold")).values_list(
            "pk", "account_id"
        )
    )
    if rearmed:
        LowBalanceAlert.objects.filter(pk__in=[pk for pk, _ in rearmed]).update(
            below_since=None, notice=None
        )
    notified = []
    for alert in alerts.filter(below_since__isnull=True, balance__lt=F("threshold")).order_by("pk"):
        if _notify(alert, now=now):
            notified.append(alert.account_id)
    return LowBalanceReport(notified=notified, rearmed=[account for _, account in rearmed])


def _notify(alert: LowBalanceAlert, *, now: datetime) -> bool:
    with transaction.atomic():
        # The conditional update is the "told once" state: of two passes, one wins.
        won = LowBalanceAlert.objects.filter(pk=alert.pk, below_since__isnull=True).update(
            below_since=now
        )
        if not won:
            return False
        email = low_balance_mail(
            account_id=alert.account_id,
            balance=Decimal(alert.balance),
            threshold=alert.threshold,
            with_cards=alert.basis == BalanceBasis.CASH_AND_CARDS,
        )
        LowBalanceAlert.objects.filter(pk=alert.pk).update(notice=email)
    return True
