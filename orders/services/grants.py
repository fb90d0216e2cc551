"""Operators' grants (SPEC 4.1 extended, docs/decisions.md "Admin console"): a package given
in admin is an order of kind `grant`, quoted and delivered by the kind it gives, through the
same checkout — ¥0.00 (no payment, no ledger entry) or a price paid from the account's cash."""

from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from common.exceptions import InvalidInput
from common.money import parse_amount
from orders.models import Order, OrderKind
from orders.requests import OrderRequest, PaymentSplit
from orders.services.checkout import order_checkout
from quota.services.subscriptions import PackRequest
from workspaces.models import Account

MAX_REASON = 500


def order_grant(
    *,
    account: Account,
    granted_kind: str,
    price: Decimal | str,
    reason: str,
    actor,
    now: datetime,
    plan_code: str = "",
    workspace_ids: tuple[int, ...] = (),
    subscription_id: int | None = None,
    traffic_packs: tuple[PackRequest, ...] = (),
) -> Order:
    """Place the grant of `granted_kind` (new_package, traffic_packs, upgrade, renewal) as an
    order of kind `grant` created by `actor` (the operator), with its reason."""
    reason = " ".join((reason or "").split())
    if not reason or len(reason) > MAX_REASON:
        raise InvalidInput(
            _("Say why it is granted (at most 500 characters)."), field="reason", code="no_reason"
        )
    price = parse_amount(price, field="price", allow_zero=True)
    request = OrderRequest(
        kind=OrderKind.GRANT,
        plan_code=plan_code,
        traffic_packs=tuple(traffic_packs),
        workspace_ids=tuple(workspace_ids),
        subscription_id=subscription_id,
        granted_kind=granted_kind,
        grant_price=price,
        grant_reason=reason,
    )
    order, _created = order_checkout(
        account=account,
        actor=actor,
        request=request,
        payment=PaymentSplit(cash=price),
        idempotency_key=None,
        now=now,
    )
    return order
