"""Reads of subscriptions, their state on a given day, usage and daily bills."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import F, Prefetch, Q, QuerySet, Sum, prefetch_related_objects
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.api import parse_id
from common.exceptions import NotFound
from packages.models import Plan, PlanQuota
from packages.pricing import ItemPricing
from packages.selectors import billing_item_list
from quota.deduction import PackLot
from quota.models import (
    BillAdjustment,
    BillingAccountFailure,
    BillingChunk,
    BillingRun,
    Binding,
    ChunkStatus,
    DailyBill,
    DailyBillLine,
    RunStatus,
    SpendAlert,
    Subscription,
    SubscriptionPlanPeriod,
    TrafficPack,
)
from workspaces.models import Account


def catalog_snapshot() -> dict[str, ItemPricing]:
    """Every billing item's prices and factors, by code."""
    return {item.code: ItemPricing.of(item) for item in billing_item_list()}


# What subscription_status's codes read as on pages (the API answers the codes).
SUBSCRIPTION_STATUS_LABELS = {
    "pending": gettext_lazy("Not started"),
    "active": gettext_lazy("In force"),
    "expired": gettext_lazy("Ended"),
}


def subscription_status(*, subscription: Subscription, today: date) -> str:
    if today < subscription.start_date:
        return "pending"
    if today > subscription.end_date:
        return "expired"
    return "active"


def subscription_list(*, account: Account) -> QuerySet[Subscription]:
    return Subscription.objects.filter(account=account).order_by("-start_date", "-pk")


def subscription_get(*, account: Account, subscription_id: int | str) -> Subscription:
    """A subscription of this account; any other (or unknown) id answers 404."""
    subscription_id = parse_id(subscription_id)
    subscription = (
        subscription_list(account=account).filter(pk=subscription_id).first()
        if subscription_id
        else None
    )
    if subscription is None:
        raise NotFound(_("No such subscription."))
    return subscription


def bindings_on(*, subscription_ids: Iterable[int], day: date) -> dict[int, list[int]]:
    """Workspace ids in priority order for each subscription, as bound on `day`."""
    order: dict[int, list[int]] = defaultdict(list)
    rows = (
        Binding.objects.filter(
            subscription_id__any=list(subscription_ids), valid_from__lte=day, valid_to__gt=day
        )
        .order_by("subscription_id", "priority", "pk")
        .values_list("subscription_id", "workspace_id")
    )
    for subscription_id, workspace_id in rows:
        order[subscription_id].append(workspace_id)
    return dict(order)


def workspace_subscriptions_on(*, workspace_ids: Iterable[int], day: date) -> dict[int, int]:
    """The subscription each workspace is bound to on `day` (workspaces not bound are absent)."""
    return dict(
        Binding.objects.filter(
            workspace_id__in=list(workspace_ids), valid_from__lte=day, valid_to__gt=day
        ).values_list("workspace_id", "subscription_id")
    )


def plans_on(*, subscription_ids: Iterable[int], day: date) -> dict[int, Plan]:
    """The plan in force on `day` for each subscription, with its quotas prefetched.

    Subscriptions on the same plan share one Plan instance: a nightly chunk has hundreds of
    subscriptions and a handful of plans.
    """
    in_force = list(
        SubscriptionPlanPeriod.objects.filter(
            subscription_id__any=list(subscription_ids), effective_from__lte=day
        )
        .order_by("subscription_id", "-effective_from")
        .distinct("subscription_id")
        .values_list("subscription_id", "plan_id")
    )
    plans = Plan.objects.in_bulk({plan_id for _, plan_id in in_force}) if in_force else {}
    if plans:
        prefetch_related_objects(
            list(plans.values()),
            Prefetch("quotas", queryset=PlanQuota.objects.select_related("item")),
        )
    return {subscription_id: plans[plan_id] for subscription_id, plan_id in in_force}


