"""Reads of orders for pages and the API."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from common.api import parse_id
from common.dates import billing_day, day_start
from common.exceptions import NotFound
from orders.models import Order, OrderLine
from quota.selectors import SubscriptionView, subscription_view
from wallet.models import PrepaidCard, Voucher
from workspaces.models import Account, Workspace


def order_list(
    *,
    account: Account,
    kind: str | None = None,
    status: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[Order]:
    """The account's orders, newest first (the later id first on a tie), with their lines;
    the dates are billing days of `created_at`, both included."""
    orders = Order.objects.filter(account=account)
    if kind:
        orders = orders.filter(kind=kind)
    if status:
        orders = orders.filter(status=status)
    if date_from:
        orders = orders.filter(created_at__gte=day_start(date_from))
    if date_to:
        orders = orders.filter(created_at__lt=day_start(date_to) + timedelta(days=1))
    return orders.order_by("-created_at", "-pk").prefetch_related("lines")


def order_get(*, account: Account, order_id) -> Order:
    order_id = parse_id(order_id)
    order = order_list(account=account).filter(pk=order_id).first() if order_id else None
    if order is None:
        raise NotFound(_("No such order."))
    return order


@dataclass(frozen=True)
class PaymentPart:
    """One part of an order's split: the cash, a prepaid card (its number) or a voucher (its
    kind)."""

    instrument: str  # "cash", "prepaid_card" or "voucher"
    amount: Decimal
    instrument_id: int | None = None
    card_number: str = ""
    voucher_kind: str = ""

    @property
    def voucher_kind_label(self) -> str:
        return Voucher.Kind(self.voucher_kind).label if self.voucher_kind else ""


def order_payment_parts(*, order: Order) -> list[PaymentPart]:
    """How the order was paid, as its split says: cash, then each card, then each voucher."""
    payment = order.payment or {}
    parts = []
    cash = Decimal(payment.get("cash") or "0")
    if cash:
        parts.append(PaymentPart(instrument="cash", amount=cash))
    card_ids = [part["id"] for part in payment.get("prepaid_cards", [])]
    voucher_ids = [part["id"] for part in payment.get("vouchers", [])]
    cards = PrepaidCard.objects.filter(account_id=order.account_id).in_bulk(card_ids)
    vouchers = Voucher.objects.filter(account_id=order.account_id).in_bulk(voucher_ids)
    for part in payment.get("prepaid_cards", []):
        card = cards.get(part["id"])
        parts.append(
            PaymentPart(
                instrument="prepaid_card",
                amount=Decimal(part["amount"]),
                instrument_id=part["id"],
                card_number=card.number if card else "",
            )
        )
    for part in payment.get("vouchers", []):
        voucher = vouchers.get(part["id"])
        parts.append(
            PaymentPart(
                instrument="voucher",
                amount=Decimal(part["amount"]),
                instrument_id=part["id"],
                voucher_kind=voucher.kind if voucher else "",
            )
        )
    return parts


@dataclass(frozen=True)
class PaymentSummary:
    """An order's split in three sums (the history's column; read from the order alone)."""

    cash: Decimal
    prepaid_cards: Decimal
    vouchers: Decimal


def order_payment_summary(*, order: Order) -> PaymentSummary:
    payment = order.payment or {}

    def total(parts) -> Decimal:
        return sum((Decimal(part["amount"]) for part in parts), Decimal("0.00"))

    return PaymentSummary(
        cash=Decimal(payment.get("cash") or "0.00"),
        prepaid_cards=total(payment.get("prepaid_cards", [])),
        vouchers=total(payment.get("vouchers", [])),
    )


@dataclass(frozen=True)
class OrderReceipt:
    """What an order's page and its receipt show: the order, its lines, its split, and the
    package it bought or changed (with the package's workspaces) as on the day it was paid."""

    order: Order
    lines: list[OrderLine]
    parts: list[PaymentPart]
    subscription: SubscriptionView | None
    workspaces: list[Workspace]


def order_receipt(*, order: Order) -> OrderReceipt:
    view = None
    workspaces: list[Workspace] = []
    if order.subscription_id:
        view = subscription_view(subscription=order.subscription, today=billing_day(order.paid_at))
        named = Workspace.objects.filter(account_id=order.account_id).in_bulk(view.workspace_ids)
        workspaces = [named[pk] for pk in view.workspace_ids if pk in named]
    return OrderReceipt(
        order=order,
        lines=list(order.lines.all()),
        parts=order_payment_parts(order=order),
        subscription=view,
        workspaces=workspaces,
    )
