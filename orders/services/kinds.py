"""One handler per kind of order: how it is quoted and what it delivers once paid.

`order_quote` prices any order through its kind's handler; `order_place` (checkout.py) moves
the money and then calls the same handler's `deliver`, inside one transaction.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from django.utils.translation import gettext as _

from common.dates import ONE_DAY, days_between
from common.exceptions import Conflict, InvalidInput
from common.money import ZERO, round_money
from orders.line_texts import line_text, plan_ref
from orders.models import Order, OrderKind, OrderLine
from orders.requests import OrderRequest
from orders.services.quoting import Quote, QuoteLine, pack_lines, quote_total
from packages.models import Plan
from packages.selectors import plan_get, voucher_grant_tier_for_card
from quota.models import Subscription
from quota.selectors import subscription_get, subscription_status
from quota.services import (
    subscription_add_traffic_packs,
    subscription_change_plan,
    subscription_create,
    subscription_renew,
)
from quota.services.subscriptions import (
    plan_refuse_non_upgrade,
    refuse_bound_elsewhere,
    renewal_upgrade_price,
    subscription_plan_on,
    subscription_renewal,
    validate_workspace_ids,
)
from wallet.models import PrepaidCard, Voucher, Wallet
from wallet.services.instruments import PREPAID_CARD_STEP, prepaid_card_issue, voucher_issue
from workspaces.models import Account

# A prepaid card bought on the portal is valid this long (SPEC 4.3: one year by default).
PURCHASED_CARD_VALID_DAYS = 365


@dataclass(frozen=True)
class Delivery:
    """What a paid order hands over, inside the checkout's transaction."""

    quote: Quote
    account: Account
    order: Order
    wallet: Wallet
    actor: object
    now: datetime
    today: date


def _plan_for_sale(code: str) -> Plan:
    plan = plan_get(code=code)
    if not plan.is_active:
        raise InvalidInput(
            _("%(plan)s is no longer sold.") % {"plan": plan.display_name},
            field="plan",
            code="plan_not_sold",
        )
    return plan


def _subscription_in_force(
    *, account: Account, request: OrderRequest, today: date, started: bool
) -> Subscription:
    """The request's subscription, not ended; with `started`, also begun."""
    subscription = subscription_get(account=account, subscription_id=request.subscription_id)
    status = subscription_status(subscription=subscription, today=today)
    if status == "expired":
        raise Conflict(
            _("Subscription #%(id)s ended on %(day)s.")
            % {"id": subscription.pk, "day": subscription.end_date},
            code="subscription_expired",
        )
    if started and status != "active":
        raise Conflict(
            _("Subscription #%(id)s starts on %(day)s.")
            % {"id": subscription.pk, "day": subscription.start_date},
            code="subscription_not_started",
        )
    return subscription


class NewPackage:
    def quote(self, *, account: Account, request: OrderRequest, today: date) -> Quote:
        plan = _plan_for_sale(request.plan_code)
        workspaces = validate_workspace_ids(account=account, workspace_ids=request.workspace_ids)
        end = today + timedelta(days=plan.term_days - 1)
        refuse_bound_elsewhere(
            workspaces=workspaces, valid_from=today, valid_to=end + ONE_DAY, subscription_id=None
        )
        packs = list(request.traffic_packs)
        lines = [
            QuoteLine.saying(
                line_text("plan_term", plan=plan_ref(plan), start=today, end=end),
                1,
                plan.price,
                plan.price,
            )
        ]
        lines += pack_lines(packs, plan.term_days)
        return Quote(
            request.kind,
            lines,
            quote_total(lines),
            plan=plan,
            workspace_ids=list(request.workspace_ids),
            packs=packs,
        )

    def deliver(self, delivery: Delivery) -> Subscription:
        return subscription_create(
            account=delivery.account,
            plan=delivery.quote.plan,
            start_date=delivery.today,
            workspace_ids=delivery.quote.workspace_ids,
            traffic_packs=delivery.quote.packs,
            actor=delivery.actor,
        )


