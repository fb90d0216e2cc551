"""The purchase pages' form: their POST becomes an order request and a payment split (the
same typed values the API's serializers make), or an error placed at its step of the page."""

from django import forms

from common.api import parse_id
from common.exceptions import InvalidInput
from common.money import parse_amount
from orders.models import OrderKind
from orders.requests import order_request_parse, payment_split_parse


def page_field(error_field: str | None) -> str:
    """Where the page shows an error of this field: at its payment part when it names one
    (payment.cash, payment.prepaid_cards.<id>, payment.vouchers.<id>), else under the payment
    step for the other payment errors, else at the field's step."""
    field = error_field or "detail"
    if field == "payment.cash" or field.startswith(("payment.prepaid_cards.", "payment.vouchers.")):
        return field
    if field.startswith("payment"):
        return "payment"
    return field


def workspace_ids_from(text: str) -> list:
    """Workspace ids typed or dragged in priority order ("12, 15"); what is no id stays as
    typed, so that the order request names it as bad input."""
    ids = []
    for part in (text or "").split(","):
        part = part.strip()
        if part:
            ids.append(parse_id(part) or part)
    return ids


def workspace_choice(data) -> list:
    """The workspaces of a purchase form in priority order: the order field that buy.js fills
    (or that a client types, "12, 15") when it names any; else the ticked boxes, in page order
    (the page without JavaScript)."""
    typed = workspace_ids_from(data.get("workspaces", ""))
    if typed or not hasattr(data, "getlist"):
        return typed
    return workspace_ids_from(",".join(data.getlist("workspace")))


class PurchaseForm(forms.Form):
    """A new package, traffic packs, an upgrade or a renewal, and how it is paid.

    `cleaned_data["order"]` is an OrderRequest; with `pay`, `cleaned_data["payment"]` is a
    PaymentSplit. On bad input `error_field` names the page step of the one error.
    """

    plan = forms.CharField(required=False)
    workspaces = forms.CharField(required=False)
    cash = forms.CharField(required=False)
    idempotency_key = forms.CharField(required=False, max_length=80)

    def __init__(self, data, *, kind: str, subscription_id: int | None = None, pay: bool = True):
        super().__init__(data)
        self.kind = kind
        self.subscription_id = subscription_id
        self.pay = pay
        self.error_field = "detail"

    def _packs(self) -> list[dict]:
        packs = []
        for item, capacity in zip(
            self.data.getlist("pack_item"), self.data.getlist("pack_capacity"), strict=False
        ):
            if not item and not capacity:
                continue
            try:
                value = int(capacity.replace(",", "").strip())
            except ValueError:
                value = capacity  # the order request names the bad capacity
            packs.append({"item": item, "capacity": value})
        return packs

    def order_body(self) -> dict:
        """The POST in the API's order body shape."""
        body: dict = {"kind": self.kind}
        if self.kind in (OrderKind.NEW_PACKAGE, OrderKind.UPGRADE):
            body["plan"] = self.data.get("plan", "")
        if self.kind in (OrderKind.NEW_PACKAGE, OrderKind.TRAFFIC_PACKS):
            body["traffic_packs"] = self._packs()
        if self.kind == OrderKind.NEW_PACKAGE:
            body["workspaces"] = workspace_choice(self.data)
        if self.subscription_id is not None:
            body["subscription"] = self.subscription_id
        return body

    def _payment_body(self) -> dict:
        """cash, card-<id> and voucher-<id> inputs; empty and zero parts are left out. A bad
        amount is refused with the field of its part, for the page to show it there."""
        payment = {
            "cash": self.data.get("cash", "").strip() or "0",
            "prepaid_cards": [],
            "vouchers": [],
        }
        for key, value in self.data.items():
            value = value.strip()
            for prefix, bucket in (("card-", "prepaid_cards"), ("voucher-", "vouchers")):
                pk = parse_id(key[len(prefix) :]) if key.startswith(prefix) else None
                if not pk or not value:
                    continue
                if parse_amount(value, field=f"payment.{bucket}.{pk}", allow_zero=True) == 0:
                    continue
                payment[bucket].append({"id": pk, "amount": value})
        return payment

    def clean(self):
        cleaned = super().clean()
        try:
            cleaned["order"] = order_request_parse(self.order_body())
            if self.pay:
                cleaned["payment"] = payment_split_parse(self._payment_body())
        except InvalidInput as error:
            self.error_field = page_field(error.field)
            raise forms.ValidationError(error.message, code=error.code) from None
        return cleaned

    def first_error(self) -> dict[str, str]:
        """{page step: message} of the form's error."""
        return {self.error_field: self.non_field_errors()[0]}