def pack_lots_on(*, subscription_ids: Iterable[int], day: date) -> dict[int, list[PackLot]]:
    """Each subscription's traffic packs in force on `day`, oldest first."""
    lots: dict[int, list[PackLot]] = defaultdict(list)
    packs = (
        TrafficPack.objects.filter(
            subscription_id__any=list(subscription_ids), start_date__lte=day, end_date__gte=day
        )
        .order_by("subscription_id", "start_date", "pk")
        .values_list("subscription_id", "pk", "item__code", "capacity")
    )
    for subscription_id, pack_id, item_code, capacity in packs:
        lots[subscription_id].append(
            PackLot(pack_id=pack_id, item_code=item_code, capacity=capacity)
        )
    return dict(lots)


def billing_run_open_account_ids(*, runs: Iterable[BillingRun]) -> dict[date, set[int]]:
    """Per day: accounts whose part of an unfinished run is not billed yet (in a pending chunk,
    or isolated after a failure). A finished run has none."""
    unfinished = [run for run in runs if run.status != RunStatus.DONE]
    open_accounts: dict[date, set[int]] = {run.day: set() for run in unfinished}
    day_of = {run.pk: run.day for run in unfinished}
    for run_id, account_ids in BillingChunk.objects.filter(
        run_id__in=list(day_of), status=ChunkStatus.PENDING
    ).values_list("run_id", "account_ids"):
        open_accounts[day_of[run_id]].update(account_ids)
    for run_id, account_id in BillingAccountFailure.objects.filter(
        run_id__in=list(day_of), resolved_at__isnull=True
    ).values_list("run_id", "account_id"):
        open_accounts[day_of[run_id]].add(account_id)
    return open_accounts


def day_is_billed(*, day: date) -> bool:
    return BillingRun.objects.filter(day=day).exists()


def billed_days(*, days: Iterable[date]) -> set[date]:
    return set(BillingRun.objects.filter(day__in=list(days)).values_list("day", flat=True))


@dataclass(frozen=True)
class SubscriptionView:
    subscription: Subscription
    status: str
    plan: Plan
    workspace_ids: list[int]
    pending_workspace_ids: list[int] | None
    pending_from: date | None
    packs: list[TrafficPack]

    @property
    def status_label(self) -> str:
        return str(SUBSCRIPTION_STATUS_LABELS.get(self.status, self.status))


def subscription_view(*, subscription: Subscription, today: date) -> SubscriptionView:
    """A subscription as the customer sees it today, with a pending binding change if any."""
    day = min(max(today, subscription.start_date), subscription.end_date)
    plan = plans_on(subscription_ids=[subscription.pk], day=day)[subscription.pk]
    current = bindings_on(subscription_ids=[subscription.pk], day=day).get(subscription.pk, [])
    later = (
        Binding.objects.filter(subscription=subscription, valid_from__gt=day)
        .exclude(valid_to=F("valid_from"))
        .order_by("valid_from", "priority", "pk")
    )
    pending_from = None
    pending: list[int] | None = None
    first_later = later.first()
    if first_later is not None:
        pending_from = first_later.valid_from
        pending = list(later.filter(valid_from=pending_from).values_list("workspace_id", flat=True))
    packs = list(subscription.traffic_packs.select_related("item").order_by("start_date", "pk"))
    return SubscriptionView(
        subscription=subscription,
        status=subscription_status(subscription=subscription, today=today),
        plan=plan,
        workspace_ids=current,
        pending_workspace_ids=pending,
        pending_from=pending_from,
        packs=packs,
    )