class TrafficPacks:
    def quote(self, *, account: Account, request: OrderRequest, today: date) -> Quote:
        subscription = _subscription_in_force(
            account=account, request=request, today=today, started=True
        )
        packs = list(request.traffic_packs)
        if not packs:
            raise InvalidInput(
                _("Add at least one traffic pack."), field="traffic_packs", code="no_traffic_packs"
            )
        lines = pack_lines(packs, days_between(today, subscription.end_date))
        return Quote(
            request.kind, lines, quote_total(lines), subscription=subscription, packs=packs
        )

    def deliver(self, delivery: Delivery) -> Subscription:
        subscription = delivery.quote.subscription
        subscription_add_traffic_packs(
            subscription=subscription, traffic_packs=delivery.quote.packs, start_date=delivery.today
        )
        return subscription


class Upgrade:
    def quote(self, *, account: Account, request: OrderRequest, today: date) -> Quote:
        subscription = _subscription_in_force(
            account=account, request=request, today=today, started=True
        )
        plan = _plan_for_sale(request.plan_code)
        current = subscription_plan_on(subscription=subscription, day=today)
        plan_refuse_non_upgrade(current=current, plan=plan)
        remaining = days_between(today, subscription.end_date)
        term = days_between(subscription.start_date, subscription.end_date)
        amount = round_money((plan.price - current.price) * remaining / term)
        lines = [
            QuoteLine.saying(
                line_text(
                    "plan_upgrade",
                    old=plan_ref(current),
                    new=plan_ref(plan),
                    remaining=remaining,
                    term=term,
                ),
                remaining,
                plan.price - current.price,
                amount,
            )
        ]
        renewal = subscription_renewal(subscription=subscription)
        if renewal is not None:  # it starts with the plan in force on the last day
            difference = renewal_upgrade_price(renewal=renewal, plan=plan)
            if difference > 0:
                lines.append(
                    QuoteLine.saying(
                        line_text(
                            "renewal_upgrade",
                            id=renewal.pk,
                            plan=plan_ref(plan),
                            start=renewal.start_date,
                            end=renewal.end_date,
                        ),
                        1,
                        difference,
                        difference,
                    )
                )
        return Quote(request.kind, lines, quote_total(lines), plan=plan, subscription=subscription)

    def deliver(self, delivery: Delivery) -> Subscription:
        subscription = delivery.quote.subscription
        subscription_change_plan(
            subscription=subscription, plan=delivery.quote.plan, effective_from=delivery.today
        )
        return subscription


class Renewal:
    def quote(self, *, account: Account, request: OrderRequest, today: date) -> Quote:
        subscription = _subscription_in_force(
            account=account, request=request, today=today, started=False
        )
        if Subscription.objects.filter(renewal_of=subscription).exists():
            raise Conflict(
                _("Subscription #%(id)s is already renewed.") % {"id": subscription.pk},
                code="already_renewed",
            )
        plan = subscription_plan_on(subscription=subscription, day=subscription.end_date)
        start = subscription.end_date + ONE_DAY
        line = QuoteLine.saying(
            line_text(
                "renewal",
                plan=plan_ref(plan),
                start=start,
                end=start + timedelta(days=plan.term_days - 1),
            ),
            1,
            plan.price,
            plan.price,
        )
        return Quote(request.kind, [line], plan.price, plan=plan, subscription=subscription)

    def deliver(self, delivery: Delivery) -> Subscription:
        return subscription_renew(
            subscription=delivery.quote.subscription, today=delivery.today, actor=delivery.actor
        )


