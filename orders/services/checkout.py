"""Orders: the quote (SPEC 1.3-1.5, 4.1) and paying it (SPEC 4.2), in one transaction.

The quote that the customer sees and the total that is charged come from `order_quote`.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from common.api import parse_id
from common.dates import ONE_DAY, billing_day, days_between
from common.exceptions import Conflict, InvalidInput, NotFound
from common.money import MAX_AMOUNT, ZERO, format_cny, parse_amount, round_money
from orders.models import Order, OrderKind, OrderLine
from packages.models import Plan
from packages.selectors import (
    plan_get,
    voucher_grant_tier_for_card,
)
from quota.models import Subscription
from quota.selectors import subscription_get, subscription_status
from quota.services import (
    PackRequest,
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
    traffic_packs_price,
    validate_workspace_ids,
)
from wallet.models import EntryKind, LedgerEntry, PrepaidCard, Voucher, Wallet
from wallet.services.balances import cash_debit, instrument_debit, wallet_lock
from wallet.services.instruments import prepaid_card_issue, usable, voucher_issue
from workspaces.models import Account, Membership
from workspaces.selectors import membership_require_owner

MAX_PACKS = 20


@dataclass(frozen=True)
class QuoteLine:
    description: str
    quantity: int
    unit_price: Decimal
    amount: Decimal
    # A traffic pack's line names its pack, so that a page can show each pack's daily price.
    item_code: str | None = None
    capacity: int | None = None

    def as_dict(self) -> dict:
        line = {
            "description": self.description,
            "quantity": self.quantity,
            "unit_price": f"{self.unit_price:.2f}",
            "amount": f"{self.amount:.2f}",
        }
        if self.item_code is not None:
            line["item"] = self.item_code
            line["capacity"] = self.capacity
        return line


@dataclass
class Quote:
    kind: str
    lines: list[QuoteLine]
    total: Decimal
    plan: Plan | None = None
    subscription: Subscription | None = None
    workspace_ids: list[int] = field(default_factory=list)
    packs: list[PackRequest] = field(default_factory=list)
    face_value: Decimal | None = None

    @property
    def vouchers_allowed(self) -> bool:
        return self.kind != OrderKind.PREPAID_CARD

    @property
    def cards_allowed(self) -> bool:
        return self.kind != OrderKind.PREPAID_CARD


def _packs(raw) -> list[PackRequest]:
    if raw in (None, ""):
        return []
    if not isinstance(raw, list) or len(raw) > MAX_PACKS:
        raise InvalidInput(
            _("traffic_packs is a list of at most %(count)s packs.") % {"count": MAX_PACKS},
            field="traffic_packs",
        )
    packs = []
    for index, pack in enumerate(raw):
        if not isinstance(pack, dict) or not isinstance(pack.get("item"), str):
            raise InvalidInput(
                _("Pack %(number)s: give an item and a capacity.") % {"number": index + 1},
                field="traffic_packs",
            )
        capacity = pack.get("capacity")
        if isinstance(capacity, bool) or not isinstance(capacity, int) or not 0 < capacity < 2**62:
            raise InvalidInput(
                _("Pack %(number)s: the capacity is a positive whole number.")
                % {"number": index + 1},
                field="traffic_packs",
            )
        packs.append(PackRequest(item_code=pack["item"], capacity=capacity))
    return packs


def _pack_lines(packs: list[PackRequest], days: int) -> list[QuoteLine]:
    return [
        QuoteLine(
            description=f"Traffic pack {spec.item.name} {capacity:,}/day × {days} days",
            quantity=days,
            unit_price=daily,
            amount=round_money(daily * days),
            item_code=spec.item.code,
            capacity=capacity,
        )
        for spec, capacity, daily in traffic_packs_price(packs)
    ]


def _plan(code) -> Plan:
    if not isinstance(code, str) or not code:
        raise InvalidInput(_("Choose a plan."), field="plan", code="no_plan")
    plan = plan_get(code=code)
    if not plan.is_active:
        raise InvalidInput(
            _("%(plan)s is no longer sold.") % {"plan": plan.name},
            field="plan",
            code="plan_not_sold",
        )
    return plan


def _subscription(account: Account, raw) -> Subscription:
    if raw is None:
        raise InvalidInput(_("Name the subscription."), field="subscription")
    if parse_id(raw) is None or isinstance(raw, bool):
        raise InvalidInput(_("A subscription id is a positive whole number."), field="subscription")
    return subscription_get(account=account, subscription_id=raw)


def _workspace_ids(raw) -> list[int]:
    if not isinstance(raw, list) or not raw:
        raise InvalidInput(
            _("Choose the workspaces, in priority order."), field="workspaces", code="no_workspaces"
        )
    ids = [
        parse_id(value) if not isinstance(value, bool) and isinstance(value, int) else None
        for value in raw
    ]
    if None in ids:
        raise InvalidInput(_("Workspace ids are positive whole numbers."), field="workspaces")
    return ids


def order_quote(*, account: Account, data: dict, today: date) -> Quote:
    """Price an order without writing anything; the same computation charges it."""
    if not isinstance(data, dict):
        raise InvalidInput(_("Send an order object."), field="detail")
    kind = data.get("kind")
    if kind not in OrderKind.values:
        raise InvalidInput(
            _("kind is one of %(kinds)s.") % {"kinds": ", ".join(OrderKind.values)}, field="kind"
        )

    if kind == OrderKind.NEW_PACKAGE:
        plan = _plan(data.get("plan"))
        workspace_ids = _workspace_ids(data.get("workspaces"))
        workspaces = validate_workspace_ids(account=account, workspace_ids=workspace_ids)
        end = today + timedelta(days=plan.term_days - 1)
        refuse_bound_elsewhere(
            workspaces=workspaces, valid_from=today, valid_to=end + ONE_DAY, subscription_id=None
        )
        packs = _packs(data.get("traffic_packs"))
        lines = [QuoteLine(f"{plan.name}, {today} → {end}", 1, plan.price, plan.price)]
        lines += _pack_lines(packs, plan.term_days)
        return Quote(
            kind, lines, _total(lines), plan=plan, workspace_ids=workspace_ids, packs=packs
        )

    if kind == OrderKind.PREPAID_CARD:
        face_value = parse_amount(data.get("face_value"), field="face_value")
        if face_value % 100:
            raise InvalidInput(
                _("A prepaid card's value is a multiple of ¥100."),
                field="face_value",
                code="invalid_face_value",
            )
        lines = [QuoteLine(f"Prepaid card {face_value:,.2f}", 1, face_value, face_value)]
        tier = voucher_grant_tier_for_card(face_value=face_value)
        if tier is not None:
            lines.append(
                QuoteLine(
                    f"Full-reduction voucher {tier.voucher_amount:,.2f} included", 1, ZERO, ZERO
                )
            )
        return Quote(kind, lines, face_value, face_value=face_value)

    subscription = _subscription(account, data.get("subscription"))
    status = subscription_status(subscription=subscription, today=today)
    if status == "expired":
        raise Conflict(
            _("Subscription #%(id)s ended on %(day)s.")
            % {"id": subscription.pk, "day": subscription.end_date},
            code="subscription_expired",
        )

    if kind == OrderKind.TRAFFIC_PACKS:
        if status != "active":
            raise Conflict(
                _("Subscription #%(id)s starts on %(day)s.")
                % {"id": subscription.pk, "day": subscription.start_date},
                code="subscription_not_started",
            )
        packs = _packs(data.get("traffic_packs"))
        if not packs:
            raise InvalidInput(
                _("Add at least one traffic pack."), field="traffic_packs", code="no_traffic_packs"
            )
        lines = _pack_lines(packs, days_between(today, subscription.end_date))
        return Quote(kind, lines, _total(lines), subscription=subscription, packs=packs)

    if kind == OrderKind.UPGRADE:
        if status != "active":
            raise Conflict(
                _("Subscription #%(id)s starts on %(day)s.")
                % {"id": subscription.pk, "day": subscription.start_date},
                code="subscription_not_started",
            )
        plan = _plan(data.get("plan"))
        current = subscription_plan_on(subscription=subscription, day=today)
        plan_refuse_non_upgrade(current=current, plan=plan)
        remaining = days_between(today, subscription.end_date)
        term = days_between(subscription.start_date, subscription.end_date)
        amount = round_money((plan.price - current.price) * remaining / term)
        lines = [
            QuoteLine(
                f"Upgrade {current.name} → {plan.name}, {remaining} of {term} days",
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
                    QuoteLine(
                        f"Upgrade of the renewal #{renewal.pk} → {plan.name}, "
                        f"{renewal.start_date} → {renewal.end_date}",
                        1,
                        difference,
                        difference,
                    )
                )
        return Quote(kind, lines, _total(lines), plan=plan, subscription=subscription)

    # renewal
    if Subscription.objects.filter(renewal_of=subscription).exists():
        raise Conflict(
            _("Subscription #%(id)s is already renewed.") % {"id": subscription.pk},
            code="already_renewed",
        )
    plan = subscription_plan_on(subscription=subscription, day=subscription.end_date)
    start = subscription.end_date + ONE_DAY
    line = QuoteLine(
        f"Renewal: {plan.name}, {start} → {start + timedelta(days=plan.term_days - 1)}",
        1,
        plan.price,
        plan.price,
    )
    return Quote(kind, [line], plan.price, plan=plan, subscription=subscription)


def _total(lines: list[QuoteLine]) -> Decimal:
    """The order total; one that no order can hold (above MAX_AMOUNT) is bad input, not a 500."""
    total = sum((line.amount for line in lines), ZERO)
    if total > MAX_AMOUNT:
        raise InvalidInput(
            _("This order would cost %(total)s, more than one order can hold (%(maximum)s).")
            % {"total": format_cny(total), "maximum": format_cny(MAX_AMOUNT)},
            field="traffic_packs",
            code="amount_too_large",
        )
    return total


@dataclass
class PaymentPlan:
    cash: Decimal
    cards: list[tuple[PrepaidCard, Decimal]]
    vouchers: list[tuple[Voucher, Decimal]]

    def as_dict(self) -> dict:
        return {
            "cash": f"{self.cash:.2f}",
            "prepaid_cards": [
                {"id": card.pk, "amount": f"{amount:.2f}"} for card, amount in self.cards
            ],
            "vouchers": [
                {"id": voucher.pk, "amount": f"{amount:.2f}"} for voucher, amount in self.vouchers
            ],
        }


def suggest_payment(*, account: Account, quote: Quote, now: datetime) -> dict:
    """Vouchers with the earliest expiry first, then prepaid cards the same way, then cash."""
    remaining = quote.total
    vouchers, cards = [], []
    if quote.vouchers_allowed:
        for voucher in usable(Voucher.objects.filter(account=account), now=now).order_by(
            "expires_at", "pk"
        ):
            part = min(voucher.balance, remaining)
            if part > 0:
                vouchers.append((voucher, part))
                remaining -= part
    if quote.cards_allowed:
        for card in usable(PrepaidCard.objects.filter(account=account), now=now).order_by(
            "expires_at", "pk"
        ):
            part = min(card.balance, remaining)
            if part > 0:
                cards.append((card, part))
                remaining -= part
    return PaymentPlan(cash=remaining, cards=cards, vouchers=vouchers).as_dict()


def _parts(raw, field: str) -> list[tuple[int, Decimal]]:
    if raw in (None, ""):
        return []
    if not isinstance(raw, list) or len(raw) > 50:
        raise InvalidInput(_("A list of {id, amount}."), field=f"payment.{field}")
    parts = []
    for index, part in enumerate(raw):
        if not isinstance(part, dict):
            raise InvalidInput(
                _("Part %(number)s: give an id and an amount.") % {"number": index + 1},
                field=f"payment.{field}",
            )
        pk = part.get("id")
        if isinstance(pk, bool) or not isinstance(pk, int) or parse_id(pk) is None:
            raise InvalidInput(
                _("Part %(number)s: the id is a positive whole number.") % {"number": index + 1},
                field=f"payment.{field}",
            )
        parts.append((pk, parse_amount(part.get("amount"), field=f"payment.{field}")))
    if len({pk for pk, _ in parts}) != len(parts):
        raise InvalidInput(
            _("Each instrument can appear only once."),
            field=f"payment.{field}",
            code="duplicate_instrument",
        )
    return parts


def parse_payment(raw) -> tuple[Decimal, list[tuple[int, Decimal]], list[tuple[int, Decimal]]]:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise InvalidInput(
            _("payment is an object with cash, prepaid_cards and vouchers."), field="payment"
        )
    cash = parse_amount(raw.get("cash", "0"), field="payment.cash", allow_zero=True)
    return (
        cash,
        _parts(raw.get("prepaid_cards"), "prepaid_cards"),
        _parts(raw.get("vouchers"), "vouchers"),
    )


def _lock_parts(model, account: Account, parts, now: datetime, label: str):
    """Lock the named instruments (by pk) and check each: this account's, unexpired, enough left."""
    if not parts:
        return []
    found = {
        instrument.pk: instrument
        for instrument in model.objects.select_for_update()
        .filter(pk__in=[pk for pk, _ in parts])
        .order_by("pk")
    }
    locked = []
    for pk, amount in parts:
        instrument = found.get(pk)
        if instrument is None or instrument.account_id != account.pk:
            raise NotFound(
                _("No such %(instrument)s #%(id)s.") % {"instrument": label, "id": pk},
                code="not_found",
            )
        if instrument.expires_at <= now:
            raise Conflict(
                _("The %(instrument)s #%(id)s expired on %(day)s.")
                % {"instrument": label, "id": pk, "day": f"{instrument.expires_at:%Y-%m-%d}"},
                field="payment",
                code="instrument_expired",
            )
        if instrument.balance < amount:
            raise Conflict(
                _("The %(instrument)s #%(id)s has %(left)s left, less than %(part)s.")
                % {
                    "instrument": label,
                    "id": pk,
                    "left": format_cny(instrument.balance),
                    "part": format_cny(amount),
                },
                field="payment",
                code="insufficient_balance",
            )
        locked.append((instrument, amount))
    return locked


