"""Subscriptions: create, add traffic packs, change the plan, renew, bind workspaces.

The orders app calls these when an order is paid; Django admin calls them for operators.
Lock order: subscription row, then workspace rows by pk.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from common.dates import ONE_DAY
from common.exceptions import Conflict, InvalidInput
from packages.models import Plan, TrafficPackSpec
from packages.pricing import traffic_pack_daily_price
from packages.selectors import traffic_discount_tier_list, traffic_pack_spec_list
from packages.vocabulary import item_display_name
from quota.models import BillingRun, Binding, Subscription, SubscriptionPlanPeriod, TrafficPack
from quota.selectors import bindings_on, plans_on
from workspaces.models import Account, Workspace, WorkspacePlan


@dataclass(frozen=True)
class PackRequest:
    item_code: str
    capacity: int


def _refuse_billed_day(day: date, what: str) -> None:
    if BillingRun.objects.filter(day=day).exists():
        raise Conflict(
            _("%(day)s is already billed; %(what)s cannot take effect on it.")
            % {"day": day, "what": what},
            code="day_billed",
        )


def validate_workspace_ids(*, account: Account, workspace_ids: Sequence[int]) -> list[Workspace]:
    """The workspaces to bind, in the given order: the account's own, commercial, each once."""
    if not workspace_ids:
        raise InvalidInput(
            _("Choose at least one workspace."), field="workspaces", code="no_workspaces"
        )
    if len(set(workspace_ids)) != len(workspace_ids):
        raise InvalidInput(
            _("A workspace can appear only once in the priority order."),
            field="workspaces",
            code="duplicate_workspace",
        )
    found = {
        workspace.pk: workspace
        for workspace in Workspace.objects.filter(account=account, pk__in=workspace_ids)
    }
    missing = [str(workspace_id) for workspace_id in workspace_ids if workspace_id not in found]
    if missing:
        raise InvalidInput(
            _("No such workspace in this account: %(ids)s.") % {"ids": ", ".join(missing)},
            field="workspaces",
            code="not_found",
        )
    free = [
        found[workspace_id].name
        for workspace_id in workspace_ids
        if found[workspace_id].plan != WorkspacePlan.COMMERCIAL
    ]
    if free:
        raise InvalidInput(
            _("Upgrade to the commercial plan first: %(names)s.") % {"names": ", ".join(free)},
            field="workspaces",
            code="workspace_not_commercial",
        )
    return [found[workspace_id] for workspace_id in workspace_ids]


def _lock_workspaces(workspace_ids: Sequence[int]) -> None:
    list(
        Workspace.objects.select_for_update()
        .filter(pk__in=list(workspace_ids))
        .order_by("pk")
        .values_list("pk")
    )


def refuse_bound_elsewhere(
    *,
    workspaces: Sequence[Workspace],
    valid_from: date,
    valid_to: date,
    subscription_id: int | None,
) -> None:
    """Under the workspace locks: none of them may be bound to another subscription then."""
    clash = (
        Binding.objects.filter(
            workspace__in=workspaces, valid_from__lt=valid_to, valid_to__gt=valid_from
        )
        .exclude(valid_to=F("valid_from"))
        .exclude(subscription_id=subscription_id)
        .select_related("workspace")
        .order_by("workspace_id")
        .first()
    )
    if clash is not None:
        raise Conflict(
            _("Workspace %(name)s is already bound to subscription #%(id)s until %(day)s.")
            % {
                "name": clash.workspace.name,
                "id": clash.subscription_id,
                "day": clash.valid_to - ONE_DAY,
            },
            field="workspaces",
            code="workspace_bound_elsewhere",
        )


def _bind(
    *, subscription: Subscription, workspaces: Sequence[Workspace], valid_from: date, actor
) -> None:
    try:
        with transaction.atomic():
            Binding.objects.bulk_create(
                Binding(
                    subscription=subscription,
                    workspace=workspace,
                    priority=priority,
                    valid_from=valid_from,
                    valid_to=subscription.end_date + ONE_DAY,
                    created_by=actor,
                )
                for priority, workspace in enumerate(workspaces, start=1)
            )
    except IntegrityError:  # the exclusion constraint: bound elsewhere by a concurrent request
        raise Conflict(
            _("A workspace was just bound to another subscription; reload and try again."),
            code="concurrent_change",
        ) from None