class PrepaidCardPurchase:
    def quote(self, *, account: Account, request: OrderRequest, today: date) -> Quote:
        face_value = request.face_value
        if face_value % PREPAID_CARD_STEP:
            raise InvalidInput(
                _("A prepaid card's value is a multiple of ¥100."),
                field="face_value",
                code="invalid_face_value",
            )
        lines = [
            QuoteLine.saying(
                line_text("prepaid_card", value=f"{face_value:,.2f}"),
                1,
                face_value,
                face_value,
            )
        ]
        tier = voucher_grant_tier_for_card(face_value=face_value)
        if tier is not None:
            lines.append(
                QuoteLine.saying(
                    line_text("card_voucher", amount=f"{tier.voucher_amount:,.2f}"),
                    1,
                    ZERO,
                    ZERO,
                )
            )
        return Quote(request.kind, lines, face_value, face_value=face_value)

    def deliver(self, delivery: Delivery) -> None:
        """The card (it pays the debt first), its full-reduction voucher, and a line naming it."""
        face_value, order = delivery.quote.face_value, delivery.order
        card = prepaid_card_issue(
            account_id=delivery.account.pk,
            amount=face_value,
            valid_days=PURCHASED_CARD_VALID_DAYS,
            actor=delivery.actor,
            now=delivery.now,
            source=PrepaidCard.Source.PURCHASE,
            order=order,
            wallet=delivery.wallet,
        )
        tier = voucher_grant_tier_for_card(face_value=face_value)
        if tier is not None:
            voucher_issue(
                account_id=delivery.account.pk,
                amount=tier.voucher_amount,
                kind=Voucher.Kind.FULL_REDUCTION,
                valid_days=tier.voucher_valid_days,
                actor=delivery.actor,
                now=delivery.now,
                granted_by=order,
            )
        card_text = line_text("card_number", number=card.number)
        OrderLine.objects.create(
            order=order,
            position=len(delivery.quote.lines),
            description=card_text.render(),
            text=card_text.as_dict(),
            quantity=1,
            unit_price=ZERO,
            amount=ZERO,
        )
        return None


# What an operator may grant: each is quoted and delivered by its own kind's handler
GRANTABLE_KINDS = (
    OrderKind.NEW_PACKAGE,
    OrderKind.TRAFFIC_PACKS,
    OrderKind.UPGRADE,
    OrderKind.RENEWAL,
)


class Grant:
    """An operator's grant of another kind: quoted by that kind's rules at its list price, one
    more line takes the difference to the grant's price off (with the reason), and that kind
    delivers it."""

    def quote(self, *, account: Account, request: OrderRequest, today: date) -> Quote:
        if request.granted_kind not in GRANTABLE_KINDS:
            raise InvalidInput(_("Choose what to grant."), field="kind", code="unknown_kind")
        granted = HANDLERS[request.granted_kind].quote(
            account=account, request=replace(request, kind=request.granted_kind), today=today
        )
        price = request.grant_price
        if price is None or not ZERO <= price <= granted.total:
            raise InvalidInput(
                _("A grant costs from ¥0.00 up to its list price (%(total)s).")
                % {"total": f"¥{granted.total:,.2f}"},
                field="price",
                code="grant_price_out_of_range",
            )
        given = price - granted.total
        text = line_text("grant", reason=request.grant_reason)
        lines = [*granted.lines, QuoteLine.saying(text, 1, given, given)]
        return replace(granted, kind=OrderKind.GRANT, lines=lines, total=quote_total(lines))

    def deliver(self, delivery: Delivery) -> Subscription | None:
        return HANDLERS[delivery.order.request["grant"]["kind"]].deliver(delivery)


HANDLERS = {
    OrderKind.NEW_PACKAGE: NewPackage(),
    OrderKind.TRAFFIC_PACKS: TrafficPacks(),
    OrderKind.UPGRADE: Upgrade(),
    OrderKind.RENEWAL: Renewal(),
    OrderKind.PREPAID_CARD: PrepaidCardPurchase(),
    OrderKind.GRANT: Grant(),
}


def order_quote(*, account: Account, request: OrderRequest, today: date) -> Quote:
    """Price an order without writing anything; the same computation charges it."""
    return HANDLERS[request.kind].quote(account=account, request=request, today=today)
