"""Placing an order (SPEC 4.2): quote, check the split, move the money and deliver, in one
durable transaction under the wallet's lock.

Locks, in order: the wallet, the vouchers and cards of the split (by pk), then whatever the
kind's delivery locks in quota (subscription, workspaces).
"""

import hashlib
import json
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from common.dates import billing_day
from common.exceptions import Conflict, InvalidInput
from orders.models import Order, OrderKind, OrderLine
from orders.requests import OrderRequest, PaymentSplit
from orders.services.kinds import HANDLERS, Delivery, order_quote
from orders.services.payment import PaymentPlan, payment_check_and_lock
from orders.services.quoting import Quote
from wallet.models import EntryKind, LedgerEntry
from wallet.services.balances import cash_debit, instrument_debit, wallet_lock
from workspaces.models import Account, Membership
from workspaces.selectors import membership_require_owner

MAX_IDEMPOTENCY_KEY = 100


def fingerprint(request: OrderRequest, payment: PaymentSplit) -> str:
    """What makes two bodies "the same order" for an idempotency key."""
    body = json.dumps(
        {"order": request.as_dict(), "payment": payment.as_dict()}, sort_keys=True, default=str
    )
    return hashlib.sha256(body.encode()).hexdigest()


def _order_write(
    *, quote: Quote, request: OrderRequest, plan: PaymentPlan, account, actor, keys, now
) -> Order:
    idempotency_key, request_print = keys
    order = Order.objects.create(
        account=account,
        kind=quote.kind,
        total=quote.total,
        request=request.as_dict(),
        payment=plan.as_dict(),
        idempotency_key=idempotency_key or None,
        request_fingerprint=request_print,
        created_by=actor,
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
            text=line.text.as_dict() if line.text else {},
        )
        for position, line in enumerate(quote.lines)
    )
    return order


def _pay(*, order: Order, plan: PaymentPlan, wallet, actor, now: datetime) -> None:
    """Debit the split's parts, each with its ledger entry naming the order."""
    paying = {
        "wallet": wallet,
        "kind": EntryKind.ORDER_PAYMENT,
        "order": order,
        "actor": actor,
        "now": now,
    }
    entries = [instrument_debit(instrument=v, amount=a, **paying) for v, a in plan.vouchers]
    entries += [instrument_debit(instrument=c, amount=a, **paying) for c, a in plan.cards]
    if plan.cash:
        entries.append(cash_debit(amount=plan.cash, **paying))
    LedgerEntry.objects.bulk_create(entries)


def _first_order_with(account, idempotency_key: str | None, request_print: str) -> Order | None:
    """The order already placed with this key; a different body with it is a conflict."""
    if not idempotency_key:
        return None
    existing = Order.objects.filter(account=account, idempotency_key=idempotency_key).first()
    if existing is not None and existing.request_fingerprint != request_print:
        raise Conflict(
            _("This Idempotency-Key was used for a different order."),
            code="idempotency_key_reused",
        )
    return existing


def order_place(
    *,
    membership: Membership,
    request: OrderRequest,
    payment: PaymentSplit,
    idempotency_key: str | None,
    now: datetime,
) -> tuple[Order, bool]:
    """Quote, check the split, move the money and deliver, all or nothing. Returns (order, created).

    The same idempotency key returns the first order (a different body with it is a conflict).
    """
    membership_require_owner(membership=membership)
    if request.kind == OrderKind.GRANT:  # operators' only, through order_grant
        raise InvalidInput(_("Choose a kind of order."), field="kind", code="unknown_kind")
    if idempotency_key is not None and not 0 < len(idempotency_key) <= MAX_IDEMPOTENCY_KEY:
        raise InvalidInput(
            _("Idempotency-Key is 1 to 100 characters."),
            field="idempotency_key",
            code="invalid_idempotency_key",
        )
    return order_checkout(
        account=membership.account,
        actor=membership.user,
        request=request,
        payment=payment,
        idempotency_key=idempotency_key,
        now=now,
    )


def order_checkout(
    *,
    account: Account,
    actor,
    request: OrderRequest,
    payment: PaymentSplit,
    idempotency_key: str | None,
    now: datetime,
) -> tuple[Order, bool]:
    """The checkout of an order already allowed (the owner's order, an operator's grant)."""
    request_print = fingerprint(request, payment)
    today = billing_day(now)
    try:
        with transaction.atomic(durable=True):
            wallet = wallet_lock(account_id=account.pk)  # serializes the account's checkouts
            existing = _first_order_with(account, idempotency_key, request_print)
            if existing is not None:
                return existing, False
            quote = order_quote(account=account, request=request, today=today)
            plan = payment_check_and_lock(
                account=account, wallet=wallet, quote=quote, payment=payment, now=now
            )
            order = _order_write(
                quote=quote,
                request=request,
                plan=plan,
                account=account,
                actor=actor,
                keys=(idempotency_key, request_print),
                now=now,
            )
            _pay(order=order, plan=plan, wallet=wallet, actor=actor, now=now)
            delivered = HANDLERS[quote.kind].deliver(
                Delivery(quote, account, order, wallet, actor, now, today)
            )
            if delivered is not None and order.subscription_id != delivered.pk:
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