def fingerprint(data: dict, payment) -> str:
    body = json.dumps({"order": data, "payment": payment}, sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def _fulfil(
    *,
    quote: Quote,
    account: Account,
    order: Order,
    wallet: Wallet,
    actor,
    now: datetime,
    today: date,
):
    if quote.kind == OrderKind.NEW_PACKAGE:
        return subscription_create(
            account=account,
            plan=quote.plan,
            start_date=today,
            workspace_ids=quote.workspace_ids,
            traffic_packs=quote.packs,
            actor=actor,
        )
    if quote.kind == OrderKind.TRAFFIC_PACKS:
        subscription_add_traffic_packs(
            subscription=quote.subscription, traffic_packs=quote.packs, start_date=today
        )
        return quote.subscription
    if quote.kind == OrderKind.UPGRADE:
        subscription_change_plan(
            subscription=quote.subscription, plan=quote.plan, effective_from=today
        )
        return quote.subscription
    if quote.kind == OrderKind.RENEWAL:
        return subscription_renew(subscription=quote.subscription, today=today, actor=actor)
    card = prepaid_card_issue(
        account_id=account.pk,
        amount=quote.face_value,
        actor=actor,
        now=now,
        source=PrepaidCard.Source.PURCHASE,
        order=order,
        wallet=wallet,
    )
    tier = voucher_grant_tier_for_card(face_value=quote.face_value)
    if tier is not None:
        voucher_issue(
            account_id=account.pk,
            amount=tier.voucher_amount,
            kind=Voucher.Kind.FULL_REDUCTION,
            valid_days=tier.voucher_valid_days,
            actor=actor,
            now=now,
            granted_by=order,
        )
    OrderLine.objects.create(
        order=order,
        position=order.lines.count(),
        description=f"Card {card.number}",
        quantity=1,
        unit_price=ZERO,
        amount=ZERO,
    )
    return None


def order_place(
    *, membership: Membership, data: dict, payment, idempotency_key: str | None, now: datetime
) -> tuple[Order, bool]:
    """Quote, check the split, move the money and deliver, all or nothing. Returns (order, created).

    The same idempotency key returns the first order (a different body with it is a conflict).
    """
    membership_require_owner(membership=membership)
    account = membership.account
    if idempotency_key is not None and not 0 < len(idempotency_key) <= 100:
        raise InvalidInput(
            _("Idempotency-Key is 1 to 100 characters."),
            field="idempotency_key",
            code="invalid_idempotency_key",
        )
    request_print = fingerprint(data, payment)
    today = billing_day(now)
    try:
        with transaction.atomic(durable=True):
            wallet = wallet_lock(account_id=account.pk)  # serializes the account's checkouts
            if idempotency_key:
                existing = Order.objects.filter(
                    account=account, idempotency_key=idempotency_key
                ).first()
                if existing is not None:
                    if existing.request_fingerprint != request_print:
                        raise Conflict(
                            _("This Idempotency-Key was used for a different order."),
                            code="idempotency_key_reused",
                        )
                    return existing, False
            quote = order_quote(account=account, data=data, today=today)
            cash, card_parts, voucher_parts = parse_payment(payment)
            if voucher_parts and not quote.vouchers_allowed:
                raise InvalidInput(
                    _("A prepaid card is bought with cash only."),
                    field="payment.vouchers",
                    code="cash_only",
                )
            if card_parts and not quote.cards_allowed:
                raise InvalidInput(
                    _("A prepaid card is bought with cash only."),
                    field="payment.prepaid_cards",
                    code="cash_only",
                )
            paid = (
                cash
                + sum((amount for _, amount in card_parts), ZERO)
                + sum((a for _, a in voucher_parts), ZERO)
            )
            if paid != quote.total:
                raise InvalidInput(
                    _("The payment adds up to %(paid)s; the total is %(total)s.")
                    % {"paid": format_cny(paid), "total": format_cny(quote.total)},
                    field="payment",
                    code="payment_mismatch",
                )
            vouchers = _lock_parts(Voucher, account, voucher_parts, now, "voucher")
            cards = _lock_parts(PrepaidCard, account, card_parts, now, "prepaid card")
            if cash > wallet.cash_balance:
                raise Conflict(
                    _("The cash balance is %(balance)s, less than %(cash)s.")
                    % {"balance": format_cny(wallet.cash_balance), "cash": format_cny(cash)},
                    field="payment",
                    code="insufficient_balance",
                )
            order = Order.objects.create(
                account=account,
                kind=quote.kind,
                total=quote.total,
                request=data,
                payment=PaymentPlan(cash, cards, vouchers).as_dict(),
                idempotency_key=idempotency_key or None,
                request_fingerprint=request_print,
                created_by=membership.user,
                created_at=now,
                paid_at=now,
                subscription=quote.subscription,
            )
            OrderLine.objects.bulk_create(
                OrderLine(
                    order=order,
                    position=position,
                    description=line.description,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    amount=line.amount,
                    item_code=line.item_code or "",
                    capacity=line.capacity,
                )
                for position, line in enumerate(quote.lines)
            )
            actor = membership.user
            paying = {
                "wallet": wallet,
                "kind": EntryKind.ORDER_PAYMENT,
                "order": order,
                "actor": actor,
                "now": now,
            }
            entries = [instrument_debit(instrument=v, amount=a, **paying) for v, a in vouchers]
            entries += [instrument_debit(instrument=c, amount=a, **paying) for c, a in cards]
            if cash:
                entries.append(cash_debit(amount=cash, **paying))
            LedgerEntry.objects.bulk_create(entries)
            delivered = _fulfil(
                quote=quote,
                account=account,
                order=order,
                wallet=wallet,
                actor=actor,
                now=now,
                today=today,
            )
            if quote.kind in (OrderKind.NEW_PACKAGE, OrderKind.RENEWAL, OrderKind.PREPAID_CARD):
                order.subscription = delivered
                order.save(update_fields=["subscription"])
            return order, True
    except IntegrityError:
        if idempotency_key:  # a concurrent request with the same key won the race
            existing = Order.objects.filter(
                account=account, idempotency_key=idempotency_key
            ).first()
            if existing is not None and existing.request_fingerprint == request_print:
                return existing, False
        raise
