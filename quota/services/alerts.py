"""High-spend alerts (SPEC 5.5): one e-mail per workspace, item and day, never more."""

from datetime import date, datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from common.money import format_cny, parse_amount
from packages.models import BillingItem
from packages.selectors import billing_item_get
from quota.models import DailyBill, DailyBillLine, SpendAlert, SpendAlertNotice
from workspaces.mail import account_mail
from workspaces.models import Membership, Role
from workspaces.selectors import membership_require_owner, workspace_get


def spend_alert_set(
    *, membership: Membership, workspace_id: int, item_code: str, threshold
) -> SpendAlert | None:
    """Set (or, with an empty threshold, remove) the daily threshold of a workspace and item."""
    workspace = workspace_get(account=membership.account, workspace_id=workspace_id)
    membership_require_owner(membership=membership)
    item = billing_item_get(code=item_code)
    if threshold in (None, ""):
        SpendAlert.objects.filter(workspace=workspace, item=item).delete()
        return None
    threshold = parse_amount(threshold, field="threshold", allow_zero=True)
    alert, _ = SpendAlert.objects.update_or_create(
        workspace=workspace,
        item=item,
        defaults={"account": membership.account, "threshold": threshold},
    )
    return alert


def spend_alerts_check(*, bills: list[DailyBill], now: datetime) -> int:
    """Compare each bill's item amounts with the thresholds; notify once. Returns notices sent."""
    alerts = {
        (alert.workspace_id, alert.item_id): alert
        for alert in SpendAlert.objects.filter(
            workspace_id__any=[bill.workspace_id for bill in bills]
        ).select_related("workspace", "item")
    }
    if not alerts:
        return 0
    day_of = {bill.pk: bill for bill in bills}
    lines = (
        DailyBillLine.objects.filter(bill_id__in=list(day_of))
        .values("bill_id", "item_id")
        .annotate(amount=Sum("amount"))
    )
    sent = 0
    for row in lines:
        bill = day_of[row["bill_id"]]
        alert = alerts.get((bill.workspace_id, row["item_id"]))
        if alert is None or row["amount"] <= alert.threshold:
            continue
        try:
            with transaction.atomic():
                SpendAlertNotice.objects.create(
                    workspace_id=bill.workspace_id,
                    item_id=row["item_id"],
                    day=bill.day,
                    amount=row["amount"],
                    threshold=alert.threshold,
                    created_at=now,
                )
        except IntegrityError:
            continue  # already notified for this workspace, item and day
        spend_alert_mail(
            account_id=bill.account_id,
            workspace=alert.workspace.name,
            item=alert.item,
            day=bill.day,
            amount=row["amount"],
            threshold=alert.threshold,
        )
        sent += 1
    return sent


def spend_alert_mail(
    *,
    account_id: int,
    workspace: str,
    item: BillingItem,
    day: date,
    amount: Decimal,
    threshold: Decimal,
) -> None:
    """Queued in the transaction that records the notice: one e-mail per notice row; the item
    is named in each language of the e-mail."""
    account_mail(
        account_id,
        lambda: _("high spend on %(workspace)s") % {"workspace": workspace},
        lambda: (
            _(
                "On %(day)s, %(item)s of workspace %(workspace)s cost %(amount)s, above "
                "your alert threshold of %(threshold)s."
            )
            % {
                "day": f"{day:%Y-%m-%d}",
                "item": item.display_name,
                "workspace": workspace,
                "amount": format_cny(amount),
                "threshold": format_cny(threshold),
            }
        ),
        roles=(Role.OWNER, Role.ADMIN),
    )
