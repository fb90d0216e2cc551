"""What a customer asks for, as small typed values: an order request and a payment split.

The edges (the API's serializers, the purchase pages' forms, the tests) build them from raw
input with `order_request_parse` and `payment_split_parse`, which refuse malformed input with
the field at fault and a stable code; the checkout services take them and trust their types.
Rules that need the database (a plan that exists, a workspace of the account) stay in the
services.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from common.api import parse_id
from common.exceptions import InvalidInput
from common.money import ZERO, parse_amount
from orders.models import OrderKind
from quota.services.subscriptions import PackRequest
from quota.services.usage import HOURS_A_DAY, MAX_SAMPLE_QUANTITY

MAX_PACKS = 20
MAX_PAYMENT_PARTS = 50
# A pack's daily capacity: at most a day of the largest hourly sample the metering takes (no day
# of usage can use more), far inside a bigint column; the price of what is below it is checked
# against what an order holds (quote_total, amount_too_large).
MAX_CAPACITY = MAX_SAMPLE_QUANTITY * HOURS_A_DAY
KINDS_WITH_PLAN = (OrderKind.NEW_PACKAGE, OrderKind.UPGRADE)
KINDS_WITH_PACKS = (OrderKind.NEW_PACKAGE, OrderKind.TRAFFIC_PACKS)
KINDS_OF_A_SUBSCRIPTION = (OrderKind.TRAFFIC_PACKS, OrderKind.UPGRADE, OrderKind.RENEWAL)


@dataclass(frozen=True)
class OrderRequest:
    """One order of one kind; only the fields of its kind are set."""

    kind: str
    plan_code: str = ""
    traffic_packs: tuple[PackRequest, ...] = ()
    workspace_ids: tuple[int, ...] = ()
    subscription_id: int | None = None
    face_value: Decimal | None = None
    # A grant (kind `grant`, operators only): the kind it gives, its price and its reason
    granted_kind: str = ""
    grant_price: Decimal | None = None
    grant_reason: str = ""

    def as_dict(self) -> dict:
        """The request in the API's order body shape (stored with the order)."""
        body: dict = {"kind": self.kind}
        kind = self.granted_kind or self.kind
        if self.granted_kind:
            body["grant"] = {
                "kind": self.granted_kind,
                "price": f"{self.grant_price:.2f}",
                "reason": self.grant_reason,
            }
        if kind in KINDS_WITH_PLAN:
            body["plan"] = self.plan_code
        if kind in KINDS_WITH_PACKS:
            body["traffic_packs"] = [
                {"item": pack.item_code, "capacity": pack.capacity} for pack in self.traffic_packs
            ]
        if kind == OrderKind.NEW_PACKAGE:
            body["workspaces"] = list(self.workspace_ids)
        if self.subscription_id is not None:
            body["subscription"] = self.subscription_id
        if self.face_value is not None:
            body["face_value"] = f"{self.face_value:.2f}"
        return body


@dataclass(frozen=True)
class PaymentPart:
    instrument_id: int
    amount: Decimal


@dataclass(frozen=True)
class PaymentSplit:
    """How an order is paid: cash, and parts of named prepaid cards and vouchers."""

    cash: Decimal = ZERO
    prepaid_cards: tuple[PaymentPart, ...] = ()
    vouchers: tuple[PaymentPart, ...] = ()

    @property
    def total(self) -> Decimal:
        parts = (*self.prepaid_cards, *self.vouchers)
        return self.cash + sum((part.amount for part in parts), ZERO)

    def as_dict(self) -> dict:
        def listed(parts):
            return [{"id": part.instrument_id, "amount": f"{part.amount:.2f}"} for part in parts]

        return {
            "cash": f"{self.cash:.2f}",
            "prepaid_cards": listed(self.prepaid_cards),
            "vouchers": listed(self.vouchers),
        }


def _kind(raw) -> str:
    """A kind a customer may order: grants are placed by operators only (order_grant)."""
    kinds = [kind for kind in OrderKind.values if kind != OrderKind.GRANT]
    if raw not in kinds:
        raise InvalidInput(
            _("kind is one of %(kinds)s.") % {"kinds": ", ".join(kinds)},
            field="kind",
            code="unknown_kind",
        )
    return raw