def traffic_packs_price(packs: Sequence[PackRequest]) -> list[tuple[TrafficPackSpec, int, Decimal]]:
    """(spec, capacity, daily price) of each pack; refuses an unsold item or a bad capacity."""
    specs = {spec.item.code: spec for spec in traffic_pack_spec_list()}
    tiers = traffic_discount_tier_list()
    priced = []
    for index, pack in enumerate(packs):
        spec = specs.get(pack.item_code)
        if spec is None:
            raise InvalidInput(
                _("Pack %(number)s: no traffic pack is sold for %(item)s.")
                % {"number": index + 1, "item": item_display_name(pack.item_code)},
                field="traffic_packs",
                code="unknown_item",
            )
        try:
            daily_price = traffic_pack_daily_price(spec=spec, capacity=pack.capacity, tiers=tiers)
        except InvalidInput as error:
            raise InvalidInput(
                _("Pack %(number)s: %(message)s") % {"number": index + 1, "message": error.message},
                field="traffic_packs",
                code=error.code,
            ) from None
        priced.append((spec, pack.capacity, daily_price))
    return priced


def _create_packs(*, subscription: Subscription, priced, start_date: date) -> list[TrafficPack]:
    return TrafficPack.objects.bulk_create(
        TrafficPack(
            subscription=subscription,
            item=spec.item,
            capacity=capacity,
            daily_price=daily_price,
            start_date=start_date,
            end_date=subscription.end_date,
        )
        for spec, capacity, daily_price in priced
    )


def subscription_create(
    *,
    account: Account,
    plan: Plan,
    start_date: date,
    workspace_ids: Sequence[int],
    traffic_packs: Sequence[PackRequest] = (),
    actor=None,
    renewal_of: Subscription | None = None,
) -> Subscription:
    """A plan package for the account from start_date, bound to the workspaces in this order."""
    workspaces = validate_workspace_ids(account=account, workspace_ids=workspace_ids)
    priced = traffic_packs_price(traffic_packs)  # validate before any write
    end_date = start_date + timedelta(days=plan.term_days - 1)
    with transaction.atomic():
        _refuse_billed_day(start_date, _("a new package"))
        _lock_workspaces([workspace.pk for workspace in workspaces])
        refuse_bound_elsewhere(
            workspaces=workspaces,
            valid_from=start_date,
            valid_to=end_date + ONE_DAY,
            subscription_id=None,
        )
        subscription = Subscription.objects.create(
            account=account,
            start_date=start_date,
            end_date=end_date,
            renewal_of=renewal_of,
            created_by=actor,
        )
        SubscriptionPlanPeriod.objects.create(
            subscription=subscription, plan=plan, effective_from=start_date
        )
        _bind(subscription=subscription, workspaces=workspaces, valid_from=start_date, actor=actor)
        _create_packs(subscription=subscription, priced=priced, start_date=start_date)
    return subscription


def _refuse_inactive(subscription: Subscription, day: date) -> None:
    if day > subscription.end_date:
        raise Conflict(
            _("Subscription #%(id)s ended on %(day)s.")
            % {"id": subscription.pk, "day": subscription.end_date},
            code="subscription_expired",
        )
    if day < subscription.start_date:
        raise Conflict(
            _("Subscription #%(id)s starts on %(day)s.")
            % {"id": subscription.pk, "day": subscription.start_date},
            code="subscription_not_started",
        )


def subscription_add_traffic_packs(
    *, subscription: Subscription, traffic_packs: Sequence[PackRequest], start_date: date
) -> list[TrafficPack]:
    """Stack traffic packs on an active subscription, from start_date to its end date."""
    if not traffic_packs:
        raise InvalidInput(
            _("Add at least one traffic pack."), field="traffic_packs", code="no_traffic_packs"
        )
    _refuse_inactive(subscription, start_date)
    priced = traffic_packs_price(traffic_packs)
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        _refuse_billed_day(start_date, _("a traffic pack"))
        return _create_packs(subscription=subscription, priced=priced, start_date=start_date)


def subscription_plan_on(*, subscription: Subscription, day: date) -> Plan:
    return plans_on(subscription_ids=[subscription.pk], day=day)[subscription.pk]


def plan_refuse_non_upgrade(*, current: Plan, plan: Plan) -> None:
    """A subscription only moves to a dearer plan (SPEC 1.5)."""
    if plan.pk == current.pk:
        raise InvalidInput(
            _("The subscription is already on %(plan)s.") % {"plan": plan.display_name},
            field="plan",
            code="not_an_upgrade",
        )
    if plan.price <= current.price:
        raise InvalidInput(
            _("A plan can only be upgraded: %(new)s is not dearer than %(old)s.")
            % {"new": plan.display_name, "old": current.display_name},
            field="plan",
            code="not_an_upgrade",
        )


def subscription_renewal(*, subscription: Subscription) -> Subscription | None:
    """The renewal bought for this subscription, if any (it starts the day after its end)."""
    return Subscription.objects.filter(renewal_of=subscription).first()