def daily_bill_list(
    *,
    account: Account,
    workspace_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[DailyBill]:
    bills = DailyBill.objects.filter(account=account)
    if workspace_id is not None:
        bills = bills.filter(workspace_id=workspace_id)
    if date_from is not None:
        bills = bills.filter(day__gte=date_from)
    if date_to is not None:
        bills = bills.filter(day__lte=date_to)
    # The id last: one bill per (workspace, day) already, but a cursor page needs it said.
    return bills.order_by("-day", "workspace_id", "pk").prefetch_related(
        Prefetch(
            "lines",
            queryset=DailyBillLine.objects.select_related("item").order_by(
                "item__display_order", "retention_days"
            ),
        ),
        Prefetch(
            "adjustments",
            queryset=BillAdjustment.objects.select_related("item").order_by("created_at", "pk"),
        ),
    )


def active_subscription_filter(day: date) -> Q:
    return Q(start_date__lte=day, end_date__gte=day)


def subscription_pools_by_day(
    *, subscription: Subscription, days: list[date]
) -> dict[tuple[date, str], int]:
    """Plan quota plus traffic capacity of each item on each day (plan history and packs)."""
    periods = list(
        SubscriptionPlanPeriod.objects.filter(subscription=subscription)
        .select_related("plan")
        .prefetch_related("plan__quotas__item")
        .order_by("effective_from")
    )
    packs = list(TrafficPack.objects.filter(subscription=subscription).select_related("item"))
    pools: dict[tuple[date, str], int] = defaultdict(int)
    for day in days:
        in_force = [period.plan for period in periods if period.effective_from <= day]
        if in_force:
            for quota in in_force[-1].quotas.all():
                pools[(day, quota.item.code)] += quota.daily_quantity
        for pack in packs:
            if pack.start_date <= day <= pack.end_date:
                pools[(day, pack.item.code)] += pack.capacity
    return pools


def subscription_daily_use(
    *, subscription: Subscription, first: date, last: date
) -> dict[tuple[date, str], tuple[int, int]]:
    """(converted use, PAYG quantity) of each item on each billed day of the subscription."""
    rows = (
        DailyBillLine.objects.filter(
            bill__subscription=subscription, bill__day__gte=first, bill__day__lte=last
        )
        .values("bill__day", "item__code")
        .annotate(converted=Sum("converted_quantity"), payg=Sum("payg_quantity"))
    )
    return {(row["bill__day"], row["item__code"]): (row["converted"], row["payg"]) for row in rows}


def spend_alert_list(*, account: Account):
    return (
        SpendAlert.objects.filter(account=account)
        .select_related("workspace", "item")
        .order_by("workspace_id", "item_id")
    )


# What a workspace used of an item and how it was covered, in this order (converted quantity,
# plan-covered, traffic-covered, PAYG quantity, PAYG amount): bill lines, then adjustment deltas.
LINE_USE_FIELDS = (
    "converted_quantity",
    "plan_covered",
    "traffic_covered",
    "payg_quantity",
    "amount",
)
ADJUSTMENT_USE_FIELDS = (
    "converted_delta",
    "plan_covered_delta",
    "traffic_covered_delta",
    "payg_quantity_delta",
    "amount",
)


def _use_sums(rows, fields: tuple[str, ...], day_filter: Q) -> QuerySet:
    sums = {f"all_{index}": Sum(name) for index, name in enumerate(fields)}
    sums |= {f"day_{index}": Sum(name, filter=day_filter) for index, name in enumerate(fields)}
    return rows.values("bill__workspace_id", "item__code").order_by().annotate(**sums)


def subscription_billed_use_by_workspace(
    *, subscription: Subscription, first: date, last: date, day: date
) -> dict[tuple[int, str], tuple[list, list]]:
    """Per (workspace, item code): ([figures of `day`], [figures of first … last]) from the
    subscription's bills of those days, their lines plus the adjustments of an item (late usage
    moves coverage between workspaces, SPEC 6.2). Figures as in LINE_USE_FIELDS."""
    lines = DailyBillLine.objects.filter(
        bill__subscription=subscription, bill__day__gte=first, bill__day__lte=last
    )
    changes = BillAdjustment.objects.filter(
        bill__subscription=subscription, day__gte=first, day__lte=last, item__isnull=False
    )
    figures: dict[tuple[int, str], tuple[list, list]] = {}
    for rows, fields, on_day in (
        (lines, LINE_USE_FIELDS, Q(bill__day=day)),
        (changes, ADJUSTMENT_USE_FIELDS, Q(day=day)),
    ):
        for row in _use_sums(rows, fields, on_day):
            key = (row["bill__workspace_id"], row["item__code"])
            on_the_day, in_all = figures.setdefault(key, ([0] * 5, [0] * 5))
            for index in range(5):
                on_the_day[index] += row[f"day_{index}"] or 0
                in_all[index] += row[f"all_{index}"] or 0
    return figures