def _plan_code(raw) -> str:
    if not isinstance(raw, str) or not raw:
        raise InvalidInput(_("Choose a plan."), field="plan", code="no_plan")
    return raw


def _pack(index: int, pack) -> PackRequest:
    if not isinstance(pack, dict) or not isinstance(pack.get("item"), str):
        raise InvalidInput(
            _("Pack %(number)s: give an item and a capacity.") % {"number": index + 1},
            field="traffic_packs",
        )
    capacity = pack.get("capacity")
    if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity <= 0:
        raise InvalidInput(
            _("Pack %(number)s: the capacity is a positive whole number.") % {"number": index + 1},
            field="traffic_packs",
        )
    if capacity > MAX_CAPACITY:
        raise InvalidInput(
            _("Pack %(number)s: the capacity is at most %(maximum)s a day.")
            % {"number": index + 1, "maximum": f"{MAX_CAPACITY:,}"},
            field="traffic_packs",
            code="pack_too_large",
        )
    return PackRequest(item_code=pack["item"], capacity=capacity)


def _packs(raw) -> tuple[PackRequest, ...]:
    if raw in (None, ""):
        return ()
    if not isinstance(raw, list) or len(raw) > MAX_PACKS:
        raise InvalidInput(
            _("traffic_packs is a list of at most %(count)s packs.") % {"count": MAX_PACKS},
            field="traffic_packs",
        )
    return tuple(_pack(index, pack) for index, pack in enumerate(raw))


def _workspace_ids(raw) -> tuple[int, ...]:
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
    return tuple(ids)


def _subscription_id(raw) -> int:
    if raw is None:
        raise InvalidInput(_("Name the subscription."), field="subscription")
    if parse_id(raw) is None or isinstance(raw, bool):
        raise InvalidInput(_("A subscription id is a positive whole number."), field="subscription")
    return parse_id(raw)


def order_request_parse(data) -> OrderRequest:
    """An order request from the API's order body (without its payment)."""
    if not isinstance(data, dict):
        raise InvalidInput(_("Send an order object."), field="detail")
    kind = _kind(data.get("kind"))
    if kind == OrderKind.PREPAID_CARD:
        return OrderRequest(
            kind=kind, face_value=parse_amount(data.get("face_value"), field="face_value")
        )
    return OrderRequest(
        kind=kind,
        plan_code=_plan_code(data.get("plan")) if kind in KINDS_WITH_PLAN else "",
        workspace_ids=_workspace_ids(data.get("workspaces"))
        if kind == OrderKind.NEW_PACKAGE
        else (),
        traffic_packs=_packs(data.get("traffic_packs")) if kind in KINDS_WITH_PACKS else (),
        subscription_id=_subscription_id(data.get("subscription"))
        if kind in KINDS_OF_A_SUBSCRIPTION
        else None,
    )


def _parts(raw, field: str) -> tuple[PaymentPart, ...]:
    if raw in (None, ""):
        return ()
    if not isinstance(raw, list) or len(raw) > MAX_PAYMENT_PARTS:
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
        amount = parse_amount(part.get("amount"), field=f"payment.{field}")
        parts.append(PaymentPart(instrument_id=pk, amount=amount))
    if len({part.instrument_id for part in parts}) != len(parts):
        raise InvalidInput(
            _("Each instrument can appear only once."),
            field=f"payment.{field}",
            code="duplicate_instrument",
        )
    return tuple(parts)


def payment_split_parse(raw) -> PaymentSplit:
    """A payment split from the API's `payment` object; omitted parts are zero."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise InvalidInput(
            _("payment is an object with cash, prepaid_cards and vouchers."), field="payment"
        )
    return PaymentSplit(
        cash=parse_amount(raw.get("cash", "0"), field="payment.cash", allow_zero=True),
        prepaid_cards=_parts(raw.get("prepaid_cards"), "prepaid_cards"),
        vouchers=_parts(raw.get("vouchers"), "vouchers"),
    )