def renewal_upgrade_price(*, renewal: Subscription, plan: Plan) -> Decimal:
    """What moving a renewal that has not started to `plan` costs: the whole price difference
    (its whole term is still ahead), nothing when it already has that plan or a dearer one."""
    current = subscription_plan_on(subscription=renewal, day=renewal.start_date)
    return max(plan.price - current.price, Decimal("0.00"))


def subscription_change_plan(
    *, subscription: Subscription, plan: Plan, effective_from: date
) -> SubscriptionPlanPeriod:
    """Move to a dearer plan from effective_from on; the end date stays (SPEC 1.5).

    A renewal bought before the upgrade starts with what is in force on the last day, so it
    moves to the new plan too (the upgrade's quote charges it).
    """
    _refuse_inactive(subscription, effective_from)
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        _refuse_billed_day(effective_from, _("a plan change"))
        current = subscription_plan_on(subscription=subscription, day=effective_from)
        plan_refuse_non_upgrade(current=current, plan=plan)
        period, _created = SubscriptionPlanPeriod.objects.update_or_create(
            subscription=subscription, effective_from=effective_from, defaults={"plan": plan}
        )
        renewal = subscription_renewal(subscription=subscription)
        if renewal is not None and renewal_upgrade_price(renewal=renewal, plan=plan) > 0:
            SubscriptionPlanPeriod.objects.update_or_create(
                subscription=renewal, effective_from=renewal.start_date, defaults={"plan": plan}
            )
    return period


def subscription_renew(*, subscription: Subscription, today: date, actor=None) -> Subscription:
    """The same plan for the same workspaces, from the day after the current end date."""
    if today > subscription.end_date:
        raise Conflict(
            _("Subscription #%(id)s has expired; buy a new package instead.")
            % {"id": subscription.pk},
            code="subscription_expired",
        )
    if Subscription.objects.filter(renewal_of=subscription).exists():
        raise Conflict(
            _("Subscription #%(id)s is already renewed.") % {"id": subscription.pk},
            code="already_renewed",
        )
    plan = subscription_plan_on(subscription=subscription, day=subscription.end_date)
    workspace_ids = bindings_on(subscription_ids=[subscription.pk], day=subscription.end_date).get(
        subscription.pk, []
    )
    try:
        with transaction.atomic():
            return subscription_create(
                account=subscription.account,
                plan=plan,
                start_date=subscription.end_date + ONE_DAY,
                workspace_ids=workspace_ids,
                actor=actor,
                renewal_of=subscription,
            )
    except IntegrityError:  # one renewal per subscription (OneToOne)
        raise Conflict(
            _("Subscription #%(id)s is already renewed.") % {"id": subscription.pk},
            code="already_renewed",
        ) from None


def subscription_set_workspaces(
    *, subscription: Subscription, workspace_ids: Sequence[int], today: date, actor=None
) -> date:
    """Reorder, add or remove workspaces from the next billing day on; returns that day.

    A renewal bought before the change starts with the new order too (what is in force on the
    current subscription's last day).
    """
    effective_from = max(today + ONE_DAY, subscription.start_date)
    if effective_from > subscription.end_date:
        raise Conflict(
            _("Subscription #%(id)s ends on %(day)s; a change could never apply.")
            % {"id": subscription.pk, "day": subscription.end_date},
            code="change_never_applies",
        )
    workspaces = validate_workspace_ids(account=subscription.account, workspace_ids=workspace_ids)
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        _refuse_billed_day(effective_from, _("a binding change"))
        later = Binding.objects.filter(
            subscription=subscription, valid_to__gt=effective_from
        ).exclude(valid_to=F("valid_from"))
        affected = set(later.values_list("workspace_id", flat=True)) | {
            workspace.pk for workspace in workspaces
        }
        _lock_workspaces(sorted(affected))
        refuse_bound_elsewhere(
            workspaces=workspaces,
            valid_from=effective_from,
            valid_to=subscription.end_date + ONE_DAY,
            subscription_id=subscription.pk,
        )
        # Rows in force on effective_from end there; rows not yet in force are retired (empty).
        later.filter(valid_from__lt=effective_from).update(valid_to=effective_from)
        later.filter(valid_from__gte=effective_from).update(valid_to=F("valid_from"))
        _bind(
            subscription=subscription, workspaces=workspaces, valid_from=effective_from, actor=actor
        )
        renewal = subscription_renewal(subscription=subscription)
        if renewal is not None:
            subscription_set_workspaces(
                subscription=renewal, workspace_ids=workspace_ids, today=today, actor=actor
            )
    return effective_from
