"""Reads of orders for pages and the API."""

from django.utils.translation import gettext as _

from common.api import parse_id
from common.exceptions import NotFound
from orders.models import Order
from workspaces.models import Account


def order_list(*, account: Account):
    return Order.objects.filter(account=account).order_by("-created_at", "-pk")


def order_get(*, account: Account, order_id) -> Order:
    order_id = parse_id(order_id)
    order = order_list(account=account).filter(pk=order_id).first() if order_id else None
    if order is None:
        raise NotFound(_("No such order."))
    return order
